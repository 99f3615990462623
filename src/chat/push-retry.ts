import { describeError, logger } from '../internal/logger.js';
import { type BackgroundTimer, backgroundTimer } from '../internal/timers.js';
import { whenAborted } from './request.js';

/** When push is tried again after it dropped or failed to connect. @internal */
export interface PushRetrySchedule {
  /** The first wait, in ms; each attempt doubles it. */
  readonly initialMs: number;
  /** The longest wait, in ms. */
  readonly maxMs: number;
  /** Each wait is spread by ± this fraction, so that many clients cut off together do not return together. */
  readonly jitter: number;
  /** A connection that held this long counts as recovered: the next drop starts from `initialMs` again. */
  readonly stableMs: number;
}

/** 5 s doubling to 5 min, ±25 %. @internal */
export const DEFAULT_PUSH_RETRY: PushRetrySchedule = { initialMs: 5_000, maxMs: 300_000, jitter: 0.25, stableMs: 60_000 };

/**
 * Tries push again while it is down. The ACS `ChatClient` retries its socket by itself only until it
 * gives up for good (after repeated token failures its signaling client stops, and a
 * `realTimeNotificationDisconnected` is all the app hears); from then on nothing would bring push
 * back. So while push is down, `attempt` (stop and start the client's notifications) runs on a
 * backoff, one attempt at a time, until push connects or the signal aborts.
 * @internal
 */
export class PushRetry {
  readonly #attempt: () => Promise<boolean>;
  readonly #isConnected: () => boolean;
  readonly #schedule: PushRetrySchedule;
  readonly #random: () => number;
  readonly #signal: AbortSignal;
  #attempts = 0;
  #timer: BackgroundTimer | undefined;
  #inFlight = false;
  #connectedAt: number | undefined;

  constructor(
    signal: AbortSignal,
    attempt: () => Promise<boolean>,
    isConnected: () => boolean,
    schedule: PushRetrySchedule = DEFAULT_PUSH_RETRY,
    random: () => number = Math.random,
  ) {
    this.#signal = signal;
    this.#attempt = attempt;
    this.#isConnected = isConnected;
    this.#schedule = schedule;
    this.#random = random;
    whenAborted(signal, () => this.#cancel());
  }

  /** Whether an attempt is waiting for its time (for tests). */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * The first attempt, at once; resolves whether push connected. Later attempts wait for it, so that
   * two starts never overlap. When it fails, the caller reports `disconnected()` (which arms the next).
   */
  async first(): Promise<boolean> {
    this.#inFlight = true;
    try {
      return await this.#attempt();
    } finally {
      this.#inFlight = false;
    }
  }

  /** Push connected (by itself or by an attempt): nothing to retry. */
  connected(): void {
    this.#cancel();
    this.#connectedAt = Date.now();
  }

  /**
   * Push is down (dropped, or did not connect in time): arms the next attempt unless one is armed or
   * running. A connection that held for `stableMs` resets the backoff; a shorter one does not, so a
   * socket that connects and drops again at once is tried less and less often.
   */
  disconnected(): void {
    if (this.#signal.aborted) return;
    if (this.#connectedAt !== undefined && Date.now() - this.#connectedAt >= this.#schedule.stableMs) this.#attempts = 0;
    this.#connectedAt = undefined;
    this.#arm();
  }

  #arm(): void {
    if (this.#timer || this.#inFlight || this.#signal.aborted) return;
    const { initialMs, maxMs, jitter } = this.#schedule;
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempts);
    const delay = Math.round(base * (1 - jitter + 2 * jitter * this.#random()));
    logger.info(`chat: trying push again in ${delay} ms`);
    // Unref'd in Node: a retry of push alone does not keep a process alive (polling does, where it runs).
    this.#timer = backgroundTimer(() => void this.#run(), delay);
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    if (this.#signal.aborted || this.#isConnected()) return;
    this.#inFlight = true;
    let connected = false;
    try {
      connected = await this.#attempt();
    } catch (error) {
      logger.warning(`chat: trying push again failed: ${describeError(error)}`);
    } finally {
      this.#inFlight = false;
    }
    // Counted whether it connected or not: a socket that connects and drops at once must not be
    // restarted at the same pace forever. Only a connection that held resets the count.
    this.#attempts++;
    if (connected || this.#isConnected()) return;
    this.#arm();
  }

  #cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
