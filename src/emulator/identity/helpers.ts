import { SessionError } from '../../errors.js';
import { isPlainObject, show } from '../../internal/options.js';
import { AcsHttpError } from '../errors.js';
import type { EmulatorServices } from '../services.js';
import { parseExpiresInMinutes, parseScopes, type TokenScope } from './tokens.js';
import { createUserRecord, findUser, issueUserToken, revokeUserTokens } from './users.js';

/**
 * An identity made by `emu.createUser()`: an ACS `CommunicationUserIdentifier` (with `kind` and
 * `rawId`), usable wherever the Azure clients or acs-session take one.
 *
 * @example
 * ```ts
 * const user: EmulatorUser = emu.createUser();
 * user.communicationUserId; // '8:acs:<resourceId>_<uuid>'
 * ```
 */
export interface EmulatorUser {
  /** Always `'communicationUser'` (an ACS identity), as in `CommunicationUserKind`. */
  readonly kind: 'communicationUser';
  /** `8:acs:<resourceId>_<uuid>`. */
  readonly communicationUserId: string;
  /** Same as `communicationUserId` for ACS users. */
  readonly rawId: string;
}

/**
 * A user token as the identity API returns it: what a token fetcher may return as is.
 *
 * @example
 * ```ts
 * const { token, expiresOn }: EmulatorToken = emu.issueToken(user);
 * ```
 */
export interface EmulatorToken {
  /** The JWT. */
  readonly token: string;
  /** When it expires (whole seconds). */
  readonly expiresOn: Date;
}

/**
 * Options of `emu.issueToken()`.
 *
 * @example
 * ```ts
 * const options: IssueTokenOptions = { expiresInMinutes: 60 };
 * ```
 */
export interface IssueTokenOptions {
  /** Lifetime, a whole number of minutes from 60 to 1440 (the service's limits). Default 1440. */
  expiresInMinutes?: number | undefined;
}

/**
 * The emulator's identity service used in-process, without an identity client or a connection
 * string: the same state, ids, journal and revocation rules as the HTTP identity API.
 *
 * @example
 * ```ts
 * const user = emu.createUser();
 * const { token } = emu.issueToken(user, ['chat']);
 * emu.revokeTokens(user);
 * ```
 */
export interface EmulatorIdentity {
  /**
   * Creates an identity of this emulator's resource (stored in the data dir, if there is one).
   *
   * @throws `SessionError` `DISPOSED` after `close()`.
   * @example
   * ```ts
   * const user = emu.createUser();
   * ```
   */
  createUser(): EmulatorUser;
  /**
   * Issues a user token for `user` (an identifier or its raw id string), as
   * `POST /identities/{id}/:issueAccessToken` does.
   *
   * @param scopes - default `['chat', 'voip']`.
   * @throws `SessionError` `INVALID_ARGUMENT` for anything but a live identity of this
   * emulator, an empty or unknown scope, or `expiresInMinutes` outside 60–1440; `DISPOSED` after
   * `close()`.
   * @example
   * ```ts
   * const session = await createSession({ endpoint: emu.endpoint, token: async () => emu.issueToken(user) });
   * ```
   */
  issueToken(user: EmulatorUser | { communicationUserId: string } | string, scopes?: readonly TokenScope[], options?: IssueTokenOptions): EmulatorToken;
  /**
   * Revokes every token issued to `user` so far, as `:revokeAccessTokens` does (tokens issued
   * afterwards work; the emulator's clock has one-second resolution for this, so advance it a
   * second before expecting a 401 for a token issued just before).
   *
   * @throws `SessionError` `INVALID_ARGUMENT` for anything but a live identity of this
   * emulator; `DISPOSED` after `close()`.
   * @example
   * ```ts
   * emu.revokeTokens(user);
   * ```
   */
  revokeTokens(user: EmulatorUser | { communicationUserId: string } | string): void;
}

/**
 * Builds the in-process identity helpers over the emulator's services.
 *
 * @param now - the emulator's clock.
 * @param closed - whether the emulator has been closed (its journal may be gone).
 * @internal
 */
export function createEmulatorIdentity(services: EmulatorServices, now: () => number, closed: () => boolean): EmulatorIdentity {
  const guarded = <T>(method: string, operation: () => T): T => {
    if (closed()) throw new SessionError('DISPOSED', `emulator.${method}() was called after close()`);
    try {
      return operation();
    } catch (error) {
      // The HTTP API's validation, reused: its 4xx answers are argument errors here.
      if (error instanceof AcsHttpError && error.status < 500) {
        throw new SessionError('INVALID_ARGUMENT', `emulator.${method}(): ${error.message}`, { acsCode: error.code, cause: error });
      }
      throw error;
    }
  };
  return {
    createUser: () =>
      guarded('createUser', () => {
        const { id } = createUserRecord(services, now());
        return { kind: 'communicationUser', communicationUserId: id, rawId: id };
      }),
    issueToken: (user, scopes = ['chat', 'voip'], options = {}) =>
      guarded('issueToken', () => {
        const record = findUser(services, userId('issueToken', user));
        const minutes = parseExpiresInMinutes(tokenOptions(options).expiresInMinutes);
        const issued = issueUserToken(services, record, parseScopes(scopes, 'scopes'), minutes, now());
        return { token: issued.token, expiresOn: new Date(issued.expiresOn) };
      }),
    revokeTokens: (user) =>
      guarded('revokeTokens', () => {
        revokeUserTokens(services, findUser(services, userId('revokeTokens', user)), now());
      }),
  };
}

function userId(method: string, user: unknown): string {
  if (typeof user === 'string') return user;
  if (isPlainObject(user) && typeof user['communicationUserId'] === 'string') return user['communicationUserId'];
  throw new SessionError(
    'INVALID_ARGUMENT',
    `emulator.${method}(user): user must be a { communicationUserId } identifier or a raw id string, got ${show(user)}`,
  );
}

function tokenOptions(options: unknown): IssueTokenOptions {
  if (!isPlainObject(options)) {
    throw new SessionError('INVALID_ARGUMENT', `emulator.issueToken(user, scopes, options): options must be an object, got ${show(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => key !== 'expiresInMinutes');
  if (unknown.length > 0) {
    throw new SessionError('INVALID_ARGUMENT', `emulator.issueToken(): unknown option ${unknown.join(', ')} (known: expiresInMinutes)`);
  }
  return options;
}
