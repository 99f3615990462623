import type { ChatThreadItem } from '@azure/communication-chat';
import { SessionError, disposedError } from '../errors.js';
import { describeError } from '../internal/logger.js';
import { toPerson } from '../identifiers/identifier.js';
import type { ChatContext } from './context.js';
import { iteratePaged } from './iterate.js';
import { toThreadSummary } from './normalize.js';
import type { RealtimeChoice } from './options.js';
import { ChatPoller, type PollSchedule } from './poller.js';
import type { PushRetrySchedule } from './push-retry.js';
import type { startPush as StartPush } from './push-start.js';
import { runRequest } from './request.js';
import { ChatThreadImpl } from './thread.js';
import type { Chat, ChatRequestOptions, ChatThread, ChatThreadSummary, CreateThreadOptions } from './types.js';
import { optionalMetadata, optionsObject, requireId, requireString } from './validate.js';

/** How the chat layer gets its live events. @internal */
export interface ChatLiveOptions {
  /** The polling schedule; `undefined` turns the live source off. */
  readonly poll: PollSchedule | undefined;
  /** Whether the session's token may use chat (the `chat` scope); no polling without it. */
  readonly canPoll: () => boolean;
  /** How many messages a thread store holds before `loadOlder()`. */
  readonly windowSize: number;
  /** Push, polling or both (`auto`); absent: polling. */
  readonly realtime?: RealtimeChoice;
  /** Called when `realtime` (where events come from) changes. */
  readonly onRealtime?: (realtime: 'push' | 'poll' | 'off') => void;
  /** When push is tried again while it is down; default DEFAULT_PUSH_RETRY (for tests). */
  readonly pushRetry?: PushRetrySchedule;
}

/**
 * `session.chat`: thread handles (one per id), thread creation and listing, and the live source.
 * @internal
 */
export class ChatImpl implements Chat {
  readonly #context: ChatContext;
  readonly #threads = new Map<string, ChatThreadImpl>();
  readonly #poller: ChatPoller | undefined;
  readonly #canPoll: () => boolean;

  readonly #windowSize: number;
  readonly #realtime: RealtimeChoice;
  /** Whether the push source was started (browsers, `push`/`auto`); it runs until dispose. */
  #pushStarted = false;
  /** Whether events come by push right now (else polling, or nothing yet). */
  #pushing = false;
  #reported: 'push' | 'poll' | 'off' = 'off';
  readonly #onRealtime: ChatLiveOptions['onRealtime'];
  readonly #retrySchedule: PushRetrySchedule | undefined;

  constructor(context: ChatContext, live: ChatLiveOptions) {
    // Thread stores see each event before the app's listeners, so a listener reading a snapshot sees it.
    this.#context = {
      ...context,
      emit: (event) => {
        this.#threads.get(event.threadId)?.store?.applyEvent(event);
        context.emit(event);
      },
    };
    this.#canPoll = live.canPoll;
    this.#windowSize = live.windowSize;
    this.#realtime = live.realtime ?? { mode: 'poll', pushConnectTimeoutMs: 0 };
    this.#onRealtime = live.onRealtime;
    this.#retrySchedule = live.pushRetry;
    this.#poller = live.poll
      ? new ChatPoller(this.#context, live.poll, Date.now(), (threadId, message) => this.#threads.get(threadId)?.store?.applyMessage(message))
      : undefined;
  }

