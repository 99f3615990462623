import { SessionError } from '../errors.js';
import { isPlainObject } from '../internal/options.js';
import { decodeJwtClaims } from './jwt.js';
import type { SessionUser, TokenInfo } from './types.js';

// Epoch numbers below this are taken as seconds (JWT style), above as milliseconds: 1e11 ms is 1973.
const SECONDS_THRESHOLD = 1e11;

/**
 * Validates what a fetcher returned and reads its expiry and user.
 * @throws SessionError `TOKEN_MALFORMED` when it is not an ACS user token, `TOKEN_EXPIRED` when it
 * has already expired at `now`.
 * @internal
 */
export function readToken(result: unknown, now: number, origin: 'fetcher' | 'static'): TokenInfo {
  // A fixed token cannot get better by trying again; a fetcher may return a good one next time.
  const retryable = origin === 'fetcher';
  const who = origin === 'fetcher' ? 'The token fetcher returned' : 'The session was given';
  const malformed = (why: string) => new SessionError('TOKEN_MALFORMED', `${who} an unusable token: ${why}`, { retryable });
  const { token, expiresOn } = unwrap(result, malformed);
  const claims = decodeJwtClaims(token);
  if (!claims) throw malformed('it is not a JWT with a JSON payload');
  if (typeof claims.skypeid !== 'string' || claims.skypeid.length === 0) {
    throw malformed("its payload has no 'skypeid' claim, so it is not an ACS user token");
  }
  const fromClaim = typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  const fromResult = expiresOn === undefined ? undefined : toEpochMs(expiresOn, malformed);
  const candidates = [fromClaim, fromResult].filter((value): value is number => value !== undefined);
  if (candidates.length === 0) throw malformed("it has no 'exp' claim and no expiresOn was given");
  const expires = Math.min(...candidates);
  if (expires <= now) {
    throw new SessionError('TOKEN_EXPIRED', `${who} a token that expires at ${new Date(expires).toISOString()}, too soon to use`, {
      retryable,
    });
  }
  return {
    token,
    expiresOn: new Date(expires),
    user: userFromSkypeId(claims.skypeid),
    scopes:
      typeof claims.acsScope === 'string'
        ? claims.acsScope
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
  };
}

/**
 * `acs:<resource>_<user>` → the identifier whose raw id is `8:acs:<resource>_<user>`.
 * @internal
 */
export function userFromSkypeId(skypeId: string): SessionUser {
  const rawId = `8:${skypeId}`;
  return { kind: 'communicationUser', communicationUserId: rawId, rawId };
}

type Malformed = (why: string) => SessionError;

function unwrap(result: unknown, malformed: Malformed): { token: string; expiresOn: unknown } {
  if (typeof result === 'string') return { token: result.trim(), expiresOn: undefined };
  if (isPlainObject(result) && typeof result['token'] === 'string') {
    return { token: result['token'].trim(), expiresOn: result['expiresOn'] };
  }
  throw malformed(`expected a string or { token, expiresOn? }, got ${describe(result)}`);
}

function toEpochMs(value: unknown, malformed: Malformed): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (typeof value === 'number') ms = value < SECONDS_THRESHOLD ? value * 1000 : value;
  else throw malformed(`expiresOn must be a Date, an ISO string or epoch milliseconds, got ${describe(value)}`);
  if (!Number.isFinite(ms)) throw malformed(`expiresOn ${String(value)} is not a valid date`);
  return ms;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
