import { AcsHttpError } from '../errors.js';
import type { EmulatorServices } from '../services.js';
import type { UserRecord } from '../store/model.js';
import { type AccessTokenWire, issueToken } from './tokens.js';

/*
 * The identity operations on the emulator's state, shared by the HTTP routes (identity/routes.ts)
 * and the in-process helpers (`emu.createUser()`, `emu.issueToken()`, `emu.revokeTokens()`), so
 * both behave alike: same ids, same journal entries, same revocation boundary.
 */

/**
 * Creates and stores a new identity of this resource.
 *
 * @example
 * ```ts
 * const user = createUserRecord(services, clock.now()); // { id: '8:acs:<resourceId>_<uuid>', createdOn }
 * ```
 */
export function createUserRecord(services: EmulatorServices, now: number): UserRecord {
  const user: UserRecord = { id: services.ids.user(), createdOn: now };
  services.state.commit({ t: 'user', user });
  return user;
}

/**
 * The live identity `id`, or the service's error: another resource's id → 401 `IdentityNotOwned`,
 * unknown or deleted → 404 `IdentityNotFound`.
 *
 * @example
 * ```ts
 * const user = findUser(services, '8:acs:<resourceId>_<uuid>');
 * ```
 */
export function findUser(services: EmulatorServices, id: string): UserRecord {
  if (!services.ids.isOwnUser(id)) {
    throw new AcsHttpError(401, 'IdentityNotOwned', "Provided identity doesn't belong to the resource.");
  }
  const user = services.state.users.get(id);
  if (!user || user.deleted) throw new AcsHttpError(404, 'IdentityNotFound', 'The identity does not exist.');
  return user;
}

/**
 * Issues a token for `user` and records when (`lastTokenIssuedAt`, shown by `GET /identities/{id}`).
 *
 * @example
 * ```ts
 * const { token, expiresOn } = issueUserToken(services, findUser(services, id), ['chat'], 1440, clock.now());
 * ```
 */
export function issueUserToken(services: EmulatorServices, user: UserRecord, scopes: readonly string[], minutes: number, now: number): AccessTokenWire {
  const accessToken = issueToken(services, user, scopes, minutes, now);
  services.state.commit({ t: 'user', user: { ...user, lastTokenIssuedAt: now } });
  return accessToken;
}

/**
 * Revokes every token issued to `user` so far (`:revokeAccessTokens`); tokens issued later work.
 *
 * @example
 * ```ts
 * revokeUserTokens(services, findUser(services, id), clock.now());
 * ```
 */
export function revokeUserTokens(services: EmulatorServices, user: UserRecord, now: number): void {
  services.state.commit({ t: 'user', user: { ...user, revokedAt: nextRevocation(user.revokedAt, now) } });
}

/**
 * Deletes `user`. Deleting also revokes: tokens of a deleted identity must stop working at once.
 *
 * @example
 * ```ts
 * deleteUserRecord(services, findUser(services, id), clock.now());
 * ```
 */
export function deleteUserRecord(services: EmulatorServices, user: UserRecord, now: number): void {
  services.state.commit({ t: 'user', user: { ...user, deleted: true, revokedAt: nextRevocation(user.revokedAt, now) } });
}

/**
 * The `revokedAt` of a new revocation. Tokens only carry whole seconds (`iat`), so a token issued
 * after the previous revocation gets an `iat` of up to the next whole second after it; a second
 * revocation in that same second must reach that boundary, or the token issued between the two
 * would outlive the second one.
 */
function nextRevocation(previous: number | undefined, now: number): number {
  return previous === undefined ? now : Math.max(now, (Math.floor(previous / 1000) + 1) * 1000);
}
