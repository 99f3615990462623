import type { Unsubscribe } from '../events/types.js';

/**
 * How a data frame is carried: `durable` (ordered, no loss up to the server) or `lossy` (may
 * reorder and drop; faster). ACS DataChannel reliabilities.
 */
export type DataReliability = 'durable' | 'lossy';

/**
 * One binary frame received over a call.
 * @example
 * ```ts
 * transport.onMessage(({ bytes, from, channelId }) => console.log(channelId, from, bytes.length));
 * ```
 */
export interface DataFrame {
  /** The payload, at most `maxMessageSize` bytes. */
  readonly bytes: Uint8Array;
  /** The sender's raw id. */
  readonly from: string;
  /** The channel it was sent on (app channels are 1–1023). */
  readonly channelId: number;
}

/**
 * Options of {@link DataTransport.send}.
 * @example
 * ```ts
 * await transport.send(bytes, { channelId: 7, reliability: 'lossy', to: ['8:acs:…'] });
 * ```
 */
export interface DataSendOptions {
  /** The channel (1–1023 for apps). */
  channelId: number;
  /** Durable or lossy. */
  reliability: DataReliability;
  /** Raw ids of the recipients; default everyone else in the call. */
  to?: readonly string[] | undefined;
}

/**
 * The frame carrier that the data-channel helper (`call.data`) builds on: one-way binary frames
 * of at most `maxMessageSize` bytes between the participants of one call. The local provider
 * implements it over the emulator's relay; the Azure DataChannel feature and an in-memory pair
 * are the other implementations.
 *
 * @example
 * ```ts
 * const off = transport.onMessage((frame) => handle(frame));
 * await transport.send(new Uint8Array([1, 2, 3]), { channelId: 1, reliability: 'durable' });
 * off();
 * ```
 */
export interface DataTransport {
  /** The largest frame `send` accepts, in bytes (32 768 on ACS; trust this runtime value). */
  readonly maxMessageSize: number;
  /**
   * Sends one frame. Resolves when the frame was handed to the network.
   * @throws SessionError `INVALID_ARGUMENT` (empty or oversized frame, bad channel); `CALL_ENDED`.
   */
  send(bytes: Uint8Array, options: DataSendOptions): Promise<void>;
  /** Calls `listener` for every frame received; returns the unsubscribe. */
  onMessage(listener: (frame: DataFrame) => void): Unsubscribe;
}
