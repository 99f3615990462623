import { AcsHttpError } from '../errors.js';
import type { EmulatorServices } from '../services.js';
import type { UserRecord } from '../store/model.js';

/**
 * A scope an ACS user token can carry.
 *
 * @example
 * ```ts
 * const scopes: TokenScope[] = ['chat', 'voip'];
 * ```
 */
export type TokenScope = 'chat' | 'voip' | 'chat.join' | 'chat.join.limited' | 'voip.join';

/** Scopes ACS user tokens may carry. */
export const TOKEN_SCOPES: readonly TokenScope[] = ['chat', 'voip', 'chat.join', 'chat.join.limited', 'voip.join'];

/** The `accessToken` wire model. */
export interface AccessTokenWire {
  token: string;
  expiresOn: string;
}

/**
 * Validates `scopes` (non-empty, known values) with the real service's 400 body.
 *
 * @example
 * ```ts
 * const scopes = parseScopes(body['scopes'], 'scopes'); // ['chat', 'voip']
 * ```
 */
export function parseScopes(value: unknown, target: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    // The service's wording (recorded), whatever the field is called.
    throw new AcsHttpError(400, 'ValidationError', 'Invalid scopes - Scopes field is required.', { target });
  }
  const known: readonly string[] = TOKEN_SCOPES;
  for (const scope of value) {
    if (typeof scope !== 'string' || !known.includes(scope)) {
      // No String(scope): an object such as {"toString":1} would throw while building the message.
      const shown =
        typeof scope === 'string' ? `'${scope.slice(0, 64)}'` : `of type ${scope === null ? 'null' : Array.isArray(scope) ? 'array' : typeof scope}`;
      throw new AcsHttpError(400, 'ValidationError', `Scope ${shown} is not valid. Valid scopes: ${TOKEN_SCOPES.join(', ')}.`, { target });
    }
  }
  return [...new Set(value as string[])];
}

/**
 * Validates `expiresInMinutes` (integer 60–1440; default 1440) with the real 400 body.
 *
 * @example
 * ```ts
 * parseExpiresInMinutes(undefined); // 1440
 * parseExpiresInMinutes(30);        // throws 400 ValidationError
 * ```
 */
export function parseExpiresInMinutes(value: unknown): number {
  if (value === undefined || value === null) return 1440;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 1440) {
    throw new AcsHttpError(400, 'ValidationError', 'The ExpiresInMinutes field must be an integer between 60 and 1440.', {
      target: 'expiresInMinutes',
    });
  }
  return value;
}

/**
 * Issues a signed user token for `user`.
 *
 * `iat` is kept strictly after the user's last revocation (it may run a second or, after several
 * revocations within one second, a few seconds ahead of the clock) so that a token issued right after `:revokeAccessTokens`, in the same second, is
 * still valid while every token issued before the revoke is not.
 */
export function issueToken(services: EmulatorServices, user: UserRecord, scopes: readonly string[], minutes: number, now: number): AccessTokenWire {
  const nowSeconds = Math.floor(now / 1000);
  const iat = user.revokedAt === undefined ? nowSeconds : Math.max(nowSeconds, Math.floor(user.revokedAt / 1000) + 1);
  const exp = nowSeconds + minutes * 60;
  const token = services.jwt.sign({
    skypeid: user.id.slice(2), // drop the '8:' prefix: `acs:<resourceId>_<uuid>`
    acsScope: scopes.join(','),
    resourceId: services.keys.resourceId,
    iat,
    exp,
  });
  return { token, expiresOn: new Date(exp * 1000).toISOString() };
}
