import { SessionError, disposedError } from '../errors.js';
import { EventSourceBase } from '../events/event-source.js';
import type { ErrorEvent, EventNames, Unsubscribe } from '../events/types.js';
import type { AbortSignalLike } from '../internal/abort.js';
import { CallDataChannel, type ChannelHost, type ChannelSendOptions } from './channel.js';
import { resolveCodec, type Codec, type CodecName } from './codec.js';
import { FileService, type ControlMessage, type FileSource, type SendFileOptions } from './files.js';
import {
  FILE_CONTROL_TOPIC,
  FrameKind,
  MIN_FRAME_SIZE,
  RESERVED_TOPICS,
  RPC_TOPIC,
  decodeFrame,
  encodeMessage,
  encodeTextMessage,
  frameMessage,
  messageHeaderLength,
  messagePayloadOffset,
  messageTopic,
  topicId,
} from './frame.js';
import type { IncomingFile } from './incoming-file.js';
import { resolveCallDataOptions, type CallDataOptions, type ResolvedCallDataOptions } from './options.js';
import { Outbox } from './outbox.js';
import { participantFromRawId, recipientRawId, recipientRawIds, type DataParticipant } from './participant.js';
import { Reassembler } from './reassembler.js';
import { remoteInputError } from './remote-error.js';
import { RpcEndpoint, type RpcHandler, type RpcRequestOptions } from './rpc.js';
import type { DataReliability, DataTransport, TransportMessage } from './transport.js';

/**
 * Options for {@link CallData.channel}.
 * @example
 * ```ts
 * data.channel<Uint8Array>('audio-levels', { reliability: 'lossy', codec: 'binary' });
 * ```
 */
export interface ChannelOptions<T> {
  /** `durable` (default): ordered, nothing dropped. `lossy`: faster, may drop or reorder whole messages. */
  reliability?: DataReliability | undefined;
  /** `json` (default), `text`, `binary`, or your own {@link Codec}. Both sides must use the same. */
  codec?: CodecName | Codec<T> | undefined;
}

/**
 * A remote started sending a file. Without an `incomingFile` listener, offers are refused.
 * @example
 * ```ts
 * data.on('incomingFile', async ({ file }) => save(file.name, await file.bytes()));
 * ```
 */
export interface IncomingFileEvent {
  /** Always `'incomingFile'`. */
  readonly type: 'incomingFile';
  /** The file being received. */
  readonly file: IncomingFile;
}

/**
 * Something a remote sent was dropped: a malformed frame, a message that stayed incomplete or was
 * too large, a value the codec could not decode. Nothing is thrown at the app for remote input.
 * @example
 * ```ts
 * data.on('dataError', ({ error, from }) => console.warn(error.code, from?.rawId));
 * ```
 */
export interface DataErrorEvent {
  /** Always `'dataError'`. */
  readonly type: 'dataError';
  /** What happened: `DATA_INVALID_FRAME`, `DATA_INCOMPLETE`, `DATA_TOO_LARGE`, `DATA_DECODE_FAILED`, `DATA_QUEUE_FULL`, … */
  readonly error: SessionError;
  /** Who sent the dropped data, when known. */
  readonly from: DataParticipant | undefined;
}

/**
 * The events of {@link CallData}.
 * @example
 * ```ts
 * const types: Array<keyof CallDataEvents> = ['incomingFile', 'dataError', 'error'];
 * ```
 */
export interface CallDataEvents {
  /** A remote started sending a file. */
  incomingFile: IncomingFileEvent;
  /** Remote data was dropped. */
  dataError: DataErrorEvent;
  /** A listener threw. */
  error: ErrorEvent;
}

/**
 * Where a CallData also reports its `incomingFile` and `dataError` events: the session stream, for
 * `call.data`. A file is offered when either side has an `incomingFile` listener.
 * @internal
 */
