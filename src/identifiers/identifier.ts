import {
  createIdentifierFromRawId,
  getIdentifierKind,
  getIdentifierRawId,
  type CommunicationIdentifier,
  type CommunicationIdentifierKind,
} from '@azure/communication-common';
import { SessionError } from '../errors.js';
import { isPlainObject, show } from '../internal/options.js';

/**
 * An ACS identifier as acs-session hands it back: the `@azure/communication-common` identifier with
 * its `kind` and its `rawId` always filled in. Use `rawId` as a map key.
 * @example
 * ```ts
 * const sender: Identifier | undefined = message.sender;
 * if (sender?.kind === 'communicationUser') console.log(sender.communicationUserId, sender.rawId);
 * ```
 */
export type Identifier = CommunicationIdentifierKind & {
  /** The raw id, e.g. `8:acs:<resource>_<user>` or `4:+15551234567`. */
  readonly rawId: string;
};

/**
 * How a person is named anywhere in the API: an ACS identifier object
 * (`{ communicationUserId }`, `{ phoneNumber }`, `{ microsoftTeamsUserId }`, …) or its raw id string
 * (`'8:acs:…'`, `'4:+1555…'`).
 * @example
 * ```ts
 * const ada: PersonId = '8:acs:00000000-1111-2222-3333-444444444444_ada';
 * const grace: PersonId = { communicationUserId: '8:acs:…_grace' };
 * ```
 */
export type PersonId = CommunicationIdentifier | string;

/**
 * A person, optionally with the display name to show: a {@link PersonId}, or `{ id, displayName }`.
 * @example
 * ```ts
 * await thread.participants.add(['8:acs:…_ada', { id: grace, displayName: 'Grace' }]);
 * ```
 */
export type PersonInput =
  | PersonId
  | {
      /** Who it is. */
      readonly id: PersonId;
      /** The name to show for them. */
      readonly displayName?: string | undefined;
    };

/**
 * A person as the API hands it back: the identifier with `kind` and `rawId`, and a display name when known.
 * @example
 * ```ts
 * const person: Person = toPerson({ id: '8:acs:…_ada', displayName: 'Ada' });
 * ```
 */
export interface Person {
  /** Who it is. */
  readonly id: Identifier;
  /** The name to show, when one was given. */
  readonly displayName?: string | undefined;
}

/** Raw ids start with a numeric prefix and a colon (`8:`, `4:`, `28:`); anything else is a typo. */
const RAW_ID = /^\d+:\S+$/;

/**
 * Turns an identifier object or a raw id string into an {@link Identifier} with `kind` and `rawId`.
 * The one conversion every part of acs-session uses wherever a person is named.
 * @example
 * ```ts
 * toIdentifier('4:+15551234567'); // { kind: 'phoneNumber', phoneNumber: '+15551234567', rawId: '4:+15551234567' }
 * ```
 * @throws SessionError `INVALID_ARGUMENT` when `input` is neither a raw id nor an ACS identifier.
 */
export function toIdentifier(input: unknown, what = 'person'): Identifier {
  if (typeof input === 'string') {
    const raw = input.trim();
    if (!RAW_ID.test(raw)) {
      throw new SessionError('INVALID_ARGUMENT', `${what} must be an ACS identifier or a raw id such as '8:acs:…' or '4:+1555…', got ${show(input)}`);
    }
    return withRawId(createIdentifierFromRawId(raw));
  }
  if (!isPlainObject(input) || !hasIdentifierKey(input)) {
    throw new SessionError('INVALID_ARGUMENT', `${what} must be an ACS identifier or a raw id string, got ${show(input)}`);
  }
  let kind: CommunicationIdentifierKind;
  try {
    kind = getIdentifierKind(input);
    const rawId = typeof input['rawId'] === 'string' && input['rawId'] !== '' ? input['rawId'] : getIdentifierRawId(kind);
    return { ...kind, rawId };
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', `${what} is not a usable ACS identifier`, { cause: error });
  }
}

/**
 * Turns any {@link PersonInput} into a {@link Person}.
 * @example
 * ```ts
 * toPerson({ id: '8:acs:…_ada', displayName: 'Ada' }).id.rawId; // '8:acs:…_ada'
 * ```
 * @throws SessionError `INVALID_ARGUMENT` for anything else, or a display name that is not a string.
 */
export function toPerson(input: unknown, what = 'person'): Person {
  if (isPlainObject(input) && isPersonWrapper(input)) {
    const { displayName } = input;
    if (displayName !== undefined && typeof displayName !== 'string') {
      throw new SessionError('INVALID_ARGUMENT', `${what}.displayName must be a string, got ${show(displayName)}`);
    }
    const id = toIdentifier(input['id'], `${what}.id`);
    return displayName === undefined ? { id } : { id, displayName };
  }
  return { id: toIdentifier(input, what) };
}

/**
 * The raw id of an identifier returned by the ACS SDK (which may leave `rawId` out), for map keys.
 * @internal
 */
export function fromAcsIdentifier(identifier: CommunicationIdentifier | CommunicationIdentifierKind): Identifier {
  return withRawId(getIdentifierKind(identifier));
}

function withRawId(kind: CommunicationIdentifierKind): Identifier {
  const given = (kind as { rawId?: unknown }).rawId;
  return { ...kind, rawId: typeof given === 'string' && given !== '' ? given : getIdentifierRawId(kind) };
}

const IDENTIFIER_KEYS = ['communicationUserId', 'phoneNumber', 'microsoftTeamsUserId', 'teamsAppId', 'userId', 'id'];

function hasIdentifierKey(value: Record<string, unknown>): value is Record<string, unknown> & CommunicationIdentifier {
  return IDENTIFIER_KEYS.some((key) => typeof value[key] === 'string' && value[key] !== '');
}

/**
 * `{ id, displayName }` rather than an identifier. `{ id: string }` alone is also ACS's
 * UnknownIdentifier; reading it as a wrapper around a raw id gives the same identifier for known raw
 * formats and a clear error for typos.
 */
function isPersonWrapper(value: Record<string, unknown>): value is { id: unknown; displayName?: unknown } {
  if (!('id' in value)) return false;
  return 'displayName' in value || isPlainObject(value['id']) || (typeof value['id'] === 'string' && RAW_ID.test(value['id'].trim()));
}
