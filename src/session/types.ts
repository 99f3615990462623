import { CALL_EVENT_NAMES, type CallEvents } from '../calling/events.js';
import type { CallingSetting } from '../calling/options.js';
import type { SessionCalls } from '../calling/types.js';
import { CHAT_EVENT_NAMES, type ChatEvents } from '../chat/events.js';
import type { AcsClientOptions } from '../chat/clients.js';
import type { ChatOptions } from '../chat/options.js';
import type { Chat } from '../chat/types.js';
import type { SessionError } from '../errors.js';
import type { TypedEventSource } from '../events/event-source.js';
import type { ErrorEvent, EventNames, Unsubscribe } from '../events/types.js';
import type { TokenRefresher } from '../token/refresher.js';
import type { SessionUser, TokenExpiredEvent, TokenRefreshedEvent, TokenRefreshFailedEvent, TokenRefresherOptions, TokenSource } from '../token/types.js';

/**
 * Where the session is in its life:
 * - `connecting`: getting the first token;
 * - `connected`: it holds a valid token;
 * - `reconnecting`: it has no valid token (it expired, or was refused and its refresh failed) and a
 *   new one is being fetched (the refresher retries with backoff), or ACS cannot be reached (chat
 *   polling fails, the calling agent or socket is disconnected) and it is being retried;
 * - `disconnected`: disposed; final.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** Why the state changed. */
export type StateChangeReason =
  'tokenAcquired' | 'tokenExpired' | 'tokenRefreshFailed' | 'tokenRefreshed' | 'connectionLost' | 'connectionRestored' | 'disposed' | 'failed';

/**
 * Options for {@link createSession}.
 * @example
 * ```ts
 * const options: SessionOptions = {
 *   endpoint: 'https://my-resource.communication.azure.com',
 *   token: async ({ signal }) => (await fetch('/api/acs-token', { signal })).json(),
 *   displayName: 'Ada',
 *   tokenRefresh: { refreshLeadMs: 5 * 60_000, retry: { maxDelayMs: 30_000 } },
 * };
 * ```
 */
export interface SessionOptions {
  /** The ACS resource endpoint, `https://<resource>.communication.azure.com`, or an emulator endpoint. */
  endpoint: string;
  /**
   * A token fetcher (called for the first token and again before each expiry) or a fixed token
   * string (never refreshed). See {@link TokenFetcher}.
   */
  token: TokenSource;
  /** The name other participants see; at most 256 characters (the calling SDK's limit). */
  displayName?: string | undefined;
  /** Aborting cancels `createSession` while it runs, and disposes the session after. */
  signal?: AbortSignal | undefined;
  /** Tuning for the shared token refresher. */
  tokenRefresh?: Omit<TokenRefresherOptions, 'token' | 'signal'> | undefined;
  /**
   * How many token fetch attempts `createSession` makes (with backoff between them) before it gives
   * up with the last error. Default 3.
   */
  initialTokenAttempts?: number | undefined;
  /**
   * Chat: how live events arrive ({@link ChatOptions}), or `false` to turn `session.chat` off.
   * Default `{ realtime: 'auto' }` (polling).
   */
  chat?: ChatOptions | false | undefined;
  /**
   * Azure pipeline options given to every ACS client the session creates (retries, logging,
   * `tlsOptions`, extra policies). In Node, `clientOptions: emulatorClientOptions(emu)` makes the
   * session trust the emulator's certificate with no environment set-up.
   */
  clientOptions?: AcsClientOptions | undefined;
  /**
   * Which calling provider `session.calls` uses: `'auto'` (default: `'local'` for a loopback
   * endpoint, i.e. the emulator, `'azure'` otherwise), `'azure'`, `'local'`, `false` (no calls), or
   * {@link CallingOptions} (`{ provider, iceServers, tlsOptions }`). Nothing is loaded until a call
   * API is first used.
   */
  calling?: CallingSetting | undefined;
}

/**
 * The immutable snapshot returned by `session.getSnapshot()`; a new object only when something changed.
 * @example
 * ```tsx
 * const { state, user, tokenError } = useSyncExternalStore(session.subscribe, session.getSnapshot);
 * if (state === 'reconnecting') return <Banner>Reconnecting… {tokenError?.message}</Banner>;
 * ```
 */
export interface SessionState {
  /** The lifecycle state, as `session.state`. */
  readonly state: ConnectionState;
  /** The ACS user, known once the first token arrived. */
  readonly user: SessionUser | undefined;
  /** When the token being served expires. */
  readonly tokenExpiresOn: Date | undefined;
  /** The latest token failure since the last success, if any. */
  readonly tokenError: SessionError | undefined;
  /** Why ACS could not be reached (no response, 5xx) while the session is `reconnecting` for that reason. */
  readonly connectionError: SessionError | undefined;
  /** Where chat events come from now, as `session.chat.realtime`: `'push'`, `'poll'` or `'off'`. */
  readonly chatRealtime: ChatRealtime;
}

/**
 * Where chat events come from: the browser push socket, polling, or nothing (not started, or chat off).
 * @example
 * ```ts
 * const live: ChatRealtime = session.getSnapshot().chatRealtime; // 'push' | 'poll' | 'off'
 * ```
 */
export type ChatRealtime = 'push' | 'poll' | 'off';

/**
 * Chat events switched source (with `realtime: 'auto'`, push ↔ polling as the socket comes and goes).
 * @example
 * ```ts
 * session.on('chatRealtimeChanged', (e) => badge.textContent = e.realtime === 'push' ? 'live' : 'polling');
 * ```
 */
export interface ChatRealtimeChangedEvent {
  /** Always `'chatRealtimeChanged'`. */
  readonly type: 'chatRealtimeChanged';
  /** The source now. */
  readonly realtime: ChatRealtime;
}

