import type { EmulatorChange } from '../feed.js';
import type { MessageRecord, ParticipantRecord, ThreadRecord } from '../store/model.js';
import type { EmulatorState } from '../store/state.js';

/** One notification to deliver: its payload (without `recipientMri`) and who gets it. */
export interface Push {
  recipients: readonly string[];
  payload: Record<string, unknown>;
}

/**
 * The signaling client's event ids (`@azure/communication-signaling` 1.0.0-beta.34,
 * `TrouterUtils.ts`): it matches a push to a listener by `eventId` alone.
 */
export const CHAT_EVENT_IDS = {
  messageReceived: 200,
  typing: 245,
  readReceipt: 246,
  messageEdited: 247,
  messageDeleted: 248,
  threadCreated: 257,
  threadPropertiesUpdated: 258,
  threadDeleted: 259,
  participantsAdded: 260,
  participantsRemoved: 261,
} as const;

/**
 * Turns one change of the emulator's feed into the pushes the chat service sends for it, in the
 * payload shapes the signaling client parses: message pushes carry `groupId` = thread id and plain
 * strings; thread and participant pushes carry `threadId` and their participant/property objects as
 * escaped JSON strings (the client runs `JSON.parse(unescape(…))` on them). Recipients are the
 * thread's participants (a removed participant still hears of its own removal); typing is not echoed
 * to the typist.
 */
export function pushesFor(change: EmulatorChange, state: EmulatorState): Push[] {
  if (change.kind === 'typing') {
    const thread = state.threads.get(change.threadId);
    if (!thread) return [];
    return [
      {
        recipients: [...thread.participants.keys()].filter((id) => id !== change.sender),
        payload: {
          eventId: CHAT_EVENT_IDS.typing,
          senderId: change.sender,
          groupId: change.threadId,
          messageType: 'Control/Typing',
          senderDisplayName: change.senderDisplayName ?? '',
          originalArrivalTime: iso(change.at),
          version: String(change.at),
        },
      },
    ];
  }
  const pushes: Push[] = [];
  const removed = new Map<string, string[]>();
  for (const entry of change.entries) {
    if (entry.t === 'participantRemoved') removed.set(entry.threadId, [...(removed.get(entry.threadId) ?? []), entry.rawId]);
  }
  const recipientsOf = (threadId: string): string[] => [...(state.threads.get(threadId)?.participants.keys() ?? []), ...(removed.get(threadId) ?? [])];
  const threadsInChange = new Set(change.entries.flatMap((e) => (e.t === 'thread' ? [e.thread.id] : [])));

  for (const entry of change.entries) {
    if (entry.t === 'thread') {
      // A topic change's push carries its system message's time, as polling sees that message.
      const topicAt = change.entries.find((e) => e.t === 'message' && e.threadId === entry.thread.id && e.message.type === 'topicUpdated');
      const at = topicAt?.t === 'message' ? topicAt.message.createdOn : undefined;
      const payload = threadPayload(entry.thread, change.createdThreads.has(entry.thread.id), change, state, at);
      if (payload) pushes.push({ recipients: recipientsOf(entry.thread.id), payload });
    } else if (entry.t === 'message') {
      // A thread's creation and its property updates are told by the thread push; their system
      // messages would only repeat them.
      if (threadsInChange.has(entry.threadId) && entry.message.type !== 'participantRemoved') continue;
      const payload = messagePayload(entry.threadId, entry.message);
      if (payload) pushes.push({ recipients: recipientsOf(entry.threadId), payload });
    } else if (entry.t === 'receipt') {
      const message = state.threads.get(entry.threadId)?.messagesById.get(entry.receipt.messageId);
      pushes.push({
        recipients: recipientsOf(entry.threadId),
        payload: {
          eventId: CHAT_EVENT_IDS.readReceipt,
          senderId: entry.receipt.rawId,
          groupId: entry.threadId,
          messageId: entry.receipt.messageId,
          clientMessageId: '',
          messageBody: JSON.stringify({
            user: entry.receipt.rawId,
            consumptionhorizon: `${message?.createdOn ?? entry.receipt.readOn};${entry.receipt.readOn};${entry.receipt.messageId}`,
            messageVisibilityTime: 0,
            version: String(entry.receipt.readOn),
          }),
        },
      });
    }
  }
  return pushes;
}

