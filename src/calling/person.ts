import {
  type CommunicationIdentifier,
  type CommunicationIdentifierKind,
  createIdentifierFromRawId,
  getIdentifierKind,
  getIdentifierRawId,
} from '@azure/communication-common';
import { SessionError } from '../errors.js';

/**
 * Anyone a call can name: an ACS identifier (`{ communicationUserId }`, `{ phoneNumber }`,
 * `{ microsoftTeamsUserId }`, …), its raw id string (`'8:acs:…'`, `'4:+15551234567'`), or either
 * with a display name as `{ id, displayName }`.
 * @example
 * ```ts
 * const people: Person[] = ['8:acs:…', { phoneNumber: '+15551234567' }, { id: '8:acs:…', displayName: 'Grace' }];
 * ```
 */
export type Person =
  | string
  | CommunicationIdentifier
  | {
      /** The raw id or identifier. */
      id: string | CommunicationIdentifier;
      /** A name to show for them. */
      displayName?: string | undefined;
    };

/**
 * An identifier as acs-session hands it back: with `kind` and `rawId` filled in.
 * @example
 * ```ts
 * if (participant.identifier.kind === 'phoneNumber') console.log(participant.identifier.phoneNumber);
 * ```
 */
export type Identifier = CommunicationIdentifierKind & {
  /** The raw id, the key to use in maps. */
  readonly rawId: string;
};

/** A resolved {@link Person}. @internal */
export interface ResolvedPerson {
  identifier: Identifier;
  rawId: string;
  displayName: string | undefined;
}

// c2's identifiers helper (src/identifiers/) replaces this file once it is on main.
/** Turns a {@link Person} into an identifier with `kind` and `rawId`. @internal */
export function resolvePerson(person: Person, what = 'person'): ResolvedPerson {
  try {
    if (typeof person === 'string') return fromRawId(person, undefined);
    if (isNamed(person)) {
      const { id, displayName } = person;
      if (displayName !== undefined && typeof displayName !== 'string') throw new TypeError('displayName must be a string');
      return typeof id === 'string' ? fromRawId(id, displayName) : fromIdentifier(id, displayName);
    }
    return fromIdentifier(person, undefined);
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', `The ${what} is not an ACS identifier or raw id: ${describe(person)}`, { cause: error });
  }
}

/** The identifier for a raw id the service reported. @internal */
export function identifierFromRawId(rawId: string): Identifier {
  const kind = createIdentifierFromRawId(rawId);
  return { ...kind, rawId: getIdentifierRawId(kind) };
}

function fromRawId(rawId: string, displayName: string | undefined): ResolvedPerson {
  if (rawId.trim() === '') throw new TypeError('empty raw id');
  const identifier = identifierFromRawId(rawId.trim());
  return { identifier, rawId: identifier.rawId, displayName };
}

function fromIdentifier(value: CommunicationIdentifier, displayName: string | undefined): ResolvedPerson {
  if (typeof value !== 'object' || value === null) throw new TypeError('not an object');
  const kind = getIdentifierKind(value);
  if (kind.kind === 'unknown' && typeof (value as { id?: unknown }).id !== 'string') throw new TypeError('no identifier field');
  const rawId = getIdentifierRawId(value);
  const identifier = { ...kind, rawId } as Identifier;
  return { identifier, rawId, displayName };
}

function isNamed(person: Person): person is { id: string | CommunicationIdentifier; displayName?: string | undefined } {
  // `{ id }` alone is also the shape of an UnknownIdentifier; reading its id as a raw id gives the
  // same identifier for unknown ids and the right kind for '8:acs:…'-style ones.
  return typeof person === 'object' && person !== null && 'id' in person && Object.keys(person).every((key) => key === 'id' || key === 'displayName');
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return String(value);
  }
}
