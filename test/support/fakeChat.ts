// A typed, in-memory fake of the chat ports (ChatClientPort / ChatThreadClientPort): threads,
// messages with versions, read receipts, paging, a request log and scripted failures. It lists as
// the service does: threads by lastMessageReceivedOn, messages by last change, newest first.
import type { ChatMessage, ChatMessageReadReceipt, ChatThreadItem } from '@azure/communication-chat';
import type { PagedAsyncIterableIterator } from '@azure/core-paging';
import type { ChatContext } from '../../src/chat/context.js';
import type { ChatEvent } from '../../src/chat/events.js';
import type { ChatClientPort, ChatClients, ChatThreadClientPort } from '../../src/chat/ports.js';
import { SessionError } from '../../src/errors.js';
import { toIdentifier } from '../../src/identifiers/identifier.js';

/** A paged iterator over pages computed when iteration starts. */
export function paged<T>(pages: () => T[][]): PagedAsyncIterableIterator<T> {
  async function* byPage(): AsyncGenerator<T[]> {
    for (const page of pages()) yield page;
  }
  async function* all(): AsyncGenerator<T> {
    for await (const page of byPage()) yield* page;
  }
  const items = all();
  const iterator: PagedAsyncIterableIterator<T> = {
    next: () => items.next(),
    [Symbol.asyncIterator]: () => iterator,
    byPage: () => byPage(),
  };
  return iterator;
}

/** An error shaped like the Azure pipeline's RestError. */
export function restError(statusCode: number | undefined, code?: string): Error {
  const error = new Error(`fake ${statusCode ?? 'network'} ${code ?? ''}`);
  return Object.assign(error, { name: 'RestError', statusCode, code: code ?? (statusCode === undefined ? 'REQUEST_SEND_ERROR' : undefined) });
}

interface FakeThread {
  item: ChatThreadItem;
  messages: ChatMessage[];
  receipts: ChatMessageReadReceipt[];
  members: Set<string>;
}

const user = (rawId: string) => ({ kind: 'communicationUser' as const, communicationUserId: rawId, rawId });

export class FakeChatService {
  // Real time: send() looks back from the local clock, as it would against the service.
  now = Date.now();
  pageSize = 3;
  readonly threads = new Map<string, FakeThread>();
  readonly requests: string[] = [];
  /** Failures thrown by the next matching requests, in order. */
  readonly failures: { op: string; error: unknown; afterHandling?: boolean }[] = [];
  #nextId = 1;

  tick(ms = 1): number {
    this.now += ms;
    return this.now;
  }

  addThread(id: string, members: string[], topic = id): FakeThread {
    const thread: FakeThread = { item: { id, topic, lastMessageReceivedOn: new Date(this.tick()) }, messages: [], receipts: [], members: new Set(members) };
    this.threads.set(id, thread);
    return thread;
  }

  /** Posts a message; `sender` undefined makes a system message. */
  post(threadId: string, sender: string | undefined, content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
    const thread = this.#thread(threadId);
    const at = new Date(this.tick());
    const id = String(this.#nextId++);
    const message: ChatMessage = {
      id,
      type: 'text',
      sequenceId: id,
      version: String(at.getTime()),
      createdOn: at,
      ...(sender !== undefined && { sender: user(sender) }),
      content: { message: content },
      ...extra,
    };
    thread.messages.push(message);
    thread.item = { ...thread.item, lastMessageReceivedOn: at };
    return message;
  }

  edit(threadId: string, messageId: string, content: string): void {
    const thread = this.#thread(threadId);
    const at = new Date(this.tick());
    thread.messages = thread.messages.map((m) =>
      m.id === messageId ? { ...m, content: { message: content }, editedOn: at, version: String(at.getTime()) } : m,
    );
  }

  remove(threadId: string, messageId: string): void {
    const thread = this.#thread(threadId);
    const at = new Date(this.tick());
    thread.messages = thread.messages.map((m) => (m.id === messageId ? { ...m, content: { message: '' }, deletedOn: at, version: String(at.getTime()) } : m));
  }

  receipt(threadId: string, reader: string, messageId: string): void {
    this.#thread(threadId).receipts.push({ sender: user(reader), chatMessageId: messageId, readOn: new Date(this.tick()) });
  }

  count(op: string): number {
    return this.requests.filter((r) => r === op).length;
  }

  clients(self: string): ChatClients {
    const client = this.#client(self);
    return { client, sendClient: client };
  }

  #thread(id: string): FakeThread {
    const thread = this.threads.get(id);
    if (!thread) throw restError(404, 'NotFound');
    return thread;
  }

