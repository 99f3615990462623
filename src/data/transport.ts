import type { Unsubscribe } from '../events/types.js';

/**
 * How a frame travels. `durable`: ordered and not dropped (ACS: up to the server). `lossy`: may be
 * dropped or reordered, and its `send` resolves even when it was dropped; cheaper and faster.
 * @example
 * ```ts
 * const reliability: DataReliability = 'lossy';
 * ```
 */
export type DataReliability = 'durable' | 'lossy';

/**
 * Options for {@link DataTransport.send}.
 * @example
 * ```ts
 * await transport.send(frame, { reliability: 'durable', to: ['8:acs:…'] });
 * ```
 */
export interface TransportSendOptions {
  /** Raw ids of the recipients. Empty or absent: everyone in the call. */
  readonly to?: readonly string[] | undefined;
  /** Which channel carries the frame. */
  readonly reliability: DataReliability;
}

/**
 * One frame as a transport delivers it.
 * @example
 * ```ts
 * transport.onMessage(({ bytes, from, reliability }) => console.log(from, reliability, bytes.length));
 * ```
 */
export interface TransportMessage {
  /** The frame, exactly as the remote sent it. The receiver may keep it; the transport does not reuse it. */
  readonly bytes: Uint8Array;
  /** The sender's raw id (`8:acs:…`), as the transport authenticated it. */
  readonly from: string;
  /** The channel it came on. */
  readonly reliability: DataReliability;
}

/**
 * The port the data-channel helper runs on: something that moves binary frames of at most
 * `maxMessageSize` bytes between the participants of a call. The ACS DataChannel feature
 * ({@link createAcsDataTransport}), the emulator's relay and the in-memory transport
 * ({@link createMemoryNetwork}) implement it; anything else that can (a WebSocket relay, a
 * WebRTC data channel) can be plugged in too.
 *
 * Contract:
 * - `send` refuses empty frames and frames over `maxMessageSize` (`INVALID_ARGUMENT`, `DATA_TOO_LARGE`)
 *   and resolves once the transport took the frame (not when it arrived); frames sent on one
 *   reliability are handed over in the order of the calls.
 * - A transport never delivers a frame sent by its own participant back to it.
 * - Frames that arrive while nobody listens may be dropped; listen with `onMessage` as soon as the
 *   transport exists (ACS drops them too).
 *
 * @example
 * ```ts
 * const transport: DataTransport = {
 *   maxMessageSize: 16_384,
 *   send: (bytes, { to, reliability }) => relay.send({ bytes, to, reliability }),
 *   onMessage: (listener) => relay.subscribe(listener),
 *   close: () => relay.close(),
 * };
 * const data = createCallData(transport);
 * ```
 */
export interface DataTransport {
  /**
   * The largest frame `send` takes, in bytes. May be read again at any time (ACS reports it at
   * run time); the helper splits every value to fit the current value.
   */
  readonly maxMessageSize: number;
  /**
   * The bitrate the transport allows per reliability, in kilobits per second, when it is capped
   * (ACS: durable 64, lossy 512). The helper paces its sends under it. Absent: no pacing.
   */
  readonly bitrateKbps?: Partial<Record<DataReliability, number>> | undefined;
  /** Hands one frame to the transport. Rejects with a `SessionError`. */
  send(bytes: Uint8Array, options: TransportSendOptions): Promise<void>;
  /** Calls `listener` for every frame from a remote, until the returned function is called. */
  onMessage(listener: (message: TransportMessage) => void): Unsubscribe;
  /**
   * Calls `listener` with the raw id of each participant that left the call, for transports that
   * know the membership (the emulator's relay, the in-memory network). The helper then fails what
   * waits on that participant (`PARTICIPANT_LEFT`) and drops what it held from it, instead of waiting
   * for timeouts.
   */
  onParticipantLeft?(listener: (rawId: string) => void): Unsubscribe;
  /** Releases what the transport holds (senders, receivers, timers). Idempotent. */
  close?(): void;
}