export interface CallDataRelay {
  wantsFiles(): boolean;
  incomingFile(file: IncomingFile): void;
  dataError(error: SessionError, from: DataParticipant | undefined): void;
  /** An error (a throwing listener) that nobody listens for on `call.data` or its channels. */
  error(error: SessionError, source: string): void;
}

/** What CallData needs of a channel, whatever its value type. */
type ChannelSink = Pick<CallDataChannel<unknown>, 'topic' | 'closed' | 'close' | 'receive'>;

const textEncoder = new TextEncoder();

const CALL_DATA_EVENT_NAMES = { incomingFile: true, dataError: true, error: true } as const satisfies EventNames<CallDataEvents>;

interface Unclaimed {
  readonly payload: Uint8Array;
  readonly from: DataParticipant;
  readonly at: number;
}

/** Messages for a topic nobody opened yet are held this long, so a channel opened a moment late still gets them. */
const UNCLAIMED_MS = 10_000;
const UNCLAIMED_PER_TOPIC = 16;
/** At most 16 topics × 16 messages × 8 KiB = 2 MiB held for topics nobody opened. */
const UNCLAIMED_TOPICS = 16;
const UNCLAIMED_MAX_BYTES = 8 * 1024;

/**
 * Any payload over a call: typed channels by topic, chunking past the transport's frame size,
 * request/response RPC, file transfer with progress, and paced, bounded sending. Made by
 * {@link createCallData} over a {@link DataTransport}; it will be `call.data` on calls.
 *
 * @example
 * ```ts
 * const data = createCallData(transport);
 * const chat = data.channel<{ text: string }>('chat');
 * chat.on('message', ({ value, from }) => console.log(from.rawId, value.text));
 * await chat.send({ text: 'hello' });
 *
 * data.handle('getState', async () => ({ slide: 3 }));
 * const state = await data.request('getState', {}, { to: participant, timeoutMs: 5_000 });
 *
 * data.on('incomingFile', async ({ file }) => save(file.name, await file.bytes()));
 * await data.sendFile(bytes, { name: 'notes.txt', to: participant, onProgress: console.log });
 * data.close();
 * ```
 */
export class CallData extends EventSourceBase<CallDataEvents> {
  readonly #transport: DataTransport;
  readonly #options: ResolvedCallDataOptions;
  readonly #channels = new Map<number, ChannelSink>();
  readonly #unclaimed = new Map<number, Unclaimed[]>();
  readonly #sequences = new Map<number, number>();
  readonly #outboxes: Record<DataReliability, Outbox>;
  readonly #reassembler: Reassembler;
  readonly #rpc: RpcEndpoint;
  readonly #files: FileService;
  readonly #channelHost: ChannelHost;
  readonly #stopListening: Unsubscribe;
  #relay: CallDataRelay | undefined;
  #closed = false;

