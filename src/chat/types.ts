import type { SessionError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import type { Identifier, PersonId, PersonInput } from '../identifiers/identifier.js';

/**
 * What a chat message is: `text` or `html` from people, or one of the system kinds ACS writes into
 * the thread when its topic or membership changes.
 * @example
 * ```ts
 * const fromPeople = (m: ChatMessage) => m.type === 'text' || m.type === 'html';
 * ```
 */
export type ChatMessageType = 'text' | 'html' | 'topicUpdated' | 'participantAdded' | 'participantRemoved';

/**
 * A participant of a chat thread.
 * @example
 * ```ts
 * for await (const p of thread.participants.list()) console.log(p.displayName ?? p.id.rawId);
 * ```
 */
export interface ChatParticipant {
  /** Who it is (`kind` and `rawId` filled in). */
  readonly id: Identifier;
  /** The display name given when the participant was added. */
  readonly displayName: string | undefined;
  /** Messages from this time on are visible to the participant; `undefined` = the whole history. */
  readonly shareHistorySince: Date | undefined;
}

/**
 * An attachment of a message (Teams interop); ACS chat users cannot send attachments.
 * @example
 * ```ts
 * const images = message.attachments.filter((a: ChatAttachment) => a.type === 'image');
 * ```
 */
export interface ChatAttachment {
  /** The attachment id. */
  readonly id: string;
  /** `image`, `file` or `unknown`. */
  readonly type: string;
  /** The file name, when given. */
  readonly name: string | undefined;
  /** Where to download it, when given. */
  readonly url: string | undefined;
}

/**
 * A chat message, normalized: dates are `Date`s, the sender an {@link Identifier}, and `isOwn` says
 * whether this session's user sent it.
 * @example
 * ```ts
 * session.on('messageReceived', ({ message }) => {
 *   if (!message.isOwn) console.log(`${message.senderDisplayName ?? message.sender?.rawId}: ${message.content}`);
 * });
 * ```
 */
export interface ChatMessage {
  /** The message id (server generated). */
  readonly id: string;
  /** The thread it belongs to. */
  readonly threadId: string;
  /** Its kind; see {@link ChatMessageType}. */
  readonly type: ChatMessageType;
  /** The text or HTML; `''` for system messages and deleted messages. */
  readonly content: string;
  /** Who sent it; `undefined` for system messages. */
  readonly sender: Identifier | undefined;
  /** The name the sender gave when sending, if any. */
  readonly senderDisplayName: string | undefined;
  /** When the service received it. */
  readonly createdOn: Date;
  /** When it was last edited, if it was. */
  readonly editedOn: Date | undefined;
  /** When it was deleted, if it was. */
  readonly deletedOn: Date | undefined;
  /** Its position in the thread (increasing). */
  readonly sequenceId: number;
  /** Changes on every edit or delete; two copies with the same `id` and `version` are the same. */
  readonly version: string;
  /** The app's key/value metadata. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether this session's user sent it. */
  readonly isOwn: boolean;
  /** `topicUpdated`: the new topic. */
  readonly topic?: string | undefined;
  /** `participantAdded` / `participantRemoved`: who was added or removed. */
  readonly participants?: readonly ChatParticipant[] | undefined;
  /** System messages: who made the change, when ACS says. */
  readonly initiator?: Identifier | undefined;
  /** Attachments (Teams interop only). */
  readonly attachments: readonly ChatAttachment[];
}

/**
 * A read receipt: `sender` has read the thread up to `messageId`.
 * @example
 * ```ts
 * const receipts: ChatReadReceipt[] = await thread.readReceipts();
 * ```
 */
export interface ChatReadReceipt {
  /** Who read. */
  readonly sender: Identifier;
  /** The latest message they read. */
  readonly messageId: string;
  /** When. */
  readonly readOn: Date;
}

/**
 * One thread in `session.chat.threads()`.
 * @example
 * ```ts
 * for await (const t of session.chat.threads()) console.log(t.topic, t.lastMessageReceivedOn);
 * ```
 */
export interface ChatThreadSummary {
  /** The thread id (`19:…@thread.v2`). */
  readonly id: string;
  /** The topic. */
  readonly topic: string;
  /** When the last message arrived, as the service reports it. */
  readonly lastMessageReceivedOn: Date | undefined;
  /** Set when the thread was deleted. */
  readonly deletedOn: Date | undefined;
}

/**
 * A thread's properties.
 * @example
 * ```ts
 * const { topic, metadata } = await thread.properties();
 * ```
 */
export interface ChatThreadProperties {
  /** The thread id. */
  readonly id: string;
  /** The topic. */
  readonly topic: string;
  /** When it was created. */
  readonly createdOn: Date;
  /** Who created it. */
  readonly createdBy: Identifier | undefined;
  /** The app's key/value metadata. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Set when the thread was deleted. */
  readonly deletedOn: Date | undefined;
}

/** Options every chat request takes. */
export interface ChatRequestOptions {
  /** Aborting rejects the call with `ABORTED` and cancels its request. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of {@link Chat.createThread}.
 * @example
 * ```ts
 * const options: CreateThreadOptions = { topic: 'Launch', participants: [{ id: graceId, displayName: 'Grace' }] };
 * ```
 */
export interface CreateThreadOptions extends ChatRequestOptions {
  /** The topic (required by ACS). */
  topic: string;
  /** Who is in it besides you (you are always added). */
  participants?: readonly PersonInput[] | undefined;
  /** The app's key/value metadata (string values; ACS allows about 1 KB). */
  metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * Options of {@link ChatThread.send}.
 * @example
 * ```ts
 * await thread.send('<b>hi</b>', { type: 'html', metadata: { replyTo: parentId } });
 * ```
 */
export interface SendMessageOptions extends ChatRequestOptions {
  /** `text` (default) or `html`. */
  type?: 'text' | 'html' | undefined;
  /** The app's key/value metadata (string values). */
  metadata?: Readonly<Record<string, string>> | undefined;
  /** The name to show; default: the session's `displayName`. */
  senderDisplayName?: string | undefined;
  /**
   * A key unique to this message, for apps that retry `send()` themselves (after a reload, say):
   * before posting, the thread's last few minutes are searched for a message you sent with the same
   * key, and that message is returned instead of posting again (one extra request per send).
   * Without it, `send()`'s own retries are still safe.
   */
  idempotencyKey?: string | undefined;
}

/**
 * Options of {@link ChatThread.editMessage}.
 * @example
 * ```ts
 * await thread.editMessage(id, 'fixed typo', { metadata: { edited: 'yes' } });
 * ```
 */
export interface EditMessageOptions extends ChatRequestOptions {
  /** Metadata keys to set (merged into the existing metadata). */
  metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * Options of {@link ChatThread.messages}.
 * @example
 * ```ts
 * for await (const m of thread.messages({ since: new Date(Date.now() - 3_600_000) })) console.log(m.content);
 * ```
 */
export interface ListMessagesOptions extends ChatRequestOptions {
  /** Only messages created or changed at or after this time. */
  since?: Date | undefined;
}

/**
 * Options of {@link ChatParticipants.add}.
 * @example
 * ```ts
 * await thread.participants.add([graceId], { shareHistorySince: new Date(0) });
 * ```
 */
export interface AddParticipantsOptions extends ChatRequestOptions {
  /** The new participants see messages from this time on; default: the whole history. */
  shareHistorySince?: Date | undefined;
}

/**
 * Options of {@link ChatThread.update}.
 * @example
 * ```ts
 * await thread.update({ topic: 'Launch (moved to Friday)' });
 * ```
 */
export interface UpdateThreadOptions extends ChatRequestOptions {
  /** The new topic. */
  topic?: string | undefined;
  /** Metadata keys to set (merged into the existing metadata). */
  metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * The members of a thread.
 * @example
 * ```ts
 * await thread.participants.add([{ id: graceId, displayName: 'Grace' }]);
 * for await (const p of thread.participants.list()) console.log(p.displayName);
 * await thread.participants.remove(graceId);
 * ```
 */
export interface ChatParticipants {
  /**
   * Every participant, paging hidden.
   * @throws SessionError (from the iteration) `NOT_A_PARTICIPANT`, `THREAD_NOT_FOUND`, `DISPOSED`, and the network codes.
   */
  list(options?: ChatRequestOptions): AsyncIterable<ChatParticipant>;
  /**
   * Adds people (a {@link PersonInput} each).
   * @throws SessionError `INVALID_ARGUMENT` for a bad person or an ACS refusal of one of them,
   * `NOT_A_PARTICIPANT`, `THREAD_NOT_FOUND`, `DISPOSED`, and the network codes.
   */
  add(people: readonly PersonInput[], options?: AddParticipantsOptions): Promise<void>;
  /**
   * Removes one person (removing yourself leaves the thread).
   * @throws SessionError `INVALID_ARGUMENT`, `NOT_A_PARTICIPANT`, `THREAD_NOT_FOUND`, `DISPOSED`, and the network codes.
   */
  remove(person: PersonId, options?: ChatRequestOptions): Promise<void>;
}

/**
 * What a chat pane renders: the live state of one thread, from `thread.getSnapshot()`.
 *
 * Immutable and structurally shared: a change replaces only what changed, so an unchanged message,
 * participant list or receipt list keeps its identity (memoized rows do not re-render), and the
 * snapshot itself keeps its identity until something changes.
 * @example
 * ```tsx
 * const state = useSyncExternalStore(thread.subscribe, thread.getSnapshot);
 * return state.messages.map((m) => <Row key={m.id} message={m} />);
 * ```
 */
export interface ChatThreadState {
  /** `idle` before the first subscriber, `loading` during the first load, then `ready`; `error` when it failed. */
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  /** The loaded messages, oldest first (by `sequenceId`), system messages included; at most the window plus what `loadOlder()` added. */
  readonly messages: readonly ChatMessage[];
  /** Whether older messages exist beyond the window (`loadOlder()` fetches them). */
  readonly hasOlder: boolean;
  /** The participants. */
  readonly participants: readonly ChatParticipant[];
  /** The latest read receipt of each participant. */
  readonly readReceipts: readonly ChatReadReceipt[];
  /** Who is typing now (push only: empty while the session polls); a typist drops out 8 s after their last notification, or when their message arrives. */
  readonly typing: readonly Identifier[];
  /** Topic and metadata, once loaded. */
  readonly properties: ChatThreadProperties | undefined;
  /** Why the last load failed, when it did. */
  readonly error: SessionError | undefined;
}

/**
 * One chat thread: a cheap handle (`session.chat.thread(id)` makes no request).
 *
 * Every method rejects with a `SessionError`: `NOT_A_PARTICIPANT` (403), `THREAD_NOT_FOUND` /
 * `MESSAGE_NOT_FOUND` (404), `MESSAGE_TOO_LARGE`, `RATE_LIMITED` (with `retryAfterMs`),
 * `SERVICE_UNAVAILABLE`, `NETWORK_ERROR`, `UNAUTHORIZED` (401 after one forced token refresh),
 * `INVALID_ARGUMENT`, `ABORTED`, `DISPOSED`.
 * @example
 * ```ts
 * const thread = session.chat.thread(threadId);
 * const sent = await thread.send('hello');
 * await thread.editMessage(sent.id, 'hello!');
 * for await (const m of thread.messages()) console.log(m.content);
 * ```
 */
export interface ChatThread {
  /** The thread id (`19:…@thread.v2`). */
  readonly id: string;
  /** The thread's members. */
  readonly participants: ChatParticipants;
  /**
   * Sends a message and resolves with it as the service stored it. Safe to call again after a
   * network failure: a send whose response was lost is found and returned rather than posted twice.
   */
  send(content: string, options?: SendMessageOptions): Promise<ChatMessage>;
  /** Replaces the content of one of your messages. */
  editMessage(messageId: string, content: string, options?: EditMessageOptions): Promise<void>;
  /** Deletes one of your messages. */
  deleteMessage(messageId: string, options?: ChatRequestOptions): Promise<void>;
  /** One message. @throws SessionError `MESSAGE_NOT_FOUND` when it does not exist. */
  getMessage(messageId: string, options?: ChatRequestOptions): Promise<ChatMessage>;
  /** Messages newest first (most recently changed first, as the service lists them), paging hidden, each id once. */
  messages(options?: ListMessagesOptions): AsyncIterable<ChatMessage>;
  /**
   * Tells the others you are typing. Resolves `false` when it was not sent because one went out
   * less than 8 s ago (the ACS client's throttle).
   */
  sendTyping(options?: ChatRequestOptions): Promise<boolean>;
  /** Marks the thread read up to `messageId`. */
  markRead(messageId: string, options?: ChatRequestOptions): Promise<void>;
  /** The latest read receipt of each participant. */
  readReceipts(options?: ChatRequestOptions): Promise<ChatReadReceipt[]>;
  /** The thread's topic, metadata and creation details. */
  properties(options?: ChatRequestOptions): Promise<ChatThreadProperties>;
  /** Changes the topic and/or metadata. */
  update(options: UpdateThreadOptions): Promise<void>;
  /**
   * The live thread store, for UI frameworks (React `useSyncExternalStore`, Vue, Svelte): calls
   * `onChange` whenever `getSnapshot()` would return a new object. The first subscription loads the
   * latest messages (the window, default 200), participants, receipts and properties; then the
   * session's chat events keep it current. Works unbound.
   * @throws SessionError `INVALID_ARGUMENT` without a callback, `DISPOSED` after dispose.
   */
  subscribe(onChange: () => void): Unsubscribe;
  /** The current {@link ChatThreadState}; the same object until something changes. */
  getSnapshot(): ChatThreadState;
  /**
   * Loads up to `count` (default 50) older messages into the store's window; resolves whether
   * there may be more.
   */
  loadOlder(count?: number): Promise<boolean>;
}

/**
 * `session.chat`: threads and messages over the session's shared token.
 *
 * Methods reject with the codes listed on {@link ChatThread}.
 * @example
 * ```ts
 * const thread = await session.chat.createThread({ topic: 'Launch', participants: [graceId] });
 * await thread.send('hello');
 * for await (const t of session.chat.threads()) console.log(t.topic);
 * ```
 */
export interface Chat {
  /** Creates a thread with you in it (retried safely: ACS deduplicates on a request id). */
  createThread(options: CreateThreadOptions): Promise<ChatThread>;
  /**
   * A handle to a thread (no request). The same object for the same id. Opening a thread also makes
   * the live source watch it for edits, deletes and read receipts.
   * @throws SessionError `INVALID_ARGUMENT` for an empty id, `DISPOSED` after dispose.
   */
  thread(id: string): ChatThread;
  /** Every thread you are in, most recently active first, paging hidden. */
  threads(options?: ChatRequestOptions): AsyncIterable<ChatThreadSummary>;
  /** Deletes a thread for everyone. */
  deleteThread(id: string, options?: ChatRequestOptions): Promise<void>;
  /**
   * Where chat events come from right now: `'push'` (the browser socket is connected), `'poll'`
   * (polling runs), or `'off'` (nothing started yet: the live source starts with the first chat
   * listener or chat call, or chat is off). With `realtime: 'auto'` it moves between `'push'` and
   * `'poll'` as the socket comes and goes.
   */
  readonly realtime: 'push' | 'poll' | 'off';
}
