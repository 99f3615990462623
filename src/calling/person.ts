import { type Identifier, toIdentifier, toPerson } from '../identifiers/identifier.js';

/** A call target or participant, resolved: identifier with `kind` and `rawId`, and a name if given. @internal */
export interface ResolvedPerson {
  identifier: Identifier;
  rawId: string;
  displayName: string | undefined;
}

/**
 * Reads what the app named (identifier, raw id, or either as `{ id, displayName }`) through the
 * one identifiers helper.
 * @internal
 * @throws SessionError `INVALID_ARGUMENT`.
 */
export function resolvePerson(input: unknown, what = 'person'): ResolvedPerson {
  const person = toPerson(input, what);
  return { identifier: person.id, rawId: person.id.rawId, displayName: person.displayName };
}

/** The identifier for a raw id the service reported. @internal */
export function identifierFromRawId(rawId: string): Identifier {
  return toIdentifier(rawId);
}
