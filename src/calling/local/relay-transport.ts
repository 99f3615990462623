import type { DataReliability, DataTransport, TransportMessage, TransportSendOptions } from '../../data/transport.js';
import { SessionError } from '../../errors.js';
import type { Unsubscribe } from '../../events/types.js';
import { encodeRelayFrame } from './protocol.js';

/** What the relay transport needs of the provider's socket. @internal */
export interface RelayLink {
  readonly maxMessageSize: number;
  sendFrame(frame: Uint8Array): Promise<void>;
}

// The relay carries one channel per reliability; it is a TCP socket, so lossy frames arrive too.
const CHANNEL: Readonly<Record<DataReliability, number>> = { durable: 1, lossy: 2 };
const MAX_RECIPIENTS = 64;
/** Frames kept until `call.data` listens: the socket can deliver one in the same tick as the call itself. */
const EARLY_FRAME_LIMIT = 256;

/**
 * The data-channel helper's {@link DataTransport} on the local provider: frames relayed by the
 * emulator's call service to the others in the call, with the membership the service reports, so
 * the helper learns at once when a participant left.
 * @internal
 */
export class RelayTransport implements DataTransport {
  readonly #callId: string;
  readonly #link: RelayLink;
  readonly #messageListeners = new Set<(message: TransportMessage) => void>();
  readonly #leftListeners = new Set<(rawId: string) => void>();
  readonly #early: TransportMessage[] = [];
  #members = new Set<string>();
  #closed = false;

  constructor(callId: string, link: RelayLink) {
    this.#callId = callId;
    this.#link = link;
  }

  get maxMessageSize(): number {
    return this.#link.maxMessageSize;
  }

  async send(bytes: Uint8Array, options: TransportSendOptions): Promise<void> {
    if (this.#closed) throw new SessionError('CALL_ENDED', 'The call has ended');
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new SessionError('INVALID_ARGUMENT', 'A data frame must not be empty');
    if (bytes.length > this.maxMessageSize)
      throw new SessionError('DATA_TOO_LARGE', `A data frame holds at most ${this.maxMessageSize} bytes, got ${bytes.length}`);
    const ch = CHANNEL[options.reliability];
    if (ch === undefined) throw new SessionError('INVALID_ARGUMENT', `reliability must be 'durable' or 'lossy', got ${String(options.reliability)}`);
    const to = options.to ?? [];
    if (to.length === 0) {
      await this.#link.sendFrame(encodeRelayFrame({ c: this.#callId, ch }, bytes));
      return;
    }
    // The service takes 64 recipients per frame, as ACS does: more go out as several frames.
    for (let i = 0; i < to.length; i += MAX_RECIPIENTS) {
      await this.#link.sendFrame(encodeRelayFrame({ c: this.#callId, ch, to: to.slice(i, i + MAX_RECIPIENTS) }, bytes));
    }
  }

  onMessage(listener: (message: TransportMessage) => void): Unsubscribe {
    this.#messageListeners.add(listener);
    for (const message of this.#early.splice(0)) listener(message);
    return () => {
      this.#messageListeners.delete(listener);
    };
  }

  onParticipantLeft(listener: (rawId: string) => void): Unsubscribe {
    this.#leftListeners.add(listener);
    return () => {
      this.#leftListeners.delete(listener);
    };
  }

  close(): void {
    this.#closed = true;
    this.#messageListeners.clear();
    this.#leftListeners.clear();
    this.#early.length = 0;
  }

  /** A relayed frame arrived. */
  deliver(bytes: Uint8Array, from: string, ch: number): void {
    if (this.#closed) return;
    const message: TransportMessage = { bytes, from, reliability: ch === CHANNEL.lossy ? 'lossy' : 'durable' };
    if (this.#messageListeners.size === 0) {
      if (this.#early.length < EARLY_FRAME_LIMIT) this.#early.push(message);
      return;
    }
    for (const listener of [...this.#messageListeners]) listener(message);
  }

  /** The connected participants now; those gone since the last view are reported as left. */
  members(rawIds: readonly string[]): void {
    const next = new Set(rawIds);
    const left = [...this.#members].filter((rawId) => !next.has(rawId));
    this.#members = next;
    for (const rawId of left) for (const listener of [...this.#leftListeners]) listener(rawId);
  }
}
