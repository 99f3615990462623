import { SessionError, abortedError, disposedError } from '../errors.js';
import type { AbortSignalLike } from '../internal/abort.js';
import { backgroundTimer, type BackgroundTimer } from '../internal/timers.js';
import { encodeFileData, fileChunkSize, type FileDataFrame } from './frame.js';
import { IncomingFile, type FileProgress, type IncomingFileHost } from './incoming-file.js';
import { participantFromRawId, type DataRecipient } from './participant.js';
import { remoteInputError } from './remote-error.js';

/**
 * What `sendFile` sends: a `Blob`/`File`, bytes, or a (sync or async) iterable of byte pieces
 * (a Node stream, a `ReadableStream` in runtimes where it is async-iterable, a generator).
 * @example
 * ```ts
 * await data.sendFile(createReadStream('report.pdf'), { name: 'report.pdf', to: participant });
 * ```
 */
export type FileSource = Blob | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Options for {@link CallData.sendFile}.
 * @example
 * ```ts
 * await data.sendFile(file, { name: file.name, type: file.type, to: participant, onProgress, signal });
 * ```
 */
export interface SendFileOptions {
  /** The file name the receivers see. */
  readonly name: string;
  /** Its MIME type. Default: the Blob's type, or `''`. */
  readonly type?: string | undefined;
  /** Recipients; absent or empty: everyone in the call. */
  readonly to?: DataRecipient | readonly DataRecipient[] | undefined;
  /** Called after every piece handed to the transport; `transferred` only grows. */
  readonly onProgress?: ((progress: FileProgress) => void) | undefined;
  /** Cancels the transfer: `sendFile` rejects with `ABORTED` and the receivers' files with `TRANSFER_CANCELLED`. */
  readonly signal?: AbortSignalLike | undefined;
}

/** @internal Limits on files received. */
export interface FileLimits {
  readonly maxFileBytes: number;
  readonly maxIncomingFiles: number;
  readonly fileIdleTimeoutMs: number;
}

/** @internal What the file service needs from its CallData. */
export interface FileHost {
  readonly maxFrameSize: number;
  sendControl(body: ControlMessage, to: readonly string[] | undefined): Promise<void>;
  /** Queues one file-data frame; `lane` keeps each transfer's frames in order while transfers take turns. */
  sendData(lane: number, frame: Uint8Array, bytes: number, to: readonly string[] | undefined, signal: AbortSignalLike | undefined): Promise<void>;
  offerIncoming(file: IncomingFile): boolean;
  report(error: SessionError, from: string): void;
  /** A progress listener of the app threw: reported as an `error` event, the transfer goes on. */
  listenerFailed(thrown: unknown, source: string): void;
}

/** @internal Control messages of the file protocol, JSON on the reserved file topic. */
export type ControlMessage =
  | { readonly t: 'offer'; readonly i: number; readonly n: string; readonly y: string; readonly s?: number }
  | { readonly t: 'end'; readonly i: number; readonly s: number }
  | { readonly t: 'cancel'; readonly i: number; readonly r: string }
  | { readonly t: 'refuse'; readonly i: number; readonly r: string };

interface Outgoing {
  /** Remaining recipients, or `undefined` for everyone (then a receiver's cancel only stops its own copy). */
  readonly to: Set<string> | undefined;
  cancelled: SessionError | undefined;
}

interface Receiving {
  readonly file: IncomingFile;
  readonly key: string;
  nextIndex: number;
  idle: BackgroundTimer;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * File transfer: an offer, data frames numbered in order, and an end with the byte count, all on
 * the durable channel, so the receiver can tell a complete file from a truncated one. Either
 * side may cancel; the other side is told with a control message.
 * @internal
 */
export class FileService implements IncomingFileHost {
  /** Reports a throwing progress listener of an incoming file. */
  readonly listenerFailed: (thrown: unknown, source: string) => void;

  readonly #outgoing = new Map<number, Outgoing>();
  readonly #incoming = new Map<string, Receiving>();
  /** Transfers this side ended early: their trailing frames are expected, not hostile. */
  readonly #ended = new Set<string>();
  #nextId = 1;
  #closed = false;
  #closedWith: SessionError | undefined;

  constructor(
    private readonly host: FileHost,
    private readonly limits: FileLimits,
  ) {
    this.listenerFailed = (thrown, source) => host.listenerFailed(thrown, source);
  }

  get activeCount(): number {
    return this.#outgoing.size + this.#incoming.size;
  }

