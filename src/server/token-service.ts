import type { TokenScope } from '@azure/communication-identity';
import { SessionError, isSessionError } from '../errors.js';
import { fromAcsError } from '../internal/from-acs-error.js';
import { createIdentityWithCustomId } from './custom-id.js';
import { createHttpHandlers } from './http.js';
import { type IdentityStore, createMemoryIdentityStore } from './identity-store.js';
import { type IdentityPort, loadIdentityClient } from './identity-client.js';
import { logger as serverLogger } from '../internal/logger.js';
import { validateTokenServiceOptions } from './options.js';
import type { IssuedToken, TokenService, TokenServiceOptions } from './types.js';

/** Longest app user id accepted (it is also the `customId` with `useCustomId`). */
const MAX_APP_USER_ID = 256;

/**
 * Creates the trusted token service: the server-side half of `createSession({ token: fetchToken(url) })`.
 * It holds the connection string (which never reaches a client, a response or a log line), maps each
 * app user to one stable ACS identity, and issues tokens for it — directly with
 * {@link TokenService.issue}, or over HTTP with {@link TokenService.fetchHandler} /
 * {@link TokenService.nodeHandler}, which authenticate, rate-limit per user, answer CORS and report
 * ACS failures as 502 without details.
 *
 * `@azure/communication-identity` is an optional peer dependency of `acs-session`: install it next
 * to the service. It is loaded on first use.
 *
 * @throws SessionError `INVALID_OPTIONS` listing every problem with `options`; `issue`/`revoke` reject
 *   with `INVALID_OPTIONS` when `@azure/communication-identity` is not installed.
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createTokenService } from 'acs-session/server';
 *
 * const tokens = createTokenService({
 *   connectionString: process.env.ACS_CONNECTION_STRING!,
 *   authenticate: async (request) => (await mySessions.verify(request.headers.get('authorization')))?.userId ?? null,
 * });
 * http.createServer(tokens.nodeHandler).listen(3000);
 * // browser: createSession({ endpoint, token: fetchToken('http://localhost:3000/') })
 * ```
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const target = validateTokenServiceOptions(options);
  const scopes: TokenScope[] = [...(options.scopes ?? ['chat', 'voip'])];
  const lifetime = options.tokenLifetimeMinutes ?? 60;
  const store: IdentityStore = options.identityStore ?? createMemoryIdentityStore();
  const ca = readCa(options.identityClientOptions);
  let client: Promise<IdentityPort> | undefined;
  const identityClient = (): Promise<IdentityPort> => (client ??= loadIdentityClient(target, options.identityClientOptions));
  // Concurrent first requests for one user in this process share one creation.
  const creating = new Map<string, Promise<string>>();

  /** Creates the user's identity unless the store has one other than `replacing` (a deleted one). */
  const createIdentity = async (appUserId: string, replacing?: string): Promise<string> => {
    const create = async (): Promise<string> => {
      const existing = await store.get(appUserId);
      if (existing !== undefined && existing !== replacing) return existing;
      const user = await (await identityClient()).createUser();
      await store.set(appUserId, user.communicationUserId);
      serverLogger.info(`token service: created ACS identity ${user.communicationUserId}`);
      return user.communicationUserId;
    };
    return store.exclusive ? store.exclusive(appUserId, create) : create();
  };

  const identityOf = async (appUserId: string, replacing?: string): Promise<string> => {
    const known = await store.get(appUserId);
    if (known !== undefined && known !== replacing) return known;
    let pending = creating.get(appUserId);
    if (!pending) {
      pending = createIdentity(appUserId, replacing).finally(() => creating.delete(appUserId));
      creating.set(appUserId, pending);
    }
    return pending;
  };

  const tokenFor = async (appUserId: string): Promise<IssuedToken> => {
    const identity = await identityClient();
    let communicationUserId = await identityOf(appUserId);
    try {
      const { token, expiresOn } = await identity.getToken({ communicationUserId }, scopes, { tokenExpiresInMinutes: lifetime });
      return { token, expiresOn, user: { communicationUserId } };
    } catch (error) {
      // The stored identity was deleted (deleteUser, a data-erasure request): it cannot come back,
      // so the user gets a new one rather than a 502 on every sign-in from now on.
      if (fromAcsError(error, { operation: 'Issuing an ACS user token' }).status !== 404) throw error;
      serverLogger.warning(`token service: ACS identity ${communicationUserId} no longer exists; creating a new one for its app user`);
      communicationUserId = await identityOf(appUserId, communicationUserId);
      const { token, expiresOn } = await identity.getToken({ communicationUserId }, scopes, { tokenExpiresInMinutes: lifetime });
      return { token, expiresOn, user: { communicationUserId } };
    }
  };

  const viaCustomId = (appUserId: string, withToken: boolean) =>
    createIdentityWithCustomId(target, { customId: appUserId, ...(withToken && { createTokenWithScopes: scopes, expiresInMinutes: lifetime }) }, { ca });

  const issue = async (appUserId: string): Promise<IssuedToken> => {
    checkAppUserId(appUserId, 'issue');
    try {
      let issued: IssuedToken;
      if (options.useCustomId) {
        const created = await viaCustomId(appUserId, true);
        if (!created.accessToken) throw new SessionError('SERVICE_ERROR', 'ACS created the identity but returned no token');
        issued = { token: created.accessToken.token, expiresOn: new Date(created.accessToken.expiresOn), user: { communicationUserId: created.identity.id } };
      } else {
        issued = await tokenFor(appUserId);
      }
      serverLogger.info(`token service: issued a token for ${issued.user.communicationUserId}, valid until ${issued.expiresOn.toISOString()}`);
      return issued;
    } catch (error) {
      throw reportAcsFailure(error, 'Issuing an ACS user token');
    }
  };

  const revoke = async (appUserId: string): Promise<boolean> => {
    checkAppUserId(appUserId, 'revoke');
    try {
      const communicationUserId = options.useCustomId ? (await viaCustomId(appUserId, false)).identity.id : await store.get(appUserId);
      if (communicationUserId === undefined) return false;
      await (await identityClient()).revokeTokens({ communicationUserId });
      serverLogger.info(`token service: revoked the tokens of ${communicationUserId}`);
      return true;
    } catch (error) {
      throw reportAcsFailure(error, 'Revoking ACS user tokens');
    }
  };

  const handlers = createHttpHandlers({
    authenticate: options.authenticate,
    issue,
    rateLimit: options.rateLimit ?? {},
    cors: options.cors,
  });
  return { issue, revoke, ...handlers };
}

