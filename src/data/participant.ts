import { createIdentifierFromRawId, getIdentifierRawId, type CommunicationIdentifier, type CommunicationIdentifierKind } from '@azure/communication-common';
import { SessionError } from '../errors.js';

/**
 * Who sent a data message: the ACS identifier with `kind` and its `rawId` (use `rawId` as a map key).
 * @example
 * ```ts
 * channel.on('message', ({ from }) => cursors.set(from.rawId, from));
 * ```
 */
export type DataParticipant = CommunicationIdentifierKind & {
  /** The raw id, e.g. `8:acs:<resourceId>_<userId>`. */
  readonly rawId: string;
};

/**
 * Whom to send to: an ACS identifier, its raw id string, or an object with either as `id`
 * (a call participant, for example).
 * @example
 * ```ts
 * await channel.send(value, { to: ['8:acs:…', { communicationUserId: '8:acs:…' }, participant] });
 * ```
 */
export type DataRecipient =
  | string
  | CommunicationIdentifier
  | {
      /** The participant's identifier or raw id. */
      readonly id: string | CommunicationIdentifier;
    };

/**
 * The raw id of a recipient.
 * @throws SessionError `INVALID_ARGUMENT` when it is not an identifier.
 * @internal
 */
export function recipientRawId(recipient: DataRecipient): string {
  try {
    if (typeof recipient === 'string' && recipient !== '') return recipient;
    if (typeof recipient === 'object' && recipient !== null) {
      if ('id' in recipient) return recipientRawId(recipient.id);
      if ('rawId' in recipient && typeof recipient.rawId === 'string' && recipient.rawId !== '') return recipient.rawId;
      return getIdentifierRawId(recipient);
    }
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', 'A recipient is not an ACS identifier or raw id', { cause: error });
  }
  throw new SessionError('INVALID_ARGUMENT', 'A recipient is not an ACS identifier or raw id');
}

/** @internal Raw ids of `to`, or `undefined` for everyone. */
export function recipientRawIds(to: DataRecipient | readonly DataRecipient[] | undefined): readonly string[] | undefined {
  if (to === undefined) return undefined;
  const list = Array.isArray(to) ? (to as readonly DataRecipient[]) : [to as DataRecipient];
  if (list.length === 0) return undefined;
  return [...new Set(list.map(recipientRawId))];
}

const known = new Map<string, DataParticipant>();

/** @internal The participant behind a raw id; cached, since every frame names its sender. */
export function participantFromRawId(rawId: string): DataParticipant {
  let participant = known.get(rawId);
  if (!participant) {
    // A remote can name arbitrary senders through a hostile relay; keep the cache bounded.
    if (known.size >= 1024) known.clear();
    participant = Object.freeze({ ...createIdentifierFromRawId(rawId), rawId });
    known.set(rawId, participant);
  }
  return participant;
}
