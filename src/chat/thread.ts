import type { ChatMessage as AcsChatMessage, ChatParticipant as AcsParticipant } from '@azure/communication-chat';
import { SessionError, disposedError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import { toIdentifier, toPerson, type PersonId, type PersonInput } from '../identifiers/identifier.js';
import type { ChatContext } from './context.js';
import { iteratePaged } from './iterate.js';
import { toChatMessage, toParticipant, toReadReceipt, toThreadProperties } from './normalize.js';
import type { ChatThreadClientPort } from './ports.js';
import { runRequest, whenAborted } from './request.js';
import { sendChatMessage } from './send.js';
import { ThreadStore } from './thread-store.js';
import type {
  AddParticipantsOptions,
  ChatMessage,
  ChatParticipant,
  ChatParticipants,
  ChatReadReceipt,
  ChatRequestOptions,
  ChatThread,
  ChatThreadProperties,
  ChatThreadState,
  EditMessageOptions,
  ListMessagesOptions,
  SendMessageOptions,
  UpdateThreadOptions,
} from './types.js';
import { optionalDate, optionalMetadata, optionsObject, requireId, requireString } from './validate.js';

/** Hooks the thread calls on the chat layer's live source. @internal */
export interface ThreadHooks {
  /** A message this session sent: the poller speeds up and knows it. */
  readonly sent: (threadId: string, message: ChatMessage) => void;
  /** How many messages a thread store holds before `loadOlder()`. */
  readonly windowSize: number;
}

/** A thread handle over the ACS thread client. @internal */
export class ChatThreadImpl implements ChatThread {
  readonly id: string;
  readonly participants: ChatParticipants;
  readonly #context: ChatContext;
  readonly #hooks: ThreadHooks;
  #store: ThreadStore | undefined;

  constructor(id: string, context: ChatContext, hooks: ThreadHooks) {
    this.id = id;
    this.#context = context;
    this.#hooks = hooks;
    this.participants = {
      list: (options) => this.#listParticipants(options),
      add: (people, options) => this.#addParticipants(people, options),
      remove: (person, options) => this.#removeParticipant(person, options),
    };
  }

  /** The live store, created on first use. @internal */
  get store(): ThreadStore | undefined {
    return this.#store;
  }

  subscribe = (onChange: () => void): Unsubscribe => {
    if (this.#context.signal.aborted) throw disposedError('The session');
    return this.#liveStore().subscribe(onChange);
  };

  getSnapshot = (): ChatThreadState => this.#liveStore().getSnapshot();

  loadOlder(count?: number): Promise<boolean> {
    if (this.#context.signal.aborted) return Promise.reject(disposedError('The session'));
    return this.#liveStore().loadOlder(count);
  }

  #liveStore(): ThreadStore {
    if (!this.#store) {
      this.#store = new ThreadStore(this, this.#hooks.windowSize, (error) => this.#context.reportError(error, `chat:thread:${this.id}`));
      whenAborted(this.#context.signal, () => this.#store?.clear());
    }
    return this.#store;
  }

  async send(content: string, options?: SendMessageOptions): Promise<ChatMessage> {
    const message = await sendChatMessage(this.#context, this.id, content, options);
    this.#hooks.sent(this.id, message);
    return message;
  }

  async editMessage(messageId: string, content: string, options?: EditMessageOptions): Promise<void> {
    requireId(messageId, 'messageId');
    requireString(content, 'content', false);
    const { metadata, signal } = optionsObject(options, 'edit options');
    const patch = optionalMetadata(metadata);
    await this.#run(
      'Editing a chat message',
      signal,
      (client, abortSignal) => client.updateMessage(messageId, { content, ...(patch && { metadata: patch }), abortSignal }),
      'message',
    );
  }

  async deleteMessage(messageId: string, options?: ChatRequestOptions): Promise<void> {
    requireId(messageId, 'messageId');
    const { signal } = optionsObject(options, 'options');
    await this.#run('Deleting a chat message', signal, (client, abortSignal) => client.deleteMessage(messageId, { abortSignal }), 'message');
  }

  async getMessage(messageId: string, options?: ChatRequestOptions): Promise<ChatMessage> {
    requireId(messageId, 'messageId');
    const { signal } = optionsObject(options, 'options');
    const raw = await this.#run('Getting a chat message', signal, (client, abortSignal) => client.getMessage(messageId, { abortSignal }), 'message');
    return toChatMessage(raw, this.id, this.#context.self.rawId);
  }

  messages(options?: ListMessagesOptions): AsyncIterable<ChatMessage> {
    const { since, signal } = optionsObject(options, 'messages options');
    const startTime = optionalDate(since, 'since');
    return this.#iterate<AcsChatMessage, ChatMessage>(
      'Listing chat messages',
      signal,
      (client, abortSignal) => client.listMessages({ ...(startTime && { startTime }), abortSignal }),
      (raw) => toChatMessage(raw, this.id, this.#context.self.rawId),
      (raw) => raw.id,
    );
  }

  async sendTyping(options?: ChatRequestOptions): Promise<boolean> {
    const { signal } = optionsObject(options, 'options');
    const senderDisplayName = this.#context.displayName;
    return this.#run('Sending a typing notification', signal, (client, abortSignal) =>
      client.sendTypingNotification({ ...(senderDisplayName !== undefined && { senderDisplayName }), abortSignal }),
    );
  }

  async markRead(messageId: string, options?: ChatRequestOptions): Promise<void> {
    requireId(messageId, 'messageId');
    const { signal } = optionsObject(options, 'options');
    await this.#run('Sending a read receipt', signal, (client, abortSignal) => client.sendReadReceipt({ chatMessageId: messageId }, { abortSignal }));
  }

  async readReceipts(options?: ChatRequestOptions): Promise<ChatReadReceipt[]> {
    const { signal } = optionsObject(options, 'options');
    const receipts: ChatReadReceipt[] = [];
    for await (const receipt of this.#iterate(
      'Listing read receipts',
      signal,
      (client, abortSignal) => client.listReadReceipts({ abortSignal }),
      toReadReceipt,
    )) {
      receipts.push(receipt);
    }
    return receipts;
  }

  async properties(options?: ChatRequestOptions): Promise<ChatThreadProperties> {
    const { signal } = optionsObject(options, 'options');
    return toThreadProperties(await this.#run('Getting chat thread properties', signal, (client, abortSignal) => client.getProperties({ abortSignal })));
  }

  async update(options: UpdateThreadOptions): Promise<void> {
    const { topic, metadata, signal } = optionsObject(options, 'update options');
    if (topic !== undefined) requireString(topic, 'topic', false);
    const patch = optionalMetadata(metadata);
    if (topic === undefined && patch === undefined) throw new SessionError('INVALID_ARGUMENT', 'update() needs a topic or metadata');
    await this.#run('Updating chat thread properties', signal, (client, abortSignal) =>
      client.updateProperties({ ...(topic !== undefined && { topic }), ...(patch && { metadata: patch }), abortSignal }),
    );
  }

  #listParticipants(options: ChatRequestOptions | undefined): AsyncIterable<ChatParticipant> {
    const { signal } = optionsObject(options, 'options');
    return this.#iterate<AcsParticipant, ChatParticipant>(
      'Listing chat participants',
      signal,
      (client, abortSignal) => client.listParticipants({ abortSignal }),
      toParticipant,
      (raw) => toParticipant(raw).id.rawId,
    );
  }

  async #addParticipants(people: readonly PersonInput[], options: AddParticipantsOptions | undefined): Promise<void> {
    if (!Array.isArray(people) || people.length === 0) throw new SessionError('INVALID_ARGUMENT', 'participants.add() needs a non-empty array of people');
    const { shareHistorySince, signal } = optionsObject(options, 'add options');
    const shareHistoryTime = optionalDate(shareHistorySince, 'shareHistorySince');
    const participants = people.map((person, index) => {
      const { id, displayName } = toPerson(person, `people[${index}]`);
      return { id, ...(displayName !== undefined && { displayName }), ...(shareHistoryTime && { shareHistoryTime }) };
    });
    const result = await this.#run('Adding chat participants', signal, (client, abortSignal) => client.addParticipants({ participants }, { abortSignal }));
    const refused = result.invalidParticipants ?? [];
    if (refused.length > 0) {
      const list = refused.map((e) => `${e.target ?? '?'}: ${e.code} ${e.message}`).join('; ');
      throw new SessionError('INVALID_ARGUMENT', `ACS refused ${refused.length} of the participants: ${list}`, { acsCode: refused[0]?.code });
    }
  }

  async #removeParticipant(person: PersonId, options: ChatRequestOptions | undefined): Promise<void> {
    const id = toIdentifier(person, 'person');
    const { signal } = optionsObject(options, 'options');
    await this.#run('Removing a chat participant', signal, (client, abortSignal) => client.removeParticipant(id, { abortSignal }));
  }

  async #run<T>(
    operation: string,
    signal: AbortSignal | undefined,
    call: (client: ChatThreadClientPort, abortSignal: AbortSignal) => Promise<T>,
    notFound: 'thread' | 'message' = 'thread',
  ): Promise<T> {
    const { client } = await this.#context.clients();
    const thread = client.getChatThreadClient(this.id);
    return runRequest(this.#context, { operation, signal, notFound }, (abortSignal) => call(thread, abortSignal));
  }

  #iterate<Raw, Out>(
    operation: string,
    signal: AbortSignal | undefined,
    open: (client: ChatThreadClientPort, abortSignal: AbortSignal) => AsyncIterable<Raw>,
    map: (raw: Raw) => Out,
    keyOf?: (raw: Raw) => string,
  ): AsyncIterable<Out> {
    const context = this.#context;
    const id = this.id;
    return {
      async *[Symbol.asyncIterator]() {
        const { client } = await context.clients();
        const thread = client.getChatThreadClient(id);
        yield* iteratePaged(context, { operation, signal }, (abortSignal) => open(thread, abortSignal), map, keyOf);
      },
    };
  }
}