function messagePayload(threadId: string, message: MessageRecord): Record<string, unknown> | undefined {
  const at = message.editedOn ?? message.deletedOn ?? message.createdOn;
  if (message.type === 'participantAdded' || message.type === 'participantRemoved') {
    const added = message.type === 'participantAdded';
    return {
      eventId: added ? CHAT_EVENT_IDS.participantsAdded : CHAT_EVENT_IDS.participantsRemoved,
      threadId,
      version: message.version,
      time: iso(message.createdOn),
      [added ? 'addedBy' : 'removedBy']: escapedJson(participantPayload({ rawId: message.content?.initiator ?? '' })),
      [added ? 'participantsAdded' : 'participantsRemoved']: escapedJson((message.content?.participants ?? []).map(participantPayload)),
    };
  }
  if (message.type === 'topicUpdated') return undefined;
  const base = {
    senderId: message.sender ?? '',
    groupId: threadId,
    messageId: message.id,
    clientMessageId: '',
    senderDisplayName: message.senderDisplayName ?? '',
    messageType: message.type === 'html' ? 'Html' : 'Text',
    originalArrivalTime: iso(message.createdOn),
    version: message.version,
  };
  if (message.deletedOn !== undefined) return { ...base, eventId: CHAT_EVENT_IDS.messageDeleted, deletetime: iso(message.deletedOn) };
  const content = {
    messageBody: message.content?.message ?? '',
    acsChatMessageMetadata: message.metadata && Object.keys(message.metadata).length > 0 ? JSON.stringify(message.metadata) : '',
  };
  if (message.editedOn !== undefined) return { ...base, ...content, eventId: CHAT_EVENT_IDS.messageEdited, edittime: iso(at) };
  return { ...base, ...content, eventId: CHAT_EVENT_IDS.messageReceived };
}

function threadPayload(
  record: ThreadRecord,
  created: boolean,
  change: { origin?: { actor: string; at: number } },
  state: EmulatorState,
  topicAt: number | undefined,
): Record<string, unknown> | undefined {
  const thread = state.threads.get(record.id);
  if (created) {
    return {
      eventId: CHAT_EVENT_IDS.threadCreated,
      threadId: record.id,
      version: String(record.createdOn),
      createTime: iso(record.createdOn),
      createdBy: escapedJson(participantPayload(thread?.participants.get(record.createdBy) ?? { rawId: record.createdBy })),
      members: escapedJson([...(thread?.participants.values() ?? [])].map(participantPayload)),
      properties: escapedJson(propertiesPayload(record)),
    };
  }
  const actorId = change.origin?.actor ?? '';
  const actor = escapedJson(participantPayload(thread?.participants.get(actorId) ?? { rawId: actorId }));
  const at = record.deletedOn ?? topicAt ?? change.origin?.at ?? record.lastMessageOn;
  if (record.deletedOn !== undefined) {
    return { eventId: CHAT_EVENT_IDS.threadDeleted, threadId: record.id, version: String(at), deleteTime: iso(at), deletedBy: actor };
  }
  return {
    eventId: CHAT_EVENT_IDS.threadPropertiesUpdated,
    threadId: record.id,
    version: String(at),
    editTime: iso(at),
    editedBy: actor,
    properties: escapedJson(propertiesPayload(record)),
  };
}

function participantPayload(participant: ParticipantRecord): Record<string, string> {
  return {
    participantId: participant.rawId,
    displayName: participant.displayName ?? '',
    ...(participant.shareHistoryTime !== undefined && { shareHistoryTime: iso(participant.shareHistoryTime) }),
    ...(participant.metadata && Object.keys(participant.metadata).length > 0 && { memberMetaData: JSON.stringify(participant.metadata) }),
  };
}

function propertiesPayload(record: ThreadRecord): Record<string, string> {
  return {
    topic: record.topic,
    ...(record.metadata && Object.keys(record.metadata).length > 0 && { acsChatThreadMetadata: JSON.stringify(record.metadata) }),
    ...(record.retentionPolicy?.kind === 'threadCreationDate' && {
      retentionPolicy: JSON.stringify({
        retentionPolicyType: 'DeleteAfterCreationTime',
        executeAfter: `${record.retentionPolicy.deleteThreadAfterDays}.00:00:00`,
      }),
    }),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * JSON in the legacy `escape()` encoding the client undoes with `unescape()`: unlike percent-encoding
 * of UTF-8, `%uXXXX` keeps every non-Latin-1 character intact through `unescape`.
 */
export function escapedJson(value: unknown): string {
  let out = '';
  for (const char of JSON.stringify(value)) {
    if (/^[A-Za-z0-9@*_+\-./]$/.test(char)) out += char;
    else {
      for (let i = 0; i < char.length; i++) {
        const code = char.charCodeAt(i);
        out += code < 256 ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
      }
    }
  }
  return out;
}
