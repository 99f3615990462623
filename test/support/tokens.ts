/** Test helpers that build ACS-shaped user tokens (unsigned: clients never verify signatures). */

export const RESOURCE_ID = '00000000-1111-2222-3333-444444444444';

export interface FakeTokenOptions {
  /** The user part of the id; default 'alice'. */
  user?: string;
  /** Lifetime from `now`, in ms; default one hour. */
  lifetimeMs?: number;
  /** Issue time, ms since the epoch; default Date.now() (fake timers move it). */
  now?: number;
  scopes?: string[];
  /** Extra or replacement claims. */
  claims?: Record<string, unknown>;
}

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** A JWT with the claims ACS puts in a user token. */
export function fakeAcsToken(options: FakeTokenOptions = {}): string {
  const now = options.now ?? Date.now();
  const lifetimeMs = options.lifetimeMs ?? 60 * 60_000;
  const payload = {
    skypeid: `acs:${RESOURCE_ID}_${options.user ?? 'alice'}`,
    scp: 1792,
    csi: String(Math.floor(now / 1000)),
    exp: Math.floor((now + lifetimeMs) / 1000),
    acsScope: (options.scopes ?? ['chat', 'voip']).join(','),
    resourceId: RESOURCE_ID,
    iat: Math.floor(now / 1000),
    ...options.claims,
  };
  return `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.c2lnbmF0dXJl`;
}

/** The raw id the session derives for a fake user. */
export function rawIdOf(user = 'alice'): string {
  return `8:acs:${RESOURCE_ID}_${user}`;
}

/** A promise that resolves after `ms` of (possibly fake) time. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