  /** Logs the request and throws a scripted failure for it, if one is queued. */
  #request(op: string): { failAfter: unknown } {
    this.requests.push(op);
    const index = this.failures.findIndex((f) => f.op === op);
    if (index < 0) return { failAfter: undefined };
    const [failure] = this.failures.splice(index, 1);
    if (failure?.afterHandling) return { failAfter: failure.error };
    throw failure?.error;
  }

  #pages<T>(items: T[]): T[][] {
    const pages: T[][] = [];
    for (let i = 0; i < items.length; i += this.pageSize) pages.push(items.slice(i, i + this.pageSize));
    return pages.length > 0 ? pages : [[]];
  }

  #member(threadId: string, self: string): FakeThread {
    const thread = this.#thread(threadId);
    if (!thread.members.has(self)) throw restError(403, 'Forbidden');
    return thread;
  }

  #client(self: string): ChatClientPort {
    const lastChange = (m: ChatMessage) => Math.max(m.createdOn.getTime(), m.editedOn?.getTime() ?? 0, m.deletedOn?.getTime() ?? 0);
    return {
      createChatThread: async () => {
        throw new Error('not used by these tests');
      },
      listChatThreads: (options = {}) =>
        paged(() => {
          this.#request('listChatThreads');
          const since = options.startTime?.getTime() ?? 0;
          const mine = [...this.threads.values()]
            .filter((t) => t.members.has(self) && (t.item.lastMessageReceivedOn?.getTime() ?? 0) >= since)
            .map((t) => t.item)
            .sort((a, b) => (b.lastMessageReceivedOn?.getTime() ?? 0) - (a.lastMessageReceivedOn?.getTime() ?? 0));
          return this.#pages(mine);
        }),
      deleteChatThread: async (threadId) => {
        this.#request('deleteChatThread');
        this.threads.delete(threadId);
      },
      getChatThreadClient: (threadId): ChatThreadClientPort => {
        const unused = async (): Promise<never> => {
          throw new Error('not used by these tests');
        };
        return {
          threadId,
          getProperties: unused,
          updateProperties: unused,
          addParticipants: unused,
          removeParticipant: unused,
          updateMessage: unused,
          deleteMessage: unused,
          sendTypingNotification: unused,
          sendReadReceipt: unused,
          listParticipants: () => paged(() => [[]]),
          sendMessage: async (request, options = {}) => {
            const { failAfter } = this.#request('sendMessage');
            this.#member(threadId, self);
            const message = this.post(threadId, self, request.content, options.metadata ? { metadata: options.metadata } : {});
            if (failAfter) throw failAfter;
            return { id: message.id };
          },
          getMessage: async (messageId) => {
            this.#request('getMessage');
            const found = this.#member(threadId, self).messages.find((m) => m.id === messageId);
            if (!found) throw restError(404, 'NotFound');
            return found;
          },
          listMessages: (options = {}) =>
            paged(() => {
              this.#request('listMessages');
              const since = options.startTime?.getTime() ?? 0;
              const messages = this.#member(threadId, self)
                .messages.filter((m) => lastChange(m) >= since)
                .sort((a, b) => lastChange(b) - lastChange(a));
              return this.#pages(messages);
            }),
          listReadReceipts: () =>
            paged(() => {
              this.#request('listReadReceipts');
              return this.#pages(this.#member(threadId, self).receipts);
            }),
        };
      },
    };
  }
}

/** A chat context over the fake, recording what the chat layer emits and reports. */
export function fakeContext(service: FakeChatService, self: string, overrides: Partial<ChatContext> = {}) {
  const controller = new AbortController();
  const events: ChatEvent[] = [];
  const connectivity: boolean[] = [];
  const errors: SessionError[] = [];
  let refreshes = 0;
  const context: ChatContext = {
    self: toIdentifier(self),
    displayName: 'Me',
    clients: async () => service.clients(self),
    forceRefresh: async () => {
      refreshes++;
    },
    emit: (event) => events.push(event),
    reportConnectivity: (reachable) => {
      if (connectivity[connectivity.length - 1] !== reachable) connectivity.push(reachable);
    },
    reportError: (error) => errors.push(error),
    signal: controller.signal,
    ...overrides,
  };
  return { context, events, connectivity, errors, controller, refreshes: () => refreshes };
}

export { SessionError };
