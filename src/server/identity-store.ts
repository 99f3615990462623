/**
 * Where the token service keeps which ACS identity belongs to which app user. The mapping must be
 * stable: an ACS identity owns its chat threads and call history, so a user who got a new one would
 * lose them. Implement it over your database (a column on the users table is enough), or use
 * {@link createMemoryIdentityStore} (tests, one process) or {@link createFileIdentityStore}
 * (one machine, survives restarts).
 *
 * @example
 * ```ts
 * const store: IdentityStore = {
 *   get: async (appUserId) => (await db.user(appUserId))?.acsId ?? undefined,
 *   set: async (appUserId, communicationUserId) => db.setAcsId(appUserId, communicationUserId),
 *   // Several server instances: create identities under a database lock, so there is only ever one.
 *   exclusive: (appUserId, work) => db.withAdvisoryLock(`acs:${appUserId}`, work),
 * };
 * ```
 */
export interface IdentityStore {
  /** The ACS user id (`8:acs:…`) stored for this app user, or `undefined`. */
  get(appUserId: string): Promise<string | undefined>;
  /** Stores the mapping; called once per app user, after the identity was created. */
  set(appUserId: string, communicationUserId: string): Promise<void>;
  /**
   * Optional: runs `work` while no other service instance sharing this store runs `work` for the
   * same app user. The service already merges concurrent first requests inside one process; give
   * this when several processes share the store, or two of them may each create an identity.
   */
  exclusive?<T>(appUserId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * An {@link IdentityStore} in memory: the default. Mappings are gone when the process ends, and a
 * restarted service gives each user a new ACS identity: use {@link createFileIdentityStore} or your
 * database in production.
 *
 * @example
 * ```ts
 * const tokens = createTokenService({ connectionString, authenticate, identityStore: createMemoryIdentityStore() });
 * ```
 */
export function createMemoryIdentityStore(): IdentityStore {
  const map = new Map<string, string>();
  return {
    get: (appUserId) => Promise.resolve(map.get(appUserId)),
    set: (appUserId, communicationUserId) => {
      map.set(appUserId, communicationUserId);
      return Promise.resolve();
    },
  };
}
