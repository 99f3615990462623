import type { EventNames } from '../events/types.js';
import type { Identifier } from '../identifiers/identifier.js';
import type { ChatMessage, ChatParticipant, ChatReadReceipt } from './types.js';

/** A new message in a thread you are in (yours included: check `message.isOwn`). */
export interface MessageReceivedEvent {
  /** Always `'messageReceived'`. */
  readonly type: 'messageReceived';
  /** The thread. */
  readonly threadId: string;
  /** The message. */
  readonly message: ChatMessage;
}

/** A message was edited. */
export interface MessageEditedEvent {
  /** Always `'messageEdited'`. */
  readonly type: 'messageEdited';
  /** The thread. */
  readonly threadId: string;
  /** The message after the edit. */
  readonly message: ChatMessage;
}

/** A message was deleted. */
export interface MessageDeletedEvent {
  /** Always `'messageDeleted'`. */
  readonly type: 'messageDeleted';
  /** The thread. */
  readonly threadId: string;
  /** The deleted message's id. */
  readonly messageId: string;
  /** What remains of it (empty content, `deletedOn` set). */
  readonly message: ChatMessage;
}

/** Someone read the thread up to a message. */
export interface ReadReceiptReceivedEvent {
  /** Always `'readReceiptReceived'`. */
  readonly type: 'readReceiptReceived';
  /** The thread. */
  readonly threadId: string;
  /** Who read what, when. */
  readonly receipt: ChatReadReceipt;
}

/**
 * Someone is typing. Delivered by push only (the realtime issue); polling cannot see typing, so
 * a session that polls never emits it.
 */
export interface TypingReceivedEvent {
  /** Always `'typingReceived'`. */
  readonly type: 'typingReceived';
  /** The thread. */
  readonly threadId: string;
  /** Who is typing. */
  readonly sender: Identifier;
  /** Their display name, when they gave one. */
  readonly senderDisplayName: string | undefined;
  /** When the notification was received. */
  readonly receivedOn: Date;
}

/** People joined a thread (the system message `participantAdded`). */
export interface ParticipantsAddedEvent {
  /** Always `'participantsAdded'`. */
  readonly type: 'participantsAdded';
  /** The thread. */
  readonly threadId: string;
  /** Who joined. */
  readonly participants: readonly ChatParticipant[];
  /** Who added them, when ACS says. */
  readonly addedBy: Identifier | undefined;
  /** When. */
  readonly addedOn: Date;
}

/**
 * People left or were removed from a thread (the system message `participantRemoved`, or, for
 * yourself, the thread refusing you with 403 once you were removed).
 */
export interface ParticipantsRemovedEvent {
  /** Always `'participantsRemoved'`. */
  readonly type: 'participantsRemoved';
  /** The thread. */
  readonly threadId: string;
  /** Who left. */
  readonly participants: readonly ChatParticipant[];
  /** Who removed them, when ACS says. */
  readonly removedBy: Identifier | undefined;
  /** When (the time it was noticed, for a removal learnt from a 403). */
  readonly removedOn: Date;
  /** Whether this session's user is among them: the session stops watching the thread. */
  readonly includesMe: boolean;
}

/** A thread appeared: you created it, or someone added you to it. */
export interface ThreadCreatedEvent {
  /** Always `'threadCreated'`. */
  readonly type: 'threadCreated';
  /** The thread. */
  readonly threadId: string;
  /** `created` when this session created it, `added` when someone added you. */
  readonly reason: 'created' | 'added';
  /** The topic, when known. */
  readonly topic: string | undefined;
  /** Who created it or added you, when known. */
  readonly by: Identifier | undefined;
}

/** A thread's topic changed (the system message `topicUpdated`). */
export interface ThreadUpdatedEvent {
  /** Always `'threadUpdated'`. */
  readonly type: 'threadUpdated';
  /** The thread. */
  readonly threadId: string;
  /** The new topic. */
  readonly topic: string | undefined;
  /** Who changed it, when ACS says. */
  readonly updatedBy: Identifier | undefined;
  /** When. */
  readonly updatedOn: Date;
}

/** A thread was deleted. */
export interface ThreadDeletedEvent {
  /** Always `'threadDeleted'`. */
  readonly type: 'threadDeleted';
  /** The thread. */
  readonly threadId: string;
  /** When, as far as known. */
  readonly deletedOn: Date;
}

/**
 * The chat events on the session's stream, by name. Each payload carries `type` and `threadId`.
 * @example
 * ```ts
 * session.on('messageReceived', (e) => render(e.threadId, e.message));
 * session.on('participantsRemoved', (e) => { if (e.includesMe) closePane(e.threadId); });
 * ```
 */
export interface ChatEvents {
  /** A new message; see {@link MessageReceivedEvent}. */
  messageReceived: MessageReceivedEvent;
  /** A message was edited. */
  messageEdited: MessageEditedEvent;
  /** A message was deleted. */
  messageDeleted: MessageDeletedEvent;
  /** Someone read up to a message. */
  readReceiptReceived: ReadReceiptReceivedEvent;
  /** Someone is typing (push only). */
  typingReceived: TypingReceivedEvent;
  /** People joined a thread. */
  participantsAdded: ParticipantsAddedEvent;
  /** People left a thread. */
  participantsRemoved: ParticipantsRemovedEvent;
  /** You created a thread or were added to one. */
  threadCreated: ThreadCreatedEvent;
  /** A thread's topic changed. */
  threadUpdated: ThreadUpdatedEvent;
  /** A thread was deleted. */
  threadDeleted: ThreadDeletedEvent;
}

/** Any chat event. @internal */
export type ChatEvent = ChatEvents[keyof ChatEvents];

/**
 * Every chat event name, for the session's exhaustive list of event names (a missing or extra name
 * fails to compile). @internal
 */
export const CHAT_EVENT_NAMES = {
  messageReceived: true,
  messageEdited: true,
  messageDeleted: true,
  readReceiptReceived: true,
  typingReceived: true,
  participantsAdded: true,
  participantsRemoved: true,
  threadCreated: true,
  threadUpdated: true,
  threadDeleted: true,
} as const satisfies EventNames<ChatEvents>;