  async send(source: FileSource, to: readonly string[] | undefined, options: SendFileOptions): Promise<void> {
    if (this.#closed) throw disposedError('The call data');
    if (typeof options.name !== 'string' || options.name === '') throw new SessionError('INVALID_ARGUMENT', 'sendFile needs a non-empty `name`');
    const { signal, onProgress } = options;
    if (signal?.aborted) throw abortedError(signal);
    const size = sizeOf(source);
    if (size === undefined && !isIterable(source))
      throw new SessionError('INVALID_ARGUMENT', 'sendFile takes a Blob, a Uint8Array, an ArrayBuffer or an iterable of Uint8Array');
    const type = options.type ?? (typeof Blob !== 'undefined' && source instanceof Blob ? source.type : '');
    const id = this.#nextId++;
    const transfer: Outgoing = { to: to ? new Set(to) : undefined, cancelled: undefined };
    this.#outgoing.set(id, transfer);
    const recipients = () => (transfer.to ? [...transfer.to] : undefined);
    let sent = 0;
    try {
      await this.host.sendControl({ t: 'offer', i: id, n: options.name, y: type, ...(size === undefined ? {} : { s: size }) }, recipients());
      let index = 0;
      for await (const piece of pieces(source, fileChunkSize(this.host.maxFrameSize))) {
        if (transfer.cancelled) throw transfer.cancelled;
        if (signal?.aborted) throw abortedError(signal);
        if (this.#closed) throw this.#closedWith ?? disposedError('The call data');
        await this.host.sendData(-id, encodeFileData(id, index++, piece), piece.length, recipients(), signal);
        sent += piece.length;
        if (onProgress) {
          try {
            onProgress({ transferred: sent, size });
          } catch (thrown) {
            this.host.listenerFailed(thrown, 'listener:sendFile.onProgress');
          }
        }
      }
      if (transfer.cancelled) throw transfer.cancelled;
      await this.host.sendControl({ t: 'end', i: id, s: sent }, recipients());
    } catch (error) {
      if (!this.#closed && !transfer.cancelled) {
        // Tell the receivers, so that their files fail now rather than after the idle timeout.
        const reason = isAbort(error) ? 'cancelled by the sender' : 'the sender failed';
        this.host.sendControl({ t: 'cancel', i: id, r: reason }, recipients()).catch(() => undefined);
      }
      throw error;
    } finally {
      this.#outgoing.delete(id);
    }
  }

  receiveControl(payload: Uint8Array, from: string): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(decoder.decode(payload)) as ControlMessage;
      if (typeof message !== 'object' || message === null || !Number.isSafeInteger(message.i)) throw new Error('no transfer id');
    } catch (error) {
      this.host.report(remoteInputError('DATA_INVALID_FRAME', 'A file control message could not be parsed; it was dropped', { cause: error }), from);
      return;
    }
    const key = `${from}\n${message.i}`;
    switch (message.t) {
      case 'offer':
        this.#offer(message, key, from);
        return;
      case 'end': {
        const receiving = this.#incoming.get(key);
        if (!receiving) return;
        if (receiving.file.received === message.s) this.#finish(receiving, undefined);
        else
          this.#finish(receiving, new SessionError('DATA_INCOMPLETE', `'${receiving.file.name}' ended after ${receiving.file.received} of ${message.s} bytes`));
        return;
      }
      case 'cancel': {
        const receiving = this.#incoming.get(key);
        if (receiving)
          this.#finish(receiving, new SessionError('TRANSFER_CANCELLED', `The sender cancelled '${receiving.file.name}': ${String(message.r)}`), 'cancelled');
        return;
      }
      case 'refuse': {
        const outgoing = this.#outgoing.get(message.i);
        if (outgoing?.to) {
          outgoing.to.delete(from);
          if (outgoing.to.size === 0) outgoing.cancelled = new SessionError('TRANSFER_CANCELLED', `The receiver cancelled the transfer: ${String(message.r)}`);
        }
        return;
      }
      default:
        this.host.report(remoteInputError('DATA_INVALID_FRAME', 'A file control message has an unknown type; it was dropped'), from);
    }
  }

  receiveData(frame: FileDataFrame, from: string): void {
    const key = `${from}\n${frame.fileId}`;
    const receiving = this.#incoming.get(key);
    if (!receiving) {
      if (!this.#ended.has(key))
        this.host.report(remoteInputError('DATA_INVALID_FRAME', 'File data for a transfer that was never offered; it was dropped'), from);
      return;
    }
    if (frame.index !== receiving.nextIndex) {
      this.#refuse(
        receiving,
        new SessionError('DATA_INCOMPLETE', `'${receiving.file.name}' lost a piece (got ${frame.index}, expected ${receiving.nextIndex})`),
        'pieces were lost',
      );
      return;
    }
    const { file } = receiving;
    if (file.received + frame.payload.length > Math.min(this.limits.maxFileBytes, file.size ?? Infinity)) {
      this.#refuse(
        receiving,
        new SessionError('DATA_TOO_LARGE', `'${file.name}' is larger than announced or than maxFileBytes (${this.limits.maxFileBytes})`),
        'too large',
      );
      return;
    }
    receiving.nextIndex++;
    receiving.idle.cancel();
    receiving.idle = this.#idleTimer(receiving);
    file.append(frame.payload);
  }

  cancelIncoming(file: IncomingFile, reason: string): void {
    const receiving = this.#incoming.get(`${file.from.rawId}\n${file.id}`);
    if (!receiving || receiving.file !== file) return;
    this.#forget(receiving);
    this.host.sendControl({ t: 'refuse', i: file.id, r: reason }, [file.from.rawId]).catch(() => undefined);
  }

