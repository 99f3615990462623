import { httpErrors } from '../errors.js';
import type { EmulatorServices } from '../services.js';
import type { ParticipantRecord } from '../store/model.js';
import { asObject, optionalString, optionalStringMap, stringsOnly } from '../validate.js';
import { checkMetadataSize } from './metadataLimit.js';
import { parseIdentifierModel } from './wire.js';

/** Participants per thread, as the real service limits them. */
export const MAX_PARTICIPANTS = 250;

/** One entry of `invalidParticipants`. */
export interface InvalidParticipant {
  code: string;
  message: string;
  target: string;
}

/**
 * Parses a `participants` array: well-formed entries naming existing users of this resource
 * come back in `valid`; others are reported the way the service reports them (`invalid`:
 * `"403"` for another resource's identity, `"404"` for an unknown or deleted one of ours).
 * Malformed input (wrong types) is a 400.
 */
export function parseParticipants(value: unknown, services: EmulatorServices): { valid: ParticipantRecord[]; invalid: InvalidParticipant[] } {
  if (value === undefined || value === null) return { valid: [], invalid: [] };
  if (!Array.isArray(value)) throw httpErrors.badRequest('participants must be an array.', 'participants');
  if (value.length > MAX_PARTICIPANTS) {
    throw httpErrors.badRequest(`A thread can have at most ${MAX_PARTICIPANTS} participants.`, 'participants');
  }
  const valid = new Map<string, ParticipantRecord>();
  const invalid: InvalidParticipant[] = [];
  value.forEach((item, index) => {
    const target = `participants[${index}]`;
    const entry = asObject(item, target);
    const rawId = parseIdentifierModel(entry['communicationIdentifier'], `${target}.communicationIdentifier`);
    const displayName = optionalString(entry['displayName'], `${target}.displayName`, 256);
    const metadata = optionalStringMap(entry['metadata'], `${target}.metadata`);
    if (metadata) checkMetadataSize(stringsOnly(metadata), `${target}.metadata`);
    const shareRaw = entry['shareHistoryTime'];
    let shareHistoryTime: number | undefined;
    if (shareRaw !== undefined && shareRaw !== null) {
      shareHistoryTime = typeof shareRaw === 'string' ? Date.parse(shareRaw) : NaN;
      if (!Number.isFinite(shareHistoryTime)) throw httpErrors.badRequest(`${target}.shareHistoryTime must be a date-time.`, target);
    }
    // The service's split (spec example Threads_CreateChatThreadWithIdempotencyToken): another
    // resource's identity fails the permission check; one of ours that does not exist is not found.
    if (!services.ids.isOwnUser(rawId)) {
      invalid.push({ code: '403', message: 'Permissions check failed', target: rawId });
      return;
    }
    const user = services.state.users.get(rawId);
    if (!user || user.deleted) {
      invalid.push({ code: '404', message: 'Not found', target: rawId });
      return;
    }
    const participant: ParticipantRecord = { rawId };
    if (displayName !== undefined) participant.displayName = displayName;
    if (shareHistoryTime !== undefined) participant.shareHistoryTime = shareHistoryTime;
    if (metadata !== undefined) participant.metadata = stringsOnly(metadata);
    valid.set(rawId, participant);
  });
  return { valid: [...valid.values()], invalid };
}
