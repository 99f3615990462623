import { type OptionProblems, isPlainObject, show } from '../internal/options.js';
import { isBrowserPage } from '../internal/runtime.js';
import type { PollSchedule } from './poller.js';

/**
 * How the session gets chat events (the `chat` option of `createSession`; `chat: false` turns chat off).
 * @example
 * ```ts
 * createSession({ endpoint, token, chat: { realtime: 'poll', pollIntervalMs: 500, idlePollIntervalMs: 3_000 } });
 * ```
 */
export interface ChatOptions {
  /**
   * The live source. `'poll'`: REST polling (works everywhere). `'push'` (browsers only; in Node
   * `createSession` refuses it with `INVALID_OPTIONS`, as the ACS chat package has no realtime there):
   * the `ChatClient`'s realtime notifications, which also deliver `typingReceived`. `'auto'`
   * (default): in a browser push while its socket is connected and polling while it is not, handing
   * over without losing or repeating an event; in Node polling.
   */
  realtime?: 'auto' | 'poll' | 'push' | undefined;
  /**
   * How long push may take to connect before `'auto'` polls instead, in ms. Default 10 000. Push keeps
   * trying: while its socket is down the session restarts the client's notifications 5 s later, then
   * 10 s, 20 s, … up to every 5 minutes, so push returns even after the ACS client gave up on it.
   */
  pushConnectTimeoutMs?: number | undefined;
  /** The polling interval while the chat is active, in ms. Default 1 000; at least 50. */
  pollIntervalMs?: number | undefined;
  /** The interval polling slows down to while nothing happens (doubling per quiet round), in ms. Default 5 000. */
  idlePollIntervalMs?: number | undefined;
  /** How many messages a thread store (`thread.subscribe`) holds before `loadOlder()`. Default 200. */
  messageWindow?: number | undefined;
}

const KNOWN = ['realtime', 'pollIntervalMs', 'idlePollIntervalMs', 'messageWindow', 'pushConnectTimeoutMs'];
const DEFAULT_PUSH_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MESSAGE_WINDOW = 200;
const DEFAULT_INTERVAL_MS = 1_000;
const DEFAULT_IDLE_INTERVAL_MS = 5_000;
const MIN_INTERVAL_MS = 50;

/** Adds a problem for everything wrong with the `chat` option. @internal */
export function collectChatProblems(value: unknown, problems: OptionProblems): void {
  if (value === undefined || value === false) return;
  if (!isPlainObject(value)) {
    problems.add(`chat must be false or an object, got ${show(value)}`);
    return;
  }
  problems.unknownKeys(value, KNOWN, 'chat.');
  const { realtime, pollIntervalMs, idlePollIntervalMs } = value;
  if (realtime === 'push' && !isBrowserPage()) {
    problems.add("chat.realtime 'push' needs a browser (ACS chat has no realtime in Node)");
  } else if (realtime !== undefined && realtime !== 'auto' && realtime !== 'poll' && realtime !== 'push') {
    problems.add(`chat.realtime must be 'auto', 'poll' or 'push', got ${show(realtime)}`);
  }
  problems.optionalNumber('chat.pollIntervalMs', pollIntervalMs, MIN_INTERVAL_MS);
  problems.optionalNumber('chat.idlePollIntervalMs', idlePollIntervalMs, MIN_INTERVAL_MS);
  problems.optionalNumber('chat.pushConnectTimeoutMs', value['pushConnectTimeoutMs'], 1);
  const { messageWindow } = value;
  if (messageWindow !== undefined && (!Number.isInteger(messageWindow) || (messageWindow as number) < 1)) {
    problems.add(`chat.messageWindow must be a whole number ≥ 1, got ${show(messageWindow)}`);
  }
  const active = typeof pollIntervalMs === 'number' ? pollIntervalMs : DEFAULT_INTERVAL_MS;
  if (typeof idlePollIntervalMs === 'number' && idlePollIntervalMs < active) {
    problems.add(`chat.idlePollIntervalMs (${idlePollIntervalMs}) must be ≥ chat.pollIntervalMs (${active})`);
  }
}

/** The polling schedule the options ask for; `undefined` when chat is off. @internal */
export function pollScheduleOf(value: ChatOptions | false | undefined): PollSchedule | undefined {
  if (value === false) return undefined;
  const intervalMs = value?.pollIntervalMs ?? DEFAULT_INTERVAL_MS;
  return { intervalMs, idleIntervalMs: value?.idlePollIntervalMs ?? Math.max(intervalMs, DEFAULT_IDLE_INTERVAL_MS) };
}

/** The thread stores' window size. @internal */
export function messageWindowOf(value: ChatOptions | false | undefined): number {
  return (value === false ? undefined : value?.messageWindow) ?? DEFAULT_MESSAGE_WINDOW;
}

/** The live source a session uses, with its push connect timeout. @internal */
export interface RealtimeChoice {
  readonly mode: 'poll' | 'push' | 'auto';
  readonly pushConnectTimeoutMs: number;
}

/** Resolves `realtime` for this runtime: `'auto'` polls outside a browser. @internal */
export function realtimeOf(value: ChatOptions | false | undefined): RealtimeChoice {
  const asked = (value === false ? undefined : value?.realtime) ?? 'auto';
  const mode = asked === 'auto' && !isBrowserPage() ? 'poll' : asked;
  return { mode, pushConnectTimeoutMs: (value === false ? undefined : value?.pushConnectTimeoutMs) ?? DEFAULT_PUSH_CONNECT_TIMEOUT_MS };
}
