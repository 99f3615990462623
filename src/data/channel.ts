import { disposedError, SessionError } from '../errors.js';
import { EventSourceBase } from '../events/event-source.js';
import type { ErrorEvent, EventIterator, EventNames, EventsOptions } from '../events/types.js';
import type { AbortSignalLike } from '../internal/abort.js';
import { isTextCodec, type Codec, type TextCodec } from './codec.js';
import { remoteInputError } from './remote-error.js';
import type { DataParticipant, DataRecipient } from './participant.js';
import type { DataReliability } from './transport.js';

/**
 * One value received on a channel.
 * @example
 * ```ts
 * cursor.on('message', ({ value, from, topic }) => draw(from.rawId, value));
 * ```
 */
export interface ChannelMessageEvent<T> {
  /** Always `'message'`. */
  readonly type: 'message';
  /** The decoded value. */
  readonly value: T;
  /** Who sent it. */
  readonly from: DataParticipant;
  /** The channel's topic. */
  readonly topic: string;
}

/**
 * The events of a {@link CallDataChannel}.
 * @example
 * ```ts
 * const events: Array<keyof ChannelEvents<string>> = ['message', 'error'];
 * ```
 */
export interface ChannelEvents<T> {
  /** A value arrived. */
  message: ChannelMessageEvent<T>;
  /** A listener threw. */
  error: ErrorEvent;
}

/**
 * Options for {@link CallDataChannel.send}.
 * @example
 * ```ts
 * await channel.send({ x: 1 }, { to: participant, signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface ChannelSendOptions {
  /** Recipients; absent or empty: everyone in the call. */
  readonly to?: DataRecipient | readonly DataRecipient[] | undefined;
  /** Stops the send: before it started, it rejects with `ABORTED`; mid-way, the rest is not sent (receivers drop the part). */
  readonly signal?: AbortSignalLike | undefined;
}

const CHANNEL_EVENT_NAMES = { message: true, error: true } as const satisfies EventNames<ChannelEvents<unknown>>;

/** @internal What a channel needs from its CallData. */
export interface ChannelHost {
  sendPayload(topicId: number, payload: Uint8Array, reliability: DataReliability, options: ChannelSendOptions): Promise<void>;
  /** Sends the UTF-8 of `text` as the payload, encoded straight into the frame when it fits one. */
  sendText(topicId: number, text: string, reliability: DataReliability, options: ChannelSendOptions): Promise<void>;
  closeChannel(topicId: number): void;
  /** Where the channel's errors go when nobody listens for them on the channel. */
  reportUnhandled(error: SessionError, source: string): void;
}

/**
 * A named stream of typed values over the call, made by {@link CallData.channel}. Many channels
 * share the transport; each has its codec and reliability.
 *
 * @example
 * ```ts
 * const cursor = data.channel<{ x: number; y: number }>('cursor', { reliability: 'lossy' });
 * cursor.on('message', ({ value, from }) => moveCursor(from.rawId, value));
 * await cursor.send({ x: 10, y: 20 });
 * for await (const { value } of cursor.messages({ signal })) console.log(value);
 * cursor.close();
 * ```
 */
export class CallDataChannel<T> extends EventSourceBase<ChannelEvents<T>> {
  #closed = false;
  readonly #textCodec: TextCodec<T> | undefined;

  /** @internal */
  constructor(
    /** The topic name, as given to `channel()`. */
    readonly topic: string,
    /** How the channel's frames travel. */
    readonly reliability: DataReliability,
    private readonly topicId: number,
    private readonly codec: Codec<T>,
    private readonly host: ChannelHost,
  ) {
    super(`The data channel '${topic}'`, CHANNEL_EVENT_NAMES);
    this.stream.bubbleTo((error, source) => host.reportUnhandled(error, source));
    this.#textCodec = isTextCodec(codec) ? codec : undefined;
  }

  /** Whether {@link CallDataChannel.close} was called (or the CallData closed). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one value; resolves once all of its frames were handed to the transport (not when they
   * arrived). Values larger than one frame are split and put back together on the other side. The
   * value is encoded when this is called, so a buffer passed in may be reused at once.
   * @throws SessionError `INVALID_ARGUMENT` (the codec refused the value or a recipient is not an
   * identifier), `DATA_TOO_LARGE` (over `maxMessageBytes`), `DATA_QUEUE_FULL`, `ABORTED`, `DISPOSED`.
   * @example
   * ```ts
   * await chat.send({ text: 'hi' }, { to: [participant] });
   * ```
   */
  send(value: T, options: ChannelSendOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(disposedError(`The data channel '${this.topic}'`));
    let payload: Uint8Array | string;
    try {
      payload = this.#textCodec ? this.#textCodec.toText(value) : this.codec.encode(value);
    } catch (error) {
      return Promise.reject(
        error instanceof SessionError
          ? error
          : new SessionError('INVALID_ARGUMENT', `The codec of '${this.topic}' could not encode the value`, { cause: error }),
      );
    }
    return typeof payload === 'string'
      ? this.host.sendText(this.topicId, payload, this.reliability, options)
      : this.host.sendPayload(this.topicId, payload, this.reliability, options);
  }

  /**
   * The channel's values as an async iterator; ends when the channel closes or `signal` fires.
   * @example
   * ```ts
   * for await (const { value, from } of chat.messages()) console.log(from.rawId, value);
   * ```
   */
  messages(options: Omit<EventsOptions<'message'>, 'types'> = {}): EventIterator<ChannelMessageEvent<T>> {
    return this.stream.events({ ...options, types: ['message'] });
  }

  /**
   * Stops receiving and sending on this topic: removes every listener and ends every iterator.
   * Messages that arrive later for the topic are held briefly for a channel opened again. Idempotent.
   * @example
   * ```ts
   * cursor.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.host.closeChannel(this.topicId);
    this.stream.close();
  }

  /** @internal Decodes and delivers one payload; returns a failure to report instead of throwing. */
  receive(payload: Uint8Array, from: DataParticipant): SessionError | undefined {
    let value: T;
    try {
      value = this.codec.decode(payload);
    } catch (error) {
      return remoteInputError('DATA_DECODE_FAILED', `A message on '${this.topic}' could not be decoded; it was dropped`, { cause: error });
    }
    this.stream.emit({ type: 'message', value, from, topic: this.topic });
    return undefined;
  }
}
