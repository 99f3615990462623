import { httpErrors } from '../errors.js';
import { isPlainObject } from '../../internal/options.js';
import type { MessageRecord, ParticipantRecord, ReceiptRecord, ThreadRecord } from '../store/model.js';
import { asObject } from '../validate.js';

/**
 * The identifier wire model (`CommunicationIdentifierModel`). The chat service sends no `kind`
 * (the clients infer it from which nested model is present), so neither does the emulator.
 */
export interface IdentifierModel {
  rawId: string;
  communicationUser?: { id: string };
  phoneNumber?: { value: string };
  microsoftTeamsUser?: { userId: string; isAnonymous?: boolean; cloud?: string };
}

/**
 * The wire identifier for a raw id, as the service returns it.
 *
 * @example
 * ```ts
 * identifierModel('8:acs:r_u'); // { rawId: '8:acs:r_u', communicationUser: { id: '8:acs:r_u' } }
 * ```
 */
export function identifierModel(rawId: string): IdentifierModel {
  if (rawId.startsWith('4:')) return { rawId, phoneNumber: { value: rawId.slice(2) } };
  if (rawId.startsWith('8:orgid:')) return { rawId, microsoftTeamsUser: { userId: rawId.slice(8), isAnonymous: false, cloud: 'public' } };
  if (rawId.startsWith('8:')) return { rawId, communicationUser: { id: rawId } };
  return { rawId };
}

/**
 * The raw id named by a wire identifier; 400 when there is none.
 *
 * @example
 * ```ts
 * parseIdentifierModel({ communicationUser: { id: '8:acs:r_u' } }); // '8:acs:r_u'
 * ```
 */
export function parseIdentifierModel(value: unknown, target: string): string {
  const model = asObject(value, target);
  const user = model['communicationUser'];
  if (isPlainObject(user) && typeof user['id'] === 'string' && user['id']) return user['id'];
  const phone = model['phoneNumber'];
  if (isPlainObject(phone) && typeof phone['value'] === 'string' && phone['value']) {
    return `4:${phone['value']}`;
  }
  const teams = model['microsoftTeamsUser'];
  if (isPlainObject(teams) && typeof teams['userId'] === 'string' && teams['userId']) {
    return `8:orgid:${teams['userId']}`;
  }
  const rawId = model['rawId'];
  if (typeof rawId === 'string' && rawId) return rawId;
  throw httpErrors.badRequest(`${target} must name an identifier.`, target);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Wire `ChatParticipant`.
 */
export function participantWire(p: ParticipantRecord): Record<string, unknown> {
  return {
    communicationIdentifier: identifierModel(p.rawId),
    ...(p.displayName !== undefined && { displayName: p.displayName }),
    shareHistoryTime: iso(p.shareHistoryTime ?? 0),
    ...(p.metadata !== undefined && { metadata: p.metadata }),
  };
}

/**
 * Wire `ChatMessage`; system message content carries identifiers as the 2021+ API versions do.
 * User messages (text, html) always carry `content.attachments` (`[]`), and a deleted one keeps
 * `content: { message: "", attachments: [] }`, as the service's recordings show; `senderDisplayName`
 * is left out when the sender gave none (api-version 2025-03-15 does). `createdOn` keeps its
 * milliseconds (the service rounds to seconds): `startTime` compares against it, and per-thread
 * strictly increasing values are what keep that comparison exact.
 */
export function messageWire(m: MessageRecord): Record<string, unknown> {
  const userMessage = m.type === 'text' || m.type === 'html';
  let content: Record<string, unknown> | undefined;
  if (m.deletedOn !== undefined) {
    if (userMessage) content = { message: '', attachments: [] };
  } else if (m.content) {
    content = {};
    if (m.content.message !== undefined) content['message'] = m.content.message;
    if (userMessage) content['attachments'] = [];
    if (m.content.topic !== undefined) content['topic'] = m.content.topic;
    if (m.content.participants) content['participants'] = m.content.participants.map(participantWire);
    if (m.content.initiator !== undefined) content['initiatorCommunicationIdentifier'] = identifierModel(m.content.initiator);
  }
  return {
    id: m.id,
    type: m.type,
    sequenceId: String(m.sequenceId),
    version: m.version,
    ...(content !== undefined && { content }),
    ...(m.senderDisplayName !== undefined && { senderDisplayName: m.senderDisplayName }),
    createdOn: iso(m.createdOn),
    ...(m.sender !== undefined && { senderCommunicationIdentifier: identifierModel(m.sender) }),
    ...(m.deletedOn !== undefined && { deletedOn: iso(m.deletedOn) }),
    ...(m.editedOn !== undefined && { editedOn: iso(m.editedOn) }),
    ...(m.metadata !== undefined && m.deletedOn === undefined && { metadata: m.metadata }),
  };
}

/**
 * Wire `ChatThreadProperties`.
 */
export function threadWire(t: ThreadRecord): Record<string, unknown> {
  return {
    id: t.id,
    topic: t.topic,
    createdOn: iso(t.createdOn),
    createdByCommunicationIdentifier: identifierModel(t.createdBy),
    ...(t.deletedOn !== undefined && { deletedOn: iso(t.deletedOn) }),
    ...(t.metadata !== undefined && { metadata: t.metadata }),
    ...(t.retentionPolicy !== undefined && { retentionPolicy: t.retentionPolicy }),
  };
}

/**
 * Wire `ChatThreadItem` (list threads).
 */
export function threadItemWire(t: ThreadRecord): Record<string, unknown> {
  return {
    id: t.id,
    topic: t.topic,
    ...(t.deletedOn !== undefined && { deletedOn: iso(t.deletedOn) }),
    lastMessageReceivedOn: iso(t.lastMessageOn),
  };
}

/**
 * Wire `ChatMessageReadReceipt`.
 */
export function receiptWire(r: ReceiptRecord): Record<string, unknown> {
  return { senderCommunicationIdentifier: identifierModel(r.rawId), chatMessageId: r.messageId, readOn: iso(r.readOn) };
}
