import { SessionError, disposedError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import type { DataReliability, DataTransport, TransportMessage, TransportSendOptions } from './transport.js';

/**
 * Options for {@link createMemoryNetwork}. Loss and reordering apply to `lossy` frames only, as on ACS.
 * @example
 * ```ts
 * createMemoryNetwork({ maxMessageSize: 1024, latencyMs: 5, loss: 0.1, reorder: 0.2, random: seededRandom(1) });
 * ```
 */
export interface MemoryNetworkOptions {
  /** Largest frame, in bytes. Default 32 768 (the ACS DataChannel limit). */
  maxMessageSize?: number | undefined;
  /** Delay of every frame, in ms. Default 0 (delivered on a microtask, never synchronously). */
  latencyMs?: number | undefined;
  /** Probability (0–1) that a lossy frame is dropped. Default 0. */
  loss?: number | undefined;
  /** Probability (0–1) that a lossy frame is held back a few ms, so later frames overtake it. Default 0. */
  reorder?: number | undefined;
  /** Bitrate caps the transports report (see {@link DataTransport.bitrateKbps}). Default: none. */
  bitrateKbps?: Partial<Record<DataReliability, number>> | undefined;
  /** Source of randomness for loss and reordering; pass a seeded one for repeatable tests. Default `Math.random`. */
  random?: (() => number) | undefined;
}

/**
 * A {@link DataTransport} of a {@link MemoryNetwork}, plus test hooks.
 * @example
 * ```ts
 * const ada = network.connect('8:acs:ada');
 * ada.deliverRaw(Uint8Array.of(0xff), { from: '8:acs:mallory' }); // feed a hostile frame
 * ```
 */
export interface MemoryTransport extends DataTransport {
  /** Calls `listener` when another participant leaves the network. */
  onParticipantLeft(listener: (rawId: string) => void): Unsubscribe;
  /** This participant's raw id. */
  readonly self: string;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** Hands `bytes` to this transport's listeners as if `from` had sent them (synchronously). */
  deliverRaw(bytes: Uint8Array, options: { from: string; reliability?: DataReliability | undefined }): void;
  /** Leaves the network (the others hear of it through `onParticipantLeft`); frames in flight to this participant are discarded. Idempotent. */
  close(): void;
}

/**
 * A call's worth of participants connected in memory, for tests and benchmarks.
 * @example
 * ```ts
 * const network = createMemoryNetwork({ maxMessageSize: 1024 });
 * const [ada, grace] = [network.connect('8:acs:ada'), network.connect('8:acs:grace')];
 * ```
 */
export interface MemoryNetwork {
  /** Joins the network as `rawId` and returns that participant's transport. */
  connect(rawId: string): MemoryTransport;
  /** Raw ids of the connected participants. */
  readonly participants: readonly string[];
}

/**
 * Creates an in-memory network of {@link DataTransport}s with configurable frame size, latency,
 * loss and reordering. Frames are copied on send, like a real network.
 * @throws SessionError `INVALID_OPTIONS` for out-of-range options.
 * @example
 * ```ts
 * const network = createMemoryNetwork({ loss: 0.05, random: seededRandom(42) });
 * const a = createCallData(network.connect('8:acs:a'));
 * const b = createCallData(network.connect('8:acs:b'));
 * ```
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const maxMessageSize = options.maxMessageSize ?? 32_768;
  const latencyMs = options.latencyMs ?? 0;
  const loss = options.loss ?? 0;
  const reorder = options.reorder ?? 0;
  const random = options.random ?? Math.random;
  const problems: string[] = [];
  if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1) problems.push('maxMessageSize must be a positive integer');
  if (!(latencyMs >= 0)) problems.push('latencyMs must be 0 or more');
  if (!(loss >= 0 && loss <= 1)) problems.push('loss must be between 0 and 1');
  if (!(reorder >= 0 && reorder <= 1)) problems.push('reorder must be between 0 and 1');
  if (problems.length > 0) throw new SessionError('INVALID_OPTIONS', `Invalid memory network options: ${problems.join('; ')}`);

  const members = new Map<string, Member>();

  class Member implements MemoryTransport {
    readonly maxMessageSize = maxMessageSize;
    readonly bitrateKbps = options.bitrateKbps;
    readonly #listeners = new Set<(message: TransportMessage) => void>();
    readonly #inFlight = new Set<ReturnType<typeof setTimeout>>();
    readonly #departures = new Set<(rawId: string) => void>();
    #closed = false;

    constructor(readonly self: string) {}

    get closed(): boolean {
      return this.#closed;
    }

    async send(bytes: Uint8Array, { to, reliability }: TransportSendOptions): Promise<void> {
      if (this.#closed) throw disposedError('The memory transport');
      if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new SessionError('INVALID_ARGUMENT', 'A frame must be a non-empty Uint8Array');
      if (bytes.length > maxMessageSize) throw new SessionError('DATA_TOO_LARGE', `A ${bytes.length}-byte frame is over maxMessageSize (${maxMessageSize})`);
      const recipients = to && to.length > 0 ? to : members.keys();
      // One copy for all recipients: the sender may reuse its buffer, the receivers do not write to frames.
      let copy: Uint8Array | undefined;
      for (const rawId of recipients) {
        const member = members.get(rawId);
        if (!member || member === this) continue;
        let delay = latencyMs;
        if (reliability === 'lossy') {
          if (loss > 0 && random() < loss) continue;
          if (reorder > 0 && random() < reorder) delay += 1 + Math.floor(random() * 4);
        }
        member.#schedule({ bytes: (copy ??= bytes.slice()), from: this.self, reliability }, delay);
      }
    }

    onMessage(listener: (message: TransportMessage) => void): Unsubscribe {
      const wrapped = (message: TransportMessage) => listener(message);
      this.#listeners.add(wrapped);
      return () => this.#listeners.delete(wrapped);
    }

    onParticipantLeft(listener: (rawId: string) => void): Unsubscribe {
      const wrapped = (rawId: string) => listener(rawId);
      this.#departures.add(wrapped);
      return () => this.#departures.delete(wrapped);
    }

    deliverRaw(bytes: Uint8Array, { from, reliability = 'durable' }: { from: string; reliability?: DataReliability | undefined }): void {
      this.#deliver({ bytes, from, reliability });
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      for (const handle of this.#inFlight) clearTimeout(handle);
      this.#inFlight.clear();
      this.#listeners.clear();
      this.#departures.clear();
      if (members.get(this.self) !== this) return;
      members.delete(this.self);
      for (const member of members.values()) member.#left(this.self);
    }

    #left(rawId: string): void {
      for (const listener of [...this.#departures]) listener(rawId);
    }

    #schedule(message: TransportMessage, delay: number): void {
      if (delay === 0) {
        queueMicrotask(() => this.#deliver(message));
        return;
      }
      const handle = setTimeout(() => {
        this.#inFlight.delete(handle);
        this.#deliver(message);
      }, delay);
      this.#inFlight.add(handle);
    }

    #deliver(message: TransportMessage): void {
      if (this.#closed) return;
      for (const listener of [...this.#listeners]) listener(message);
    }
  }

  return {
    connect(rawId) {
      if (typeof rawId !== 'string' || rawId === '') throw new SessionError('INVALID_ARGUMENT', 'connect() needs a raw id');
      if (members.has(rawId)) throw new SessionError('INVALID_ARGUMENT', `${rawId} is already connected`);
      const member = new Member(rawId);
      members.set(rawId, member);
      return member;
    },
    get participants() {
      return [...members.keys()];
    },
  };
}