/** The session moved in its lifecycle. */
export interface StateChangedEvent {
  /** Always `'stateChanged'`. */
  readonly type: 'stateChanged';
  /** The new state. */
  readonly state: ConnectionState;
  /** The state before. */
  readonly previous: ConnectionState;
  /** What caused the change. */
  readonly reason: StateChangeReason;
}

/**
 * Every event a session emits, by name.
 * @example
 * ```ts
 * const onEvent = <K extends keyof SessionEvents>(type: K) => session.on(type, (e: SessionEvents[K]) => log(e.type));
 * ```
 */
export interface SessionEvents extends ChatEvents, CallEvents {
  /** The lifecycle state changed. */
  stateChanged: StateChangedEvent;
  /** A new token is being served. */
  tokenRefreshed: TokenRefreshedEvent;
  /** A token fetch failed; another attempt is scheduled. */
  tokenRefreshFailed: TokenRefreshFailedEvent;
  /** The served token expired before a new one arrived; the session is `reconnecting`. */
  tokenExpired: TokenExpiredEvent;
  /** A listener threw, or a background task failed with nobody awaiting it. */
  error: ErrorEvent;
  /** Chat events switched between push and polling; see {@link ChatRealtimeChangedEvent}. */
  chatRealtimeChanged: ChatRealtimeChangedEvent;
}

/**
 * Every session event name. A name added to {@link SessionEvents} must be added here too (it does
 * not compile otherwise): the stream refuses names it does not list.
 * @internal
 */
export const SESSION_EVENT_NAMES = {
  stateChanged: true,
  tokenRefreshed: true,
  tokenRefreshFailed: true,
  tokenExpired: true,
  error: true,
  chatRealtimeChanged: true,
  ...CALL_EVENT_NAMES,
  ...CHAT_EVENT_NAMES,
} as const satisfies EventNames<SessionEvents>;

/**
 * Options for {@link Session.waitForState}.
 * @example
 * ```ts
 * await session.waitForState('connected', { timeoutMs: 30_000, signal });
 * ```
 */
export interface WaitForStateOptions {
  /** Rejects with `ABORTED` when this signal fires. */
  signal?: AbortSignal | undefined;
  /** Rejects with `TIMEOUT` after this many milliseconds. */
  timeoutMs?: number | undefined;
}

/** Any session event: the discriminated union that `session.events()` yields. */
export type SessionEvent = SessionEvents[keyof SessionEvents];

/** The token side of a session, for building your own ACS clients on the same credential. */
export type SessionTokens = Pick<TokenRefresher, 'credential' | 'current' | 'getToken' | 'forceRefresh'>;

/**
 * One connection to ACS for one user: lifecycle, typed events, a UI snapshot and the shared token.
 * Create it with {@link createSession}; end it with `dispose()` or `await using`.
 * @example
 * ```ts
 * await using session = await createSession({ endpoint, token: fetchToken });
 * session.on('stateChanged', (e) => console.log(e.state));
 * const chat = new ChatClient(session.endpoint, session.tokens.credential);
 * ```
 */
export interface Session extends TypedEventSource<SessionEvents> {
  /** The endpoint, normalized without a trailing slash. */
  readonly endpoint: string;
  /** The ACS user this session acts as, from the token's `skypeid`. */
  readonly user: SessionUser;
  /** The display name given in the options. */
  readonly displayName: string | undefined;
  /** The current lifecycle state. */
  readonly state: ConnectionState;
  /** The shared token refresher's credential and controls. */
  readonly tokens: SessionTokens;
  /**
   * Chat over the session's token: threads, messages, participants; its live events come on this
   * session's stream. Opening or creating a thread, or listening for a chat event, starts the live source.
   * @throws SessionError `INVALID_OPTIONS` when the session was created with `chat: false`.
   */
  readonly chat: Chat;
  /** Whether `dispose()` has been called. */
  readonly disposed: boolean;
  /** Calls: start, join, list, incoming calls. See {@link SessionCalls}. */
  readonly calls: SessionCalls;
  /**
   * Calls `onChange` (with no arguments) whenever `getSnapshot()` would return a new object.
   * @throws SessionError `DISPOSED` after `dispose()`.
   */
  subscribe(onChange: () => void): Unsubscribe;
  /** The current {@link SessionState}; the same object until something changes. Still works after `dispose()`. */
  getSnapshot(): SessionState;
  /**
   * Resolves with the state once the session is in `state` (or one of `states`): at once when it
   * already is, else at the next `stateChanged` into it. Unlike `waitFor('stateChanged', …)` it
   * cannot miss a state reached before the call.
   * @example
   * ```ts
   * const session = await createSession({ endpoint, token: fetchToken });
   * await session.waitForState('connected', { timeoutMs: 30_000 }); // already connected: resolves at once
   * session.on('stateChanged', async (e) => {
   *   if (e.state === 'reconnecting') await session.waitForState(['connected', 'disconnected']);
   * });
   * ```
   * @throws SessionError `DISPOSED` when the session is or becomes `disconnected` and that was not
   * asked for; `TIMEOUT`; `ABORTED`; `INVALID_ARGUMENT` for a state that does not exist or bad options.
   */
  waitForState(state: ConnectionState | readonly ConnectionState[], options?: WaitForStateOptions): Promise<ConnectionState>;
  /**
   * Ends the session: state `disconnected`, every timer cleared, every listener, iterator, wait and
   * subscriber released. Idempotent; after it every method throws or rejects with `DISPOSED`.
   */
  dispose(): Promise<void>;
  /** The same as `dispose()`, for `await using session = await createSession(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
}
