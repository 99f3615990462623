import { SessionError, abortedError } from '../errors.js';
import type { AbortSignalLike } from '../internal/abort.js';
import type { DataReliability, DataTransport } from './transport.js';

interface Job {
  /** Jobs of one lane (a topic, a file) go out one after another; lanes take turns frame by frame. */
  readonly lane: number;
  readonly frames: Iterator<Uint8Array, void, undefined>;
  readonly bytes: number;
  readonly to: readonly string[] | undefined;
  readonly signal: AbortSignalLike | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  started: boolean;
}

/**
 * Past this many frames or bytes handed over without a pause, the pump yields to the event loop
 * once: a transport that takes frames synchronously (in memory, a WebSocket buffer) would otherwise
 * keep a large send in microtasks and starve timers and incoming frames, such as a receiver's
 * refusal of the very file being sent.
 */
const YIELD_EVERY_FRAMES = 64;
const YIELD_EVERY_BYTES = 1024 * 1024;

/**
 * Lanes served at once. Each started multi-frame message is a partial message on the receiver,
 * which keeps 16 per sender by default (both reliabilities together): 2 × 4 stays well under it.
 */
const ACTIVE_LANES = 4;
/** How far into the queue the pump looks for other lanes' first jobs. */
const LOOKAHEAD = 64;

export interface OutboxOptions {
  readonly reliability: DataReliability;
  /** Bytes that may wait in the queue; see `DATA_QUEUE_FULL`. */
  readonly maxQueuedBytes: number;
  /** Pacing cap in kbit/s; `undefined` or 0: as fast as the transport takes frames. */
  readonly bitrateKbps: number | undefined;
}

/**
 * The send queue of one reliability: messages of one lane (a topic) go out whole and in order, frame
 * by frame, paced by a token bucket under the transport's bitrate cap; up to four lanes take turns
 * frame by frame, so that an RPC request or a cursor update is not stuck behind a large value for
 * minutes at the ACS durable cap (64 kbps). A job resolves once its last frame was handed to the transport. The queue is bounded by bytes: a durable message that does not fit is refused
 * with `DATA_QUEUE_FULL` (never dropped silently); a lossy one pushes out the oldest lossy message
 * that has not started, which resolves as sent — lossy sends may always be dropped.
 * @internal
 */
export class Outbox {
  readonly #queue: Job[] = [];
  #queuedBytes = 0;
  #pumping = false;
  #closed: SessionError | undefined;
  #tokens = 0;
  #refilledAt = 0;
  #wait: { cancel: () => void; wake: () => void } | undefined;
  #framesSinceYield = 0;
  #bytesSinceYield = 0;
  #turn = 0;

