import type {
  ChatMessage as AcsChatMessage,
  ChatMessageReadReceipt as AcsReadReceipt,
  ChatParticipant as AcsParticipant,
  ChatThreadItem as AcsThreadItem,
  ChatThreadProperties as AcsThreadProperties,
} from '@azure/communication-chat';
import { fromAcsIdentifier } from '../identifiers/identifier.js';
import type { ChatMessage, ChatMessageType, ChatParticipant, ChatReadReceipt, ChatThreadProperties, ChatThreadSummary } from './types.js';

/**
 * The metadata key under which `send` stores its idempotency key (see send.ts). It is hidden from
 * the messages the API hands out.
 * @internal
 */
export const SEND_ID_KEY = 'acsSessionSendId';

const MESSAGE_TYPES: readonly ChatMessageType[] = ['text', 'html', 'topicUpdated', 'participantAdded', 'participantRemoved'];

/** @internal */
export function toChatMessage(message: AcsChatMessage, threadId: string, selfRawId: string): ChatMessage {
  const sender = message.sender ? fromAcsIdentifier(message.sender) : undefined;
  const content = message.content;
  const type = MESSAGE_TYPES.includes(message.type) ? message.type : 'text';
  const normalized: ChatMessage = {
    id: message.id,
    threadId,
    type,
    content: message.deletedOn ? '' : (content?.message ?? ''),
    sender,
    senderDisplayName: message.senderDisplayName || undefined,
    createdOn: message.createdOn,
    editedOn: message.editedOn,
    deletedOn: message.deletedOn,
    sequenceId: Number(message.sequenceId),
    version: message.version,
    metadata: publicMetadata(message.metadata),
    isOwn: sender?.rawId === selfRawId,
    attachments: (content?.attachments ?? []).map((a) => ({ id: a.id, type: a.attachmentType, name: a.name, url: a.url })),
    ...(content?.topic !== undefined && { topic: content.topic }),
    ...(content?.participants !== undefined && { participants: content.participants.map(toParticipant) }),
    ...(content?.initiator !== undefined && { initiator: fromAcsIdentifier(content.initiator) }),
  };
  return normalized;
}

/** The idempotency key `send` stored in a message, if any. @internal */
export function sendIdOf(message: AcsChatMessage): string | undefined {
  return message.metadata?.[SEND_ID_KEY];
}

/** @internal */
export function toParticipant(participant: AcsParticipant): ChatParticipant {
  return {
    id: fromAcsIdentifier(participant.id),
    displayName: participant.displayName || undefined,
    shareHistorySince: participant.shareHistoryTime,
  };
}

/** @internal */
export function toReadReceipt(receipt: AcsReadReceipt): ChatReadReceipt {
  return { sender: fromAcsIdentifier(receipt.sender), messageId: receipt.chatMessageId, readOn: receipt.readOn };
}

/** @internal */
export function toThreadSummary(item: AcsThreadItem): ChatThreadSummary {
  return { id: item.id, topic: item.topic, lastMessageReceivedOn: item.lastMessageReceivedOn, deletedOn: item.deletedOn };
}

/** @internal */
export function toThreadProperties(properties: AcsThreadProperties): ChatThreadProperties {
  return {
    id: properties.id,
    topic: properties.topic,
    createdOn: properties.createdOn,
    createdBy: properties.createdBy ? fromAcsIdentifier(properties.createdBy) : undefined,
    metadata: { ...properties.metadata },
    deletedOn: properties.deletedOn,
  };
}

/** When a message last changed: what `startTime` filters on. @internal */
export function lastChangeOf(message: { createdOn: Date; editedOn?: Date | undefined; deletedOn?: Date | undefined }): number {
  return Math.max(message.createdOn.getTime(), message.editedOn?.getTime() ?? 0, message.deletedOn?.getTime() ?? 0);
}

/** Metadata without the session's own idempotency key. @internal */
export function publicMetadata(metadata: Record<string, string> | undefined): Readonly<Record<string, string>> {
  if (!metadata) return {};
  if (!(SEND_ID_KEY in metadata)) return { ...metadata };
  const { [SEND_ID_KEY]: _hidden, ...rest } = metadata;
  return rest;
}