function checkAppUserId(appUserId: unknown, method: string): void {
  if (typeof appUserId !== 'string' || appUserId === '' || appUserId.length > MAX_APP_USER_ID) {
    throw new SessionError('INVALID_ARGUMENT', `${method}() needs the app user id as a non-empty string of at most ${MAX_APP_USER_ID} characters`);
  }
}

/** Maps an ACS failure and logs what is safe to log: codes and the service's own message, never the request. */
function reportAcsFailure(error: unknown, operation: string): SessionError {
  if (isSessionError(error) && error.code === 'INVALID_OPTIONS') return error;
  const mapped = fromAcsError(error, { operation });
  serverLogger.warning(
    `token service: ${operation} failed: ${mapped.code}${mapped.status === undefined ? '' : ` (HTTP ${mapped.status}${mapped.acsCode ? ` ${mapped.acsCode}` : ''})`}`,
  );
  return mapped;
}

/** The CA the identity client trusts (`emulatorClientOptions(emu)`), for the one call made without it. */
function readCa(clientOptions: unknown): string | undefined {
  const ca = (clientOptions as { tlsOptions?: { ca?: unknown } } | undefined)?.tlsOptions?.ca;
  if (typeof ca === 'string') return ca;
  return ca instanceof Uint8Array ? Buffer.from(ca).toString('utf8') : undefined;
}