  /** @internal Use {@link createCallData}. `relay` also gets `incomingFile`/`dataError` (the session stream, for `call.data`). */
  constructor(transport: DataTransport, options: CallDataOptions = {}, relay?: CallDataRelay) {
    super('The call data', CALL_DATA_EVENT_NAMES);
    // Before anything can arrive: a transport hands over held frames as soon as someone listens.
    this.#relay = relay;
    if (relay) this.stream.bubbleTo((error, source) => relay.error(error, source));
    if (typeof transport !== 'object' || transport === null || typeof transport.send !== 'function' || typeof transport.onMessage !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', 'createCallData needs a DataTransport ({ maxMessageSize, send, onMessage })');
    }
    if (!(transport.maxMessageSize >= MIN_FRAME_SIZE)) {
      throw new SessionError('INVALID_ARGUMENT', `The transport's maxMessageSize (${transport.maxMessageSize}) is below ${MIN_FRAME_SIZE} bytes`);
    }
    this.#transport = transport;
    const resolved = resolveCallDataOptions(options);
    this.#options = resolved;
    const outbox = (reliability: DataReliability) =>
      new Outbox(transport, {
        reliability,
        maxQueuedBytes: resolved.maxQueuedBytes,
        bitrateKbps: resolved.bitrateKbps?.[reliability] ?? transport.bitrateKbps?.[reliability],
      });
    this.#outboxes = { durable: outbox('durable'), lossy: outbox('lossy') };
    this.#reassembler = new Reassembler(
      { maxMessageBytes: resolved.maxMessageBytes, maxPartialMessages: resolved.maxPartialMessages, timeoutMs: resolved.reassemblyTimeoutMs },
      (code, message, from) => this.#dataError(remoteInputError(code, message), from),
    );
    this.#rpc = new RpcEndpoint(
      (payload, to) => this.#sendInternal(RPC_TOPIC, payload, [to]),
      (error, from) => this.#dataError(error, from),
      resolved.rpcTimeoutMs,
    );
    const encoder = new TextEncoder();
    this.#files = new FileService(
      {
        get maxFrameSize() {
          return transport.maxMessageSize;
        },
        sendControl: (body: ControlMessage, to) => this.#sendInternal(FILE_CONTROL_TOPIC, encoder.encode(JSON.stringify(body)), to),
        sendData: (lane, frame, bytes, to, signal) => this.#outboxes.durable.push(lane, [frame], bytes, to, signal),
        offerIncoming: (file) => {
          const relay = this.#relay;
          if (this.stream.listenerCount('incomingFile') === 0 && !relay?.wantsFiles()) return false;
          this.stream.emit({ type: 'incomingFile', file });
          relay?.incomingFile(file);
          return true;
        },
        report: (error, from) => this.#dataError(error, from),
        listenerFailed: (thrown, source) =>
          this.stream.reportError(new SessionError('LISTENER_FAILED', `A ${source.slice('listener:'.length)} listener threw`, { cause: thrown }), source),
      },
      { maxFileBytes: resolved.maxFileBytes, maxIncomingFiles: resolved.maxIncomingFiles, fileIdleTimeoutMs: resolved.fileIdleTimeoutMs },
    );
    this.#channelHost = {
      sendPayload: (id, payload, reliability, sendOptions) => this.#sendPayload(id, payload, reliability, sendOptions),
      sendText: (id, text, reliability, sendOptions) => this.#sendText(id, text, reliability, sendOptions),
      closeChannel: (id) => this.#channels.delete(id),
      reportUnhandled: (error, source) => this.stream.reportError(error, source),
    };
    // Subscribe last and at once: a transport may deliver frames as soon as someone listens.
    const stopMessages = transport.onMessage((message) => this.#receive(message));
    const stopDepartures = transport.onParticipantLeft?.((rawId) => this.#participantLeft(rawId));
    this.#stopListening = () => {
      stopMessages();
      stopDepartures?.();
    };
  }

  /** Whether {@link CallData.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Bytes waiting in the send queues (both reliabilities): a measure of backpressure.
   * @example
   * ```ts
   * if (data.queuedBytes > 1_000_000) await chat.send(value); // wait for this one before sending more
   * ```
   */
  get queuedBytes(): number {
    return this.#outboxes.durable.queuedBytes + this.#outboxes.lossy.queuedBytes;
  }

  /**
   * Opens the channel for `topic`. One open channel per topic; close it to open it again. Values
   * that arrived for the topic shortly before it was opened are delivered right after.
   * @throws SessionError `INVALID_ARGUMENT` (empty topic, topic already open, unknown codec), `DISPOSED`.
   * @example
   * ```ts
   * const cursor = data.channel<{ x: number; y: number }>('cursor', { reliability: 'lossy' });
   * ```
   */
  channel<T = unknown>(topic: string, options: ChannelOptions<T> = {}): CallDataChannel<T> {
    if (this.#closed) throw disposedError('The call data');
    if (typeof topic !== 'string' || topic === '' || topic.length > 256)
      throw new SessionError('INVALID_ARGUMENT', 'A topic must be a string of 1 to 256 characters');
    const reliability = options.reliability ?? 'durable';
    if (reliability !== 'durable' && reliability !== 'lossy')
      throw new SessionError('INVALID_ARGUMENT', `Unknown reliability ${String(reliability)}: use 'durable' or 'lossy'`);
    const codec = resolveCodec(options.codec);
    const id = topicId(topic);
    const open = this.#channels.get(id);
    if (open) {
      throw new SessionError(
        'INVALID_ARGUMENT',
        open.topic === topic
          ? `The channel '${topic}' is already open; close it first`
          : `The topics '${topic}' and '${open.topic}' share a topic id; rename one`,
      );
    }
    const channel = new CallDataChannel<T>(topic, reliability, id, codec, this.#channelHost);
    this.#channels.set(id, channel);
    const held = this.#unclaimed.get(id);
    if (held) {
      this.#unclaimed.delete(id);
      // After the caller attached its listeners, which it does right after this returns.
      queueMicrotask(() => {
        const cutoff = Date.now() - UNCLAIMED_MS;
        for (const message of held) if (message.at >= cutoff && !channel.closed) this.#deliverTo(channel, message.payload, message.from);
      });
    }
    return channel;
  }

  /**
   * Answers `method` requests from remotes with `handler`. Returns a function that removes it.
   * @throws SessionError `INVALID_ARGUMENT` (empty method, not a function, method already handled), `DISPOSED`.
   * @example
   * ```ts
   * const off = data.handle<{ key: string }, number>('get', ({ key }, { from }) => store.get(key) ?? 0);
   * ```
   */
  handle<P = unknown, R = unknown>(method: string, handler: RpcHandler<P, R>): Unsubscribe {
    if (this.#closed) throw disposedError('The call data');
    return this.#rpc.handle(method, handler as RpcHandler);
  }

  /**
   * Sends a request to one participant's `method` handler and resolves with its answer. The
   * payload and the answer are JSON values (any size: they are chunked).
   * @throws SessionError `RPC_TIMEOUT`, `RPC_UNKNOWN_METHOD`, `RPC_REMOTE_ERROR` (the handler threw;
   * `cause` is {@link RpcErrorDetails}), `ABORTED`, `INVALID_ARGUMENT` (no `to`, a payload that is not
   * JSON), `DATA_TOO_LARGE`, `DISPOSED`.
   * @example
   * ```ts
   * const state = await data.request<{ slide: number }>('getState', {}, { to: participant, timeoutMs: 5_000 });
   * ```
   */
  request<R = unknown>(method: string, payload: unknown, options: RpcRequestOptions): Promise<R> {
    if (this.#closed) return Promise.reject(disposedError('The call data'));
    let to: string;
    try {
      if (options?.to === undefined) throw new SessionError('INVALID_ARGUMENT', 'request() needs `to`: the participant that answers');
      to = recipientRawId(options.to);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#rpc.request(method, payload, to, options) as Promise<R>;
  }

  /**
   * Sends a file (or any stream of bytes) on the durable channel; resolves once the last piece was
   * handed to the transport. Receivers get an `incomingFile` event. The source is read as it is sent:
   * leave a `Uint8Array` or `ArrayBuffer` unchanged until this settles.
   * @throws SessionError `INVALID_ARGUMENT` (no name, unsupported source), `ABORTED` (your signal),
   * `TRANSFER_CANCELLED` (every recipient refused or cancelled), `DATA_QUEUE_FULL`, `DISPOSED`.
   * @example
   * ```ts
   * await data.sendFile(input.files[0], {
   *   name: input.files[0].name,
   *   to: participant,
   *   onProgress: ({ transferred, size }) => (bar.value = transferred / (size ?? 1)),
   *   signal,
   * });
   * ```
   */
  sendFile(source: FileSource, options: SendFileOptions): Promise<void> {
    if (this.#closed) return Promise.reject(disposedError('The call data'));
    let to: readonly string[] | undefined;
    try {
      if (typeof options !== 'object' || options === null) throw new SessionError('INVALID_ARGUMENT', 'sendFile needs options with a `name`');
      to = recipientRawIds(options.to);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#files.send(source, to, options);
  }

  /**
   * Stops everything: closes every channel, rejects pending sends, requests and transfers with
   * `DISPOSED`, stops every timer, and closes the transport. Idempotent.
   * @example
   * ```ts
   * data.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopListening();
    for (const channel of [...this.#channels.values()]) channel.close();
    this.#unclaimed.clear();
    const error = disposedError('The call data');
    this.#outboxes.durable.close(error);
    this.#outboxes.lossy.close(error);
    this.#rpc.close();
    this.#files.close();
    this.#reassembler.clear();
    this.stream.close();
    this.#relay = undefined;
    this.#transport.close?.();
  }

  /** @internal Counts of what is held, for leak checks in tests. */
  get pendingWork(): { partialMessages: number; requests: number; transfers: number; queuedBytes: number } {
    return { partialMessages: this.#reassembler.pending, requests: this.#rpc.pendingCount, transfers: this.#files.activeCount, queuedBytes: this.queuedBytes };
  }

  #sendPayload(id: number, payload: Uint8Array, reliability: DataReliability, options: ChannelSendOptions): Promise<void> {
    let to: readonly string[] | undefined;
    try {
      to = recipientRawIds(options.to);
    } catch (error) {
      return Promise.reject(error);
    }
    // The bytes are the caller's (binary or custom codec): frame them now, so that a buffer reused
    // after send() returns cannot change a value still waiting in the queue.
    return this.#enqueue(id, payload, reliability, to, options.signal, true);
  }

  #sendText(id: number, text: string, reliability: DataReliability, options: ChannelSendOptions): Promise<void> {
    let to: readonly string[] | undefined;
    try {
      to = recipientRawIds(options.to);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.reject(disposedError('The call data'));
    const seq = this.#sequences.get(id) ?? 0;
    const frame = encodeTextMessage(id, seq, text, this.#transport.maxMessageSize);
    const length = frame ? frame.length - messageHeaderLength(seq) : 0;
    // Over one frame (or maxMessageBytes, for the error): the general path, from the encoded text.
    if (!frame || length > this.#options.maxMessageBytes) return this.#enqueue(id, textEncoder.encode(text), reliability, to, options.signal);
    this.#sequences.set(id, (seq + 1) >>> 0);
    return this.#outboxes[reliability].push(id, [frame], length, to, options.signal);
  }

  #sendInternal(id: number, payload: Uint8Array, to: readonly string[] | undefined): Promise<void> {
    return this.#enqueue(id, payload, 'durable', to, undefined);
  }

  #enqueue(
    id: number,
    payload: Uint8Array,
    reliability: DataReliability,
    to: readonly string[] | undefined,
    signal: AbortSignalLike | undefined,
    callerBytes = false,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(disposedError('The call data'));
    if (payload.length > this.#options.maxMessageBytes) {
      return Promise.reject(
        new SessionError('DATA_TOO_LARGE', `The value is ${payload.length} bytes encoded; maxMessageBytes is ${this.#options.maxMessageBytes}`),
      );
    }
    const seq = this.#sequences.get(id) ?? 0;
    this.#sequences.set(id, (seq + 1) >>> 0);
    const maxFrame = this.#transport.maxMessageSize;
    // A one-frame message skips the lazy framing, the common case for small values. Bytes we made
    // ourselves are framed lazily as the queue sends them; the caller's are framed at once (each
    // frame is a copy either way, so that costs memory for the frames waiting, not another copy).
    let frames: Iterable<Uint8Array>;
    if (messageHeaderLength(seq) + payload.length <= maxFrame) frames = [encodeMessage(id, seq, payload)];
    else frames = callerBytes ? [...frameMessage(id, seq, payload, maxFrame)] : frameMessage(id, seq, payload, maxFrame);
    return this.#outboxes[reliability].push(id, frames, payload.length, to, signal);
  }

  #receive({ bytes, from, reliability }: TransportMessage): void {
    if (this.#closed) return;
    try {
      const offset = messagePayloadOffset(bytes);
      if (offset > 0) {
        this.#deliver(messageTopic(bytes), bytes.subarray(offset), from);
        return;
      }
      const frame = decodeFrame(bytes);
      if (typeof frame === 'string') {
        this.#dataError(remoteInputError('DATA_INVALID_FRAME', `A frame was dropped: ${frame}`), from);
        return;
      }
      switch (frame.kind) {
        case FrameKind.keepAlive:
          return;
        case FrameKind.message:
          this.#deliver(frame.topic, frame.payload, from);
          return;
        case FrameKind.chunk: {
          const message = this.#reassembler.accept(frame, from, reliability);
          if (message) this.#deliver(message.topic, message.payload, from);
          return;
        }
        case FrameKind.fileData:
          this.#files.receiveData(frame, from);
          return;
      }
    } catch (error) {
      // Our own bug rather than the remote's: still never thrown into the transport.
      this.#dataError(new SessionError('DATA_INVALID_FRAME', 'A frame could not be handled', { cause: error }), from);
    }
  }

  #deliver(topic: number, payload: Uint8Array, from: string): void {
    if (topic === RPC_TOPIC) return this.#rpc.receive(payload, from);
    if (topic === FILE_CONTROL_TOPIC) return this.#files.receiveControl(payload, from);
    if (topic < RESERVED_TOPICS) return this.#dataError(remoteInputError('DATA_INVALID_FRAME', `A frame used the reserved topic id ${topic}`), from);
    const participant = participantFromRawId(from);
    const channel = this.#channels.get(topic);
    if (channel) return this.#deliverTo(channel, payload, participant);
    this.#hold(topic, payload, participant);
  }

  #deliverTo(channel: ChannelSink, payload: Uint8Array, from: DataParticipant): void {
    const failure = channel.receive(payload, from);
    if (failure) this.#reportDropped(failure, from);
  }

  /** Keeps a few recent messages for a topic nobody opened yet; bounded in count, bytes and age. */
  #hold(topic: number, payload: Uint8Array, from: DataParticipant): void {
    const now = Date.now();
    let held = this.#unclaimed.get(topic);
    if (!held) {
      if (this.#unclaimed.size >= UNCLAIMED_TOPICS) this.#unclaimed.delete(this.#unclaimed.keys().next().value!);
      held = [];
      this.#unclaimed.set(topic, held);
    }
    while (held.length > 0 && (held.length >= UNCLAIMED_PER_TOPIC || held[0]!.at < now - UNCLAIMED_MS)) held.shift();
    if (payload.length <= UNCLAIMED_MAX_BYTES) held.push({ payload, from, at: now });
  }

  #participantLeft(rawId: string): void {
    if (this.#closed) return;
    this.#reassembler.forget(rawId);
    this.#rpc.participantLeft(rawId);
    this.#files.participantLeft(rawId);
  }

  #dataError(error: SessionError, from: string | undefined): void {
    if (this.#closed) return;
    this.#reportDropped(error, from === undefined ? undefined : participantFromRawId(from));
  }

  #reportDropped(error: SessionError, from: DataParticipant | undefined): void {
    this.stream.emit({ type: 'dataError', error, from });
    this.#relay?.dataError(error, from);
  }
}

/**
 * Builds the data helper over a transport: {@link CallData} with channels, RPC and files. The
 * CallData owns the transport from then on (its `close()` closes the transport).
 * @throws SessionError `INVALID_ARGUMENT` (not a transport, `maxMessageSize` below 64), `INVALID_OPTIONS`.
 * @example
 * ```ts
 * const data = createCallData(createAcsDataTransport(call.feature(Features.DataChannel)));
 * const chat = data.channel<string>('chat', { codec: 'text' });
 * await chat.send('hello');
 * ```
 */
export function createCallData(transport: DataTransport, options?: CallDataOptions): CallData {
  return new CallData(transport, options);
}