  /** Fails the files coming from a participant that left, and stops sending to it. */
  participantLeft(rawId: string): void {
    for (const receiving of [...this.#incoming.values()]) {
      if (receiving.file.from.rawId === rawId)
        this.#finish(receiving, new SessionError('PARTICIPANT_LEFT', `${rawId} left the call while sending '${receiving.file.name}'`));
    }
    for (const transfer of this.#outgoing.values()) {
      if (!transfer.to?.delete(rawId) || transfer.to.size > 0) continue;
      transfer.cancelled ??= new SessionError('PARTICIPANT_LEFT', `Every recipient of the transfer left the call`);
    }
  }

  close(error: SessionError = disposedError('The call data')): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedWith = error;
    for (const transfer of this.#outgoing.values()) transfer.cancelled ??= error;
    for (const receiving of [...this.#incoming.values()]) this.#finish(receiving, error);
    this.#ended.clear();
  }

  #offer(message: Extract<ControlMessage, { t: 'offer' }>, key: string, from: string): void {
    if (this.#incoming.has(key)) {
      this.host.report(remoteInputError('DATA_INVALID_FRAME', 'A file offer repeats a transfer id in progress; it was dropped'), from);
      return;
    }
    const size = typeof message.s === 'number' && Number.isSafeInteger(message.s) && message.s >= 0 ? message.s : undefined;
    const name = typeof message.n === 'string' ? message.n : 'file';
    const file = new IncomingFile(message.i, name, typeof message.y === 'string' ? message.y : '', size, participantFromRawId(from), this);
    const decline = (reason: string) => {
      this.#ended.add(key);
      this.#trimEnded();
      this.host.sendControl({ t: 'refuse', i: message.i, r: reason }, [from]).catch(() => undefined);
    };
    if (size !== undefined && size > this.limits.maxFileBytes) {
      this.host.report(
        new SessionError('DATA_TOO_LARGE', `'${name}' (${size} bytes) is over maxFileBytes (${this.limits.maxFileBytes}); it was refused`),
        from,
      );
      decline('too large');
      return;
    }
    if (this.#incoming.size >= this.limits.maxIncomingFiles) {
      this.host.report(
        new SessionError('DATA_QUEUE_FULL', `More than ${this.limits.maxIncomingFiles} files were incoming at once; '${name}' was refused`),
        from,
      );
      decline('too many transfers');
      return;
    }
    const receiving: Receiving = { file, key, nextIndex: 0, idle: { cancel: () => undefined, keepAlive: () => undefined } };
    receiving.idle = this.#idleTimer(receiving);
    this.#incoming.set(key, receiving);
    if (!this.host.offerIncoming(file)) {
      this.#forget(receiving);
      file.fail('cancelled', new SessionError('TRANSFER_CANCELLED', 'Nobody listens for incomingFile'));
      decline('nobody receives files here');
    }
  }

  #idleTimer(receiving: Receiving): BackgroundTimer {
    return backgroundTimer(() => {
      this.#refuse(receiving, new SessionError('DATA_INCOMPLETE', `'${receiving.file.name}' got no data for ${this.limits.fileIdleTimeoutMs} ms`), 'timed out');
    }, this.limits.fileIdleTimeoutMs);
  }

  /** Ends a transfer from this side for a failure of its own: tells the sender, fails the file. */
  #refuse(receiving: Receiving, error: SessionError, reason: string): void {
    this.host.sendControl({ t: 'refuse', i: receiving.file.id, r: reason }, [receiving.file.from.rawId]).catch(() => undefined);
    this.host.report(error, receiving.file.from.rawId);
    this.#finish(receiving, error);
  }

  #finish(receiving: Receiving, error: SessionError | undefined, state: 'cancelled' | 'failed' = 'failed'): void {
    this.#forget(receiving);
    if (error) receiving.file.fail(state, error);
    else receiving.file.complete();
  }

  #forget(receiving: Receiving): void {
    receiving.idle.cancel();
    if (this.#incoming.get(receiving.key) !== receiving) return;
    this.#incoming.delete(receiving.key);
    this.#ended.add(receiving.key);
    this.#trimEnded();
  }

  #trimEnded(): void {
    if (this.#ended.size <= 256) return;
    const oldest = this.#ended.values().next().value;
    if (oldest !== undefined) this.#ended.delete(oldest);
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof SessionError && error.code === 'ABORTED';
}

function sizeOf(source: FileSource): number | undefined {
  if (source instanceof Uint8Array) return source.length;
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.size;
  return undefined;
}

function isIterable(source: unknown): source is AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source);
}

/** The source cut into pieces of exactly `size` bytes (the last one shorter), read lazily. */
async function* pieces(source: FileSource, size: number): AsyncGenerator<Uint8Array, void, undefined> {
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    for (let start = 0; start < source.length; start += size) yield source.subarray(start, start + size);
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    for (let start = 0; start < source.size; start += size) yield new Uint8Array(await source.slice(start, start + size).arrayBuffer());
    return;
  }
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new SessionError('INVALID_ARGUMENT', 'A file source yielded something other than a Uint8Array');
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
