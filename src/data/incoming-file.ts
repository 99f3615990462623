import { SessionError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import type { DataParticipant } from './participant.js';

/**
 * Progress of a file transfer. `size` is `undefined` when the sender streamed a source of unknown
 * length; `transferred` only grows.
 * @example
 * ```ts
 * const onProgress = ({ transferred, size }: FileProgress) => bar.update(size ? transferred / size : 0);
 * ```
 */
export interface FileProgress {
  /** Bytes sent (sender) or received (receiver) so far. */
  readonly transferred: number;
  /** The file's size in bytes, when known. */
  readonly size: number | undefined;
}

/**
 * Where a received file stands.
 * @example
 * ```ts
 * if (file.state === 'complete') save(await file.bytes());
 * ```
 */
export type IncomingFileState = 'receiving' | 'complete' | 'cancelled' | 'failed';

/** @internal What an incoming file needs from the file service. */
export interface IncomingFileHost {
  cancelIncoming(file: IncomingFile, reason: string): void;
  /** A progress listener threw. */
  listenerFailed(thrown: unknown, source: string): void;
}

/**
 * A file a remote is sending, from the `incomingFile` event. The bytes are kept in memory as they
 * arrive; read them with `bytes()`, `blob()` or `stream()`, or `cancel()` to refuse the rest.
 * @example
 * ```ts
 * data.on('incomingFile', async ({ file }) => {
 *   file.onProgress(({ transferred, size }) => console.log(`${file.name}: ${transferred}/${size}`));
 *   try {
 *     save(file.name, await file.bytes());
 *   } catch (error) {
 *     if (isSessionError(error, 'TRANSFER_CANCELLED')) console.log('the sender cancelled');
 *   }
 * });
 * ```
 */
export class IncomingFile {
  #state: IncomingFileState = 'receiving';
  #error: SessionError | undefined;
  #received = 0;
  readonly #pieces: Uint8Array[] = [];
  readonly #progress = new Set<(progress: FileProgress) => void>();
  readonly #waiters = new Set<() => void>();

  /** @internal */
  constructor(
    /** The sender's id for this transfer (unique per sender). */
    readonly id: number,
    /** The file name the sender gave. */
    readonly name: string,
    /** The MIME type the sender gave, or `''`. */
    readonly type: string,
    /** The size the sender announced; `undefined` for a stream of unknown length. */
    readonly size: number | undefined,
    /** Who sends it. */
    readonly from: DataParticipant,
    private readonly host: IncomingFileHost,
  ) {}

  /** Where the transfer stands. */
  get state(): IncomingFileState {
    return this.#state;
  }

  /** Bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Calls `listener` after every piece that arrives. Returns an unsubscribe function.
   * @example
   * ```ts
   * const off = file.onProgress(({ transferred }) => console.log(transferred));
   * ```
   */
  onProgress(listener: (progress: FileProgress) => void): Unsubscribe {
    this.#progress.add(listener);
    return () => this.#progress.delete(listener);
  }

  /**
   * The whole file, once it arrived.
   * @throws SessionError `TRANSFER_CANCELLED` (either side cancelled), `DATA_INCOMPLETE` (pieces
   * missing or the sender went silent), `DATA_TOO_LARGE` (over `maxFileBytes`), `DISPOSED`.
   * @example
   * ```ts
   * const bytes = await file.bytes();
   * ```
   */
  async bytes(): Promise<Uint8Array> {
    await this.#settled();
    return concat(this.#pieces, this.#received);
  }

  /**
   * The whole file as a `Blob` of its `type`, once it arrived. Same errors as {@link IncomingFile.bytes}.
   * @example
   * ```ts
   * image.src = URL.createObjectURL(await file.blob());
   * ```
   */
  async blob(): Promise<Blob> {
    await this.#settled();
    return new Blob(this.#pieces as BlobPart[], { type: this.type });
  }

  /**
   * The file's bytes as they arrive. The stream errors with the same errors as
   * {@link IncomingFile.bytes}; cancelling the stream cancels the transfer.
   * @example
   * ```ts
   * await file.stream().pipeTo(writable);
   * ```
   */
  stream(): ReadableStream<Uint8Array> {
    let next = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (next >= this.#pieces.length && this.#state === 'receiving') await this.#change();
        const piece = this.#pieces[next];
        if (piece !== undefined) {
          next++;
          controller.enqueue(piece);
        } else if (this.#state === 'complete') controller.close();
        else controller.error(this.#error);
      },
      cancel: () => this.cancel('the reader cancelled the stream'),
    });
  }

  /**
   * Refuses the rest of the file and tells the sender. `bytes()` and friends reject with
   * `TRANSFER_CANCELLED`. Does nothing once the transfer ended.
   * @example
   * ```ts
   * if (file.size && file.size > 50_000_000) file.cancel('too large');
   * ```
   */
  cancel(reason = 'cancelled by the receiver'): void {
    if (this.#state !== 'receiving') return;
    this.host.cancelIncoming(this, reason);
    this.fail('cancelled', new SessionError('TRANSFER_CANCELLED', `The transfer of '${this.name}' was cancelled: ${reason}`));
  }

  /** @internal */
  append(piece: Uint8Array): void {
    this.#pieces.push(piece);
    this.#received += piece.length;
    const progress: FileProgress = { transferred: this.#received, size: this.size };
    for (const listener of [...this.#progress]) {
      try {
        listener(progress);
      } catch (thrown) {
        this.host.listenerFailed(thrown, 'listener:incomingFile.onProgress');
      }
    }
    this.#wake();
  }

  /** @internal */
  complete(): void {
    if (this.#state !== 'receiving') return;
    this.#state = 'complete';
    this.#progress.clear();
    this.#wake();
  }

  /** @internal */
  fail(state: 'cancelled' | 'failed', error: SessionError): void {
    if (this.#state !== 'receiving') return;
    this.#state = state;
    this.#error = error;
    this.#pieces.length = 0;
    this.#progress.clear();
    this.#wake();
  }

  async #settled(): Promise<void> {
    while (this.#state === 'receiving') await this.#change();
    if (this.#state !== 'complete') throw this.#error;
  }

  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return bytes;
}