  constructor(
    private readonly transport: DataTransport,
    private readonly options: OutboxOptions,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  push(lane: number, frames: Iterable<Uint8Array>, bytes: number, to: readonly string[] | undefined, signal?: AbortSignalLike): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    if (this.#queuedBytes > 0 && this.#queuedBytes + bytes > this.options.maxQueuedBytes) {
      if (this.options.reliability === 'durable' || !this.#dropOldestLossy(bytes)) {
        return Promise.reject(
          new SessionError('DATA_QUEUE_FULL', `${this.#queuedBytes} bytes already wait to be sent (maxQueuedBytes ${this.options.maxQueuedBytes})`, {
            retryable: true,
          }),
        );
      }
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ lane, frames: frames[Symbol.iterator](), bytes, to, signal, resolve, reject, started: false });
      this.#queuedBytes += bytes;
      if (!this.#pumping) void this.#pump();
    });
  }

  /** Rejects every waiting job with `error` and stops. Idempotent. */
  close(error: SessionError): void {
    if (this.#closed) return;
    this.#closed = error;
    const waiting = this.#queue.splice(0);
    this.#queuedBytes = 0;
    for (const job of waiting) job.reject(error);
    if (this.#wait) {
      this.#wait.cancel();
      this.#wait.wake();
    }
  }

  #dropOldestLossy(bytes: number): boolean {
    while (this.#queuedBytes > 0 && this.#queuedBytes + bytes > this.options.maxQueuedBytes) {
      const index = this.#queue.findIndex((job) => !job.started);
      if (index < 0) return false;
      const [dropped] = this.#queue.splice(index, 1);
      this.#queuedBytes -= dropped!.bytes;
      dropped!.resolve();
    }
    return true;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      for (let job = this.#nextJob(); job && !this.#closed; job = this.#nextJob()) {
        job.started = true;
        try {
          const next = job.frames.next();
          if (next.done) {
            this.#finish(job);
            job.resolve();
            continue;
          }
          if (job.signal?.aborted) throw abortedError(job.signal);
          if (this.options.bitrateKbps) {
            await this.#pace(next.value.length);
            if (this.#closed) throw this.#closed;
          }
          await this.transport.send(next.value, { reliability: this.options.reliability, to: job.to });
          if (++this.#framesSinceYield >= YIELD_EVERY_FRAMES || (this.#bytesSinceYield += next.value.length) >= YIELD_EVERY_BYTES) {
            this.#framesSinceYield = 0;
            this.#bytesSinceYield = 0;
            await this.#sleep(0);
          }
        } catch (error) {
          this.#finish(job);
          job.reject(error);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The job that sends the next frame: the first jobs of up to {@link ACTIVE_LANES} lanes, oldest
   * first, take turns. A job whose frames are all sent is picked once more to resolve it.
   */
  #nextJob(): Job | undefined {
    const heads: Job[] = [];
    const lanes = new Set<number>();
    const end = Math.min(this.#queue.length, LOOKAHEAD);
    for (let i = 0; i < end && heads.length < ACTIVE_LANES; i++) {
      const job = this.#queue[i]!;
      if (lanes.has(job.lane)) continue;
      lanes.add(job.lane);
      heads.push(job);
    }
    if (heads.length <= 1) return heads[0];
    return heads[this.#turn++ % heads.length];
  }

  #finish(job: Job): void {
    const index = this.#queue.indexOf(job);
    if (index < 0) return; // close() already took it out
    this.#queue.splice(index, 1);
    this.#queuedBytes -= job.bytes;
  }

  /** Token bucket: a burst of one second's worth (at least one frame), then the cap. */
  async #pace(frameBytes: number): Promise<void> {
    const kbps = this.options.bitrateKbps;
    if (!kbps) return;
    const bytesPerMs = (kbps * 1000) / 8 / 1000;
    const capacity = Math.max(frameBytes, bytesPerMs * 1000);
    const now = Date.now();
    if (this.#refilledAt === 0) this.#tokens = capacity;
    else this.#tokens = Math.min(capacity, this.#tokens + (now - this.#refilledAt) * bytesPerMs);
    this.#refilledAt = now;
    if (this.#tokens < frameBytes) {
      await this.#sleep(Math.ceil((frameBytes - this.#tokens) / bytesPerMs));
      this.#tokens = Math.min(capacity, this.#tokens + (Date.now() - this.#refilledAt) * bytesPerMs);
      this.#refilledAt = Date.now();
    }
    this.#tokens -= frameBytes;
  }

  /**
   * A pause that `close()` cuts short, so a closed outbox leaves no timer behind. Unlike the
   * helper's other timers it keeps a Node process alive: a send in progress is work the app
   * awaits, and a script whose last task is `await channel.send(big)` must not exit halfway.
   */
  async #sleep(ms: number): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((wake) => {
      if (ms === 0 && typeof setImmediate === 'function') {
        const handle = setImmediate(wake);
        this.#wait = { cancel: () => clearImmediate(handle), wake };
      } else {
        const handle = setTimeout(wake, ms);
        this.#wait = { cancel: () => clearTimeout(handle), wake };
      }
    });
    this.#wait = undefined;
  }
}
