import { type OptionProblems, isPlainObject, show } from '../internal/options.js';
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
   * The live source. `'poll'`: REST polling (works everywhere). `'auto'` (default): polling for now;
   * browser push joins it in a later release, Node keeps polling (ACS has no push for Node).
   * `'push'` is refused with `INVALID_OPTIONS` until then.
   */
  realtime?: 'auto' | 'poll' | 'push' | undefined;
  /** The polling interval while the chat is active, in ms. Default 1 000; at least 50. */
  pollIntervalMs?: number | undefined;
  /** The interval polling slows down to while nothing happens (doubling per quiet round), in ms. Default 5 000. */
  idlePollIntervalMs?: number | undefined;
  /** How many messages a thread store (`thread.subscribe`) holds before `loadOlder()`. Default 200. */
  messageWindow?: number | undefined;
}

const KNOWN = ['realtime', 'pollIntervalMs', 'idlePollIntervalMs', 'messageWindow'];
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
  if (realtime === 'push') {
    problems.add("chat.realtime 'push' is not available yet (browser push comes in a later release); use 'poll' or 'auto'");
  } else if (realtime !== undefined && realtime !== 'auto' && realtime !== 'poll') {
    problems.add(`chat.realtime must be 'auto', 'poll' or 'push', got ${show(realtime)}`);
  }
  problems.optionalNumber('chat.pollIntervalMs', pollIntervalMs, MIN_INTERVAL_MS);
  problems.optionalNumber('chat.idlePollIntervalMs', idlePollIntervalMs, MIN_INTERVAL_MS);
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
