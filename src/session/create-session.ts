import { LazySessionCalls } from '../calling/lazy-calls.js';
import { resolveCalling } from '../calling/options.js';
import { ChatImpl } from '../chat/chat.js';
import { createChatClients } from '../chat/clients.js';
import { CHAT_EVENT_NAMES, type ChatEvent } from '../chat/events.js';
import { messageWindowOf, pollScheduleOf, realtimeOf } from '../chat/options.js';
import type { ChatClients } from '../chat/ports.js';
import type { Chat } from '../chat/types.js';
import { SessionError, abortedError, disposedError, isSessionError } from '../errors.js';
import { EventSourceBase } from '../events/event-source.js';
import { SnapshotStore } from '../events/snapshot-store.js';
import type { EventIterator, EventsOptions, Listener, Unsubscribe, WaitForOptions } from '../events/types.js';
import { raceWithSignal } from '../internal/abort.js';
import { logger } from '../internal/logger.js';
import { createTokenRefresher, type TokenRefresher } from '../token/refresher.js';
import type { SessionUser } from '../token/types.js';
import { validateSessionOptions } from './session-options.js';
import { CONNECTION_STATES, canTransition } from './state-machine.js';
import { SESSION_EVENT_NAMES } from './types.js';
import type {
  ConnectionState,
  Session,
  SessionEvent,
  SessionEvents,
  SessionOptions,
  SessionState,
  SessionTokens,
  StateChangeReason,
  WaitForStateOptions,
} from './types.js';

const DEFAULT_INITIAL_TOKEN_ATTEMPTS = 3;

/**
 * `Symbol.asyncDispose`, or where a runtime lacks it (older Node 20, some browsers) the
 * `Symbol.for` key that TypeScript's and esbuild's `await using` helpers fall back to.
 */
const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * Creates a session: validates the options, gets the first token (retrying with backoff), learns
 * the user from it and resolves once the session is `connected`.
 *
 * @example
 * ```ts
 * await using session = await createSession({
 *   endpoint: 'https://my-resource.communication.azure.com',
 *   token: async ({ signal }) => (await fetch('/api/acs-token', { signal })).json(),
 *   displayName: 'Ada',
 * });
 * session.on('stateChanged', (e) => console.log(e.state));
 * console.log(session.user.rawId);
 * ```
 * @throws SessionError `INVALID_OPTIONS` listing every problem; `TOKEN_FETCH_FAILED`,
 * `TOKEN_MALFORMED`, `TOKEN_EXPIRED` when no usable first token could be had; `ABORTED` when
 * `options.signal` fired first.
 */
export async function createSession(options: SessionOptions): Promise<Session> {
  const endpoint = validateSessionOptions(options);
  const { signal } = options;
  if (signal?.aborted) throw abortedError(signal);
  const refresher = createTokenRefresher({ token: options.token, ...options.tokenRefresh });
  const session = new SessionImpl(endpoint, options, refresher);
  try {
    const user = await raceWithSignal(firstToken(refresher, options.initialTokenAttempts ?? DEFAULT_INITIAL_TOKEN_ATTEMPTS), signal, () =>
      abortedError(signal ?? {}),
    );
    session.connected(user);
    return session;
  } catch (error) {
    await session.dispose('failed');
    throw isSessionError(error) ? error : new SessionError('TOKEN_FETCH_FAILED', 'Could not get the first token', { cause: error });
  }
}

async function firstToken(refresher: TokenRefresher, attempts: number): Promise<SessionUser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await refresher.getToken()).user;
    } catch (error) {
      // Each further getToken() waits for the refresher's next scheduled (backed-off) attempt.
      if (attempt >= attempts || !isSessionError(error) || !error.retryable) throw error;
    }
  }
}

const CHAT_EVENTS: ReadonlySet<PropertyKey> = new Set(Object.keys(CHAT_EVENT_NAMES));