  /** Starts the live source, once the app uses chat (idempotent; no-op without the `chat` scope). */
  startLive(): void {
    if (!this.#poller || this.#context.signal.aborted || !this.#canPoll()) return;
    if (this.#realtime.mode === 'poll') {
      if (!this.#poller.running) this.#poller.start();
      this.#report();
      return;
    }
    if (this.#pushStarted) return;
    this.#pushStarted = true;
    void this.#startPush(this.#poller);
  }

  get realtime(): 'push' | 'poll' | 'off' {
    if (this.#pushing) return 'push';
    return this.#poller?.running ? 'poll' : 'off';
  }

  async #startPush(poller: ChatPoller): Promise<void> {
    // Loaded on first use: the push code (and its retries) stays out of the main entry and out of Node sessions.
    let startPush: typeof StartPush;
    try {
      ({ startPush } = await import('./push-start.js'));
    } catch (error) {
      // A chunk that cannot be downloaded (e.g. after a redeploy): say so, and poll instead.
      this.#context.reportError(new SessionError('SERVICE_ERROR', `Chat push could not be loaded: ${describeError(error)}`, { cause: error }), 'chat:push');
      this.#pushConnection(poller, false);
      return;
    }
    const onConnection = (connected: boolean): void => this.#pushConnection(poller, connected);
    const connected = await startPush(this.#context, poller, this.#realtime.pushConnectTimeoutMs, onConnection, this.#retrySchedule);
    if (!connected) this.#pushConnection(poller, false);
  }

  /** Push connected or dropped: in `auto`, polling covers every moment push does not. */
  #pushConnection(poller: ChatPoller, connected: boolean): void {
    if (this.#context.signal.aborted) return;
    this.#pushing = connected;
    if (connected) {
      poller.stop();
      void poller.catchUp();
    } else if (this.#realtime.mode === 'auto' && !poller.running) poller.start();
    this.#report();
  }

  #report(): void {
    const now = this.realtime;
    if (now !== this.#reported) this.#onRealtime?.((this.#reported = now));
  }

  /** @internal For tests and the bench: one polling round now. */
  get poller(): ChatPoller | undefined {
    return this.#poller;
  }

  async createThread(options: CreateThreadOptions): Promise<ChatThread> {
    const { topic: rawTopic, participants = [], metadata, signal } = optionsObject(options, 'createThread options');
    const topic = requireString(rawTopic, 'topic', false);
    if (!Array.isArray(participants)) throw new SessionError('INVALID_ARGUMENT', 'participants must be an array');
    const meta = optionalMetadata(metadata);
    const self = this.#context.self;
    const people = participants.map((p, index) => toPerson(p, `participants[${index}]`));
    const members = [
      { id: self, ...(this.#context.displayName !== undefined && { displayName: this.#context.displayName }) },
      ...people.filter((p) => p.id.rawId !== self.rawId).map((p) => ({ id: p.id, ...(p.displayName !== undefined && { displayName: p.displayName }) })),
    ];
    this.#startLiveOnUse();
    const { client } = await this.#context.clients();
    // One request id for every attempt (the pipeline's and the 401 retry): ACS creates the thread once.
    const idempotencyToken = globalThis.crypto.randomUUID();
    const result = await runRequest(this.#context, { operation: 'Creating a chat thread', signal, notFound: 'none' }, (abortSignal) =>
      client.createChatThread({ topic }, { participants: members, idempotencyToken, ...(meta && { metadata: meta }), abortSignal }),
    );
    const created = result.chatThread;
    if (!created) throw new SessionError('SERVICE_ERROR', 'ACS created no chat thread and gave no reason');
    const thread = this.#handle(created.id);
    this.#poller?.created(created.id);
    this.#context.emit({ type: 'threadCreated', threadId: created.id, reason: 'created', topic: created.topic, by: self });
    const refused = result.invalidParticipants ?? [];
    if (refused.length > 0) {
      const list = refused.map((e) => `${e.target ?? '?'}: ${e.code} ${e.message}`).join('; ');
      this.#context.reportError(
        new SessionError('INVALID_ARGUMENT', `Thread ${created.id} was created, but ACS refused ${refused.length} participant(s): ${list}`, {
          acsCode: refused[0]?.code,
        }),
        'chat:createThread',
      );
    }
    return thread;
  }

  thread(id: string): ChatThread {
    if (this.#context.signal.aborted) throw disposedError('The session');
    requireId(id, 'thread id');
    this.#startLiveOnUse();
    this.#poller?.watch(id);
    return this.#handle(id);
  }

  threads(options?: ChatRequestOptions): AsyncIterable<ChatThreadSummary> {
    const { signal } = optionsObject(options, 'options');
    const context = this.#context;
    return {
      async *[Symbol.asyncIterator]() {
        const { client } = await context.clients();
        yield* iteratePaged<ChatThreadItem, ChatThreadSummary>(
          context,
          { operation: 'Listing chat threads', signal, notFound: 'none' },
          (abortSignal) => client.listChatThreads({ abortSignal }),
          toThreadSummary,
          (item) => item.id,
        );
      },
    };
  }

  async deleteThread(id: string, options?: ChatRequestOptions): Promise<void> {
    requireId(id, 'thread id');
    const { signal } = optionsObject(options, 'options');
    const { client } = await this.#context.clients();
    await runRequest(this.#context, { operation: 'Deleting a chat thread', signal }, (abortSignal) => client.deleteChatThread(id, { abortSignal }));
    this.#poller?.deleted(id);
  }

  #handle(id: string): ChatThreadImpl {
    let thread = this.#threads.get(id);
    if (!thread) {
      thread = new ChatThreadImpl(id, this.#context, {
        sent: (threadId, message) => this.#poller?.sent(threadId, message),
        windowSize: this.#windowSize,
      });
      this.#threads.set(id, thread);
    }
    return thread;
  }

  #startLiveOnUse(): void {
    this.startLive();
  }
}
