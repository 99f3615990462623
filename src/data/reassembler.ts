import type { SessionErrorCode } from '../errors.js';
import { backgroundTimer, type BackgroundTimer } from '../internal/timers.js';
import type { ChunkFrame } from './frame.js';
import type { DataReliability } from './transport.js';

/** Limits on what a remote can make us hold while its multi-frame messages arrive. */
export interface ReassemblyLimits {
  readonly maxMessageBytes: number;
  readonly maxPartialMessages: number;
  readonly timeoutMs: Readonly<Record<DataReliability, number>>;
}

export interface ReassembledMessage {
  readonly topic: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

export type ReassemblyReport = (code: SessionErrorCode, message: string, from: string) => void;

interface Partial {
  readonly key: string;
  readonly count: number;
  readonly total: number;
  /** Payload bytes of every chunk but the last; 0 until a chunk reveals it. */
  chunkSize: number;
  /**
   * The whole value, written chunk by chunk as they arrive (while each chunk is still in the cache)
   * when the reservation budget allows it, with which chunks arrived (1); otherwise `undefined` and
   * the chunks wait in `pieces`. `arrived` has `count` ≤ `total` bytes, so it stays within the budget too.
   */
  readonly reserved: { readonly result: Uint8Array; readonly arrived: Uint8Array } | undefined;
  readonly pieces: (Uint8Array | undefined)[];
  received: number;
  /** Whether the reserved bytes were given back to the budget (a partial is released once). */
  released: boolean;
  /** When its last chunk arrived: the timeout counts from there, not from the first chunk. */
  lastChunkAt: number;
  timer: BackgroundTimer | undefined;
}

/**
 * Puts chunked messages back together, per sender, bounded in count, size and time. A piece that
 * never comes (lossy loss, a remote that stopped) drops its whole message once no chunk of it came
 * for the timeout; a sender with too many messages in flight loses its oldest incomplete one.
 *
 * Each chunk is copied once. While the values in progress fit one `maxMessageBytes` together, a
 * value is allocated whole on its first chunk and every chunk is written into it as it arrives
 * (still in the cache; no second pass over the bytes). Past that budget, chunks are kept as they
 * come and copied when the value is complete, so that what a header merely claims can make us
 * allocate at most one value's worth, never `maxPartialMessages` of them per sender.
 * @internal
 */
export class Reassembler {
  readonly #bySender = new Map<string, Map<string, Partial>>();
  /**
   * Messages recently dropped, so that their late chunks do not start a new partial that would push
   * out a healthy one in turn. Bounded: the oldest entries go first.
   */
  readonly #dropped = new Set<string>();
  /** Bytes of the values allocated whole (`Partial.reserved`) and not yet complete or dropped. */
  #reserved = 0;

  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly report: ReassemblyReport,
  ) {}

  /** Bytes of incomplete values allocated whole, within the budget of `maxMessageBytes` (for leak checks). */
  get reservedBytes(): number {
    return this.#reserved;
  }