class SessionImpl extends EventSourceBase<SessionEvents> implements Session {
  readonly endpoint: string;
  readonly displayName: string | undefined;
  readonly tokens: SessionTokens;
  readonly calls: LazySessionCalls;
  readonly #options: SessionOptions;
  readonly #refresher: TokenRefresher;
  readonly #store: SnapshotStore<SessionState>;
  readonly #teardown: Unsubscribe[] = [];
  /** Aborted at dispose: cancels every request and timer of the session's adapters. */
  readonly #lifetime = new AbortController();
  #chat: ChatImpl | undefined;
  #chatClients: Promise<ChatClients> | undefined;
  /** Why the session is not connected: either cause keeps it `reconnecting`. */
  #tokenDown = false;
  #connectionDown = false;
  #disposing: Promise<void> | undefined;

  constructor(endpoint: string, options: SessionOptions, refresher: TokenRefresher) {
    super('The session', SESSION_EVENT_NAMES);
    const { displayName, signal } = options;
    this.endpoint = endpoint;
    this.displayName = displayName;
    this.#options = options;
    this.#refresher = refresher;
    this.tokens = {
      credential: refresher.credential,
      get current() {
        return refresher.current;
      },
      getToken: (options) => refresher.getToken(options),
      forceRefresh: (reason, options) => refresher.forceRefresh(reason, options),
    };
    // The emulator's certificate given once in clientOptions serves the local provider's socket too.
    const calling = resolveCalling(options.calling, endpoint, caOf(options.clientOptions));
    // The calls side gets callbacks, never the session itself (src/calling must not import src/session).
    this.calls = new LazySessionCalls({
      calling,
      emit: (event) => this.stream.emit(event),
      hasListener: (type) => this.stream.listenerCount(type) > 0,
      context: {
        endpoint,
        displayName,
        selfRawId: () => this.user.rawId,
        credential: refresher.credential,
        getToken: async (tokenSignal) => (await refresher.getToken({ signal: tokenSignal })).token,
        reportError: (error, source) =>
          this.stream.reportError(isSessionError(error) ? error : new SessionError('CALL_FAILED', 'A calling task failed', { cause: error }), source),
        tokenRejected: () => void refresher.forceRefresh('rejected').catch(() => undefined),
      },
    });
    this.#store = new SnapshotStore<SessionState>(
      { state: 'connecting', user: undefined, tokenExpiresOn: undefined, tokenError: undefined, connectionError: undefined, chatRealtime: 'off' },
      (error) => this.stream.reportError(new SessionError('LISTENER_FAILED', 'A snapshot subscriber threw', { cause: error }), 'subscriber'),
    );
    // Each token event is one change: its snapshot fields and the state it leads to land in one
    // store update (one notification), so a subscriber never sees a state the session was not in.
    this.#teardown.push(
      refresher.on('tokenRefreshed', (event) => {
        this.#tokenDown = false;
        this.#change({ tokenExpiresOn: event.expiresOn, tokenError: undefined }, event, this.#connectionDown ? undefined : 'connected', 'tokenRefreshed');
      }),
      refresher.on('tokenRefreshFailed', (event) => {
        if (!event.tokenUsable) this.#tokenDown = true;
        this.#change({ tokenError: event.error }, event, event.tokenUsable ? undefined : 'reconnecting', 'tokenRefreshFailed');
      }),
      refresher.on('tokenExpired', (event) => {
        this.#tokenDown = true;
        this.#change({}, event, 'reconnecting', 'tokenExpired');
      }),
      refresher.on('error', (event) => this.stream.emit(event)),
    );
    if (signal) {
      const onAbort = () => void this.dispose();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#teardown.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  get user(): SessionUser {
    // createSession only hands out a session once the first token named the user.
    return this.#store.get().user as SessionUser;
  }

  get state(): ConnectionState {
    return this.#store.get().state;
  }

  get disposed(): boolean {
    return this.#disposing !== undefined;
  }

  get chat(): Chat {
    if (this.#options.chat === false) throw new SessionError('INVALID_OPTIONS', 'Chat is turned off for this session (createSession was given chat: false)');
    if (this.disposed || !this.#chat) throw disposedError('The session');
    return this.#chat;
  }

  override on<K extends keyof SessionEvents>(type: K, listener: Listener<SessionEvents[K]>): Unsubscribe {
    const unsubscribe = super.on(type, listener);
    if (CHAT_EVENTS.has(type)) this.#chat?.startLive();
    return unsubscribe;
  }

  override once<K extends keyof SessionEvents>(type: K, listener: Listener<SessionEvents[K]>): Unsubscribe {
    const unsubscribe = super.once(type, listener);
    if (CHAT_EVENTS.has(type)) this.#chat?.startLive();
    return unsubscribe;
  }

  override waitFor<K extends keyof SessionEvents>(type: K, options?: WaitForOptions<SessionEvents[K]>): Promise<SessionEvents[K]> {
    const waiting = super.waitFor(type, options);
    if (CHAT_EVENTS.has(type)) this.#chat?.startLive();
    return waiting;
  }

  override events<K extends keyof SessionEvents = keyof SessionEvents>(options?: EventsOptions<K>): EventIterator<SessionEvents[K]> {
    const iterator = super.events(options);
    // Only an iterator that names a chat event starts polling: a catch-all iterator (a logger, say)
    // must not make a session go to the network by itself.
    if (options?.types?.some((type) => CHAT_EVENTS.has(type))) this.#chat?.startLive();
    return iterator;
  }

  // Arrow properties, so `useSyncExternalStore(session.subscribe, session.getSnapshot)` works unbound.
  subscribe = (onChange: () => void): Unsubscribe => {
    if (this.disposed) throw disposedError('The session');
    if (typeof onChange !== 'function') throw new SessionError('INVALID_ARGUMENT', 'subscribe() needs a callback function');
    return this.#store.subscribe(onChange);
  };

  getSnapshot = (): SessionState => this.#store.get();

  waitForState(state: ConnectionState | readonly ConnectionState[], options: WaitForStateOptions = {}): Promise<ConnectionState> {
    const wanted: readonly unknown[] = Array.isArray(state) ? state : [state];
    const unknown = wanted.filter((value) => !(CONNECTION_STATES as readonly unknown[]).includes(value));
    if (wanted.length === 0 || unknown.length > 0) {
      return Promise.reject(
        new SessionError(
          'INVALID_ARGUMENT',
          `waitForState() needs one or more of ${CONNECTION_STATES.join(', ')}, got ${unknown.map(String).join(', ') || 'none'}`,
        ),
      );
    }
    const current = this.state;
    if (wanted.includes(current)) return Promise.resolve(current);
    if (current === 'disconnected') return Promise.reject(disposedError('The session'));
    const { signal, timeoutMs } = options ?? {};
    return this.stream.waitFor('stateChanged', { signal, timeoutMs, filter: (e) => wanted.includes(e.state) }).then(
      (e) => e.state,
      (error: unknown) => {
        if (!isSessionError(error, 'TIMEOUT')) throw error;
        throw new SessionError('TIMEOUT', `The session was not ${wanted.join(' or ')} within ${timeoutMs} ms (it is ${this.state})`);
      },
    );
  }

  /** @internal Called by createSession once the first token arrived. */
  connected(user: SessionUser): void {
    // A fixed token string never emits tokenRefreshed, so the expiry is read here too.
    if (this.#options.chat !== false) this.#chat = this.#createChat(user);
    this.#change({ user, tokenExpiresOn: this.#refresher.current?.expiresOn }, undefined, 'connected', 'tokenAcquired');
  }

  #createChat(user: SessionUser): ChatImpl {
    const refresher = this.#refresher;
    const signal = this.#lifetime.signal;
    return new ChatImpl(
      {
        self: user,
        displayName: this.displayName,
        clients: () =>
          (this.#chatClients ??= createChatClients({
            endpoint: this.endpoint,
            credential: refresher.credential,
            clientOptions: this.#options.clientOptions,
            getToken: () => refresher.getToken({ signal }),
          }).catch((error: unknown) => {
            this.#chatClients = undefined;
            throw new SessionError('SERVICE_ERROR', 'Could not load @azure/communication-chat', { cause: error });
          })),
        forceRefresh: () => refresher.forceRefresh('rejected', { signal }),
        emit: (event: ChatEvent) => this.stream.emit(event),
        reportConnectivity: (reachable, error) => this.#connectivity(reachable, error),
        reportError: (error, source) => this.stream.reportError(error, source),
        signal,
      },
      {
        poll: pollScheduleOf(this.#options.chat),
        windowSize: messageWindowOf(this.#options.chat),
        realtime: realtimeOf(this.#options.chat),
        onRealtime: (realtime) => {
          this.#store.update({ chatRealtime: realtime });
          this.stream.emit({ type: 'chatRealtimeChanged', realtime });
        },
        canPoll: () => (refresher.current?.scopes ?? []).some((scope) => scope === 'chat' || scope.startsWith('chat.')),
      },
    );
  }

  /** An adapter reached ACS (or could not): the session is `reconnecting` while it cannot. */
  #connectivity(reachable: boolean, error: SessionError | undefined): void {
    if (this.disposed) return;
    if (!reachable) {
      this.#connectionDown = true;
      this.#change({ connectionError: error }, undefined, 'reconnecting', 'connectionLost');
    } else if (this.#connectionDown) {
      this.#connectionDown = false;
      this.#change({ connectionError: undefined }, undefined, this.#tokenDown ? undefined : 'connected', 'connectionRestored');
    }
  }

  dispose(reason: StateChangeReason = 'disposed'): Promise<void> {
    if (this.#disposing) return this.#disposing;
    // Marked disposed before the final stateChanged goes out, so its listeners cannot subscribe
    // again or start a second teardown; they still receive that last event.
    this.#disposing = Promise.resolve();
    this.stream.seal();
    // Calls end first, while the stream still reaches listeners: each gets its callEnded.
    const callsReleased = this.calls.dispose();
    this.#lifetime.abort();
    this.#change({}, undefined, 'disconnected', reason);
    logger.info(`session: disposed (${reason})`);
    for (const teardown of this.#teardown.splice(0)) teardown();
    this.#refresher.dispose();
    this.stream.close();
    this.#store.clear();
    this.#disposing = callsReleased;
    return this.#disposing;
  }

  [asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /**
   * Applies one cause: the snapshot `changes` and, when the lifecycle allows it, the move to `state`
   * in one store update; then the event that caused it, then `stateChanged`.
   */
  #change(changes: Partial<SessionState>, event: SessionEvent | undefined, state: ConnectionState | undefined, reason: StateChangeReason): void {
    const previous = this.#store.get().state;
    const moves = state !== undefined && this.#canMove(previous, state, reason);
    this.#store.update(moves ? { ...changes, state } : changes);
    if (event) this.stream.emit(event);
    // A listener of `event` may have disposed the session; its stateChanged went out already.
    if (!moves || this.#store.get().state !== state) return;
    logger.info(`session: ${previous} → ${state} (${reason})`);
    this.stream.emit({ type: 'stateChanged', state, previous, reason });
  }

  #canMove(previous: ConnectionState, state: ConnectionState, reason: StateChangeReason): boolean {
    if (!canTransition(previous, state)) return false;
    // A token that arrives while createSession is still waiting does not make the session connected:
    // it is connected when createSession hands it out, with the user known.
    return !(previous === 'connecting' && state === 'connected' && reason !== 'tokenAcquired');
  }
}

function caOf(clientOptions: SessionOptions['clientOptions']): string | undefined {
  const ca: unknown = clientOptions?.tlsOptions?.ca;
  return typeof ca === 'string' ? ca : undefined;
}