  /** Number of incomplete messages held, over all senders (for leak checks). */
  get pending(): number {
    let count = 0;
    for (const partials of this.#bySender.values()) count += partials.size;
    return count;
  }

  accept(frame: ChunkFrame, from: string, reliability: DataReliability): ReassembledMessage | undefined {
    if (frame.total > this.limits.maxMessageBytes) {
      if (frame.index === 0)
        this.report('DATA_TOO_LARGE', `A ${frame.total}-byte message is over maxMessageBytes (${this.limits.maxMessageBytes}); it was dropped`, from);
      return undefined;
    }
    let partials = this.#bySender.get(from);
    const key = `${reliability}:${frame.topic}:${frame.seq}`;
    if (this.#dropped.size > 0 && this.#dropped.has(`${from}\n${key}`)) return undefined;
    let partial = partials?.get(key);
    if (partial && (partial.count !== frame.count || partial.total !== frame.total)) {
      this.report('DATA_INVALID_FRAME', 'A chunk disagrees with the earlier chunks of its message; it was dropped', from);
      return undefined;
    }
    if (!partial) {
      if (!partials) {
        partials = new Map();
        this.#bySender.set(from, partials);
      }
      if (partials.size >= this.limits.maxPartialMessages) {
        const oldest = partials.values().next().value;
        if (oldest) {
          this.#drop(from, oldest);
          this.#remember(from, oldest);
          this.report('DATA_INCOMPLETE', `More than ${this.limits.maxPartialMessages} messages from one sender were incomplete; the oldest was dropped`, from);
        }
      }
      // Reserve the whole value up front only within the budget: a header may lie about its total.
      const reserve = this.#reserved + frame.total <= this.limits.maxMessageBytes;
      if (reserve) this.#reserved += frame.total;
      partial = {
        key,
        count: frame.count,
        total: frame.total,
        chunkSize: 0,
        reserved: reserve ? { result: new Uint8Array(frame.total), arrived: new Uint8Array(frame.count) } : undefined,
        pieces: reserve ? [] : new Array<Uint8Array | undefined>(frame.count),
        received: 0,
        released: false,
        lastChunkAt: Date.now(),
        timer: undefined,
      };
      this.#expire(from, partial, reliability, this.limits.timeoutMs[reliability]);
      partials.set(key, partial);
    }
    const { reserved } = partial;
    // A duplicate: the first copy counts.
    if (reserved ? reserved.arrived[frame.index] === 1 : partial.pieces[frame.index] !== undefined) return undefined;
    if (!fitsSizes(partial, frame)) {
      this.report('DATA_INVALID_FRAME', 'A chunk has a size that does not fit its message; it was dropped', from);
      return undefined;
    }
    if (reserved) {
      reserved.arrived[frame.index] = 1;
      reserved.result.set(frame.payload, frame.index * partial.chunkSize);
    } else partial.pieces[frame.index] = frame.payload;
    partial.received++;
    partial.lastChunkAt = Date.now();
    if (partial.received < partial.count) return undefined;
    this.#drop(from, partial);
    return { topic: frame.topic, seq: frame.seq, payload: reserved ? reserved.result : concat(partial.pieces, partial.total) };
  }

  /** Forgets what one sender had in flight (it left). */
  forget(from: string): void {
    const partials = this.#bySender.get(from);
    if (!partials) return;
    for (const partial of partials.values()) this.#release(partial);
    this.#bySender.delete(from);
  }

  /** Forgets everything and stops every timer. */
  clear(): void {
    for (const partials of this.#bySender.values()) for (const partial of partials.values()) this.#release(partial);
    this.#bySender.clear();
    this.#dropped.clear();
  }

  #release(partial: Partial): void {
    partial.timer?.cancel();
    partial.timer = undefined;
    if (partial.reserved && !partial.released) {
      partial.released = true;
      this.#reserved -= partial.total;
    }
  }

  /**
   * Drops `partial` once no chunk of it came for the timeout. Counted from the last chunk rather than
   * the first: under the ACS durable cap (64 kbit/s) a 1 MB value takes two minutes to arrive, and
   * only a value that stopped arriving is lost. The timer is re-armed when it fires, not per chunk.
   */
  #expire(from: string, partial: Partial, reliability: DataReliability, delayMs: number): void {
    partial.timer = backgroundTimer(() => {
      partial.timer = undefined;
      const timeoutMs = this.limits.timeoutMs[reliability];
      const idle = Date.now() - partial.lastChunkAt;
      if (idle < timeoutMs) return this.#expire(from, partial, reliability, timeoutMs - idle);
      this.#drop(from, partial);
      this.#remember(from, partial);
      this.report('DATA_INCOMPLETE', `A ${partial.total}-byte message got no chunk for ${timeoutMs} ms and was dropped`, from);
    }, delayMs);
  }

  #remember(from: string, partial: Partial): void {
    this.#dropped.add(`${from}\n${partial.key}`);
    if (this.#dropped.size > 256) this.#dropped.delete(this.#dropped.values().next().value!);
  }

  #drop(from: string, partial: Partial): void {
    this.#release(partial);
    const partials = this.#bySender.get(from);
    if (!partials) return;
    partials.delete(partial.key);
    if (partials.size === 0) this.#bySender.delete(from);
  }
}

function concat(pieces: readonly (Uint8Array | undefined)[], total: number): Uint8Array {
  const payload = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    payload.set(piece!, offset);
    offset += piece!.length;
  }
  return payload;
}

/**
 * Whether a chunk's length is consistent with its message: every chunk but the last has the same
 * size, and the sizes add up to the total. Learns the chunk size from the first chunk that shows it.
 */
function fitsSizes(partial: Partial, frame: ChunkFrame): boolean {
  const isLast = frame.index === partial.count - 1;
  let chunkSize = partial.chunkSize;
  if (chunkSize === 0) {
    if (isLast) {
      const rest = partial.total - frame.payload.length;
      if (rest <= 0 || rest % (partial.count - 1) !== 0) return false;
      chunkSize = rest / (partial.count - 1);
    } else chunkSize = frame.payload.length;
    if (chunkSize * (partial.count - 1) >= partial.total || chunkSize * partial.count < partial.total) return false;
  }
  const expected = isLast ? partial.total - chunkSize * (partial.count - 1) : chunkSize;
  if (frame.payload.length !== expected) return false;
  partial.chunkSize = chunkSize;
  return true;
}
