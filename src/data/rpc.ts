import { SessionError, abortedError, disposedError } from '../errors.js';
import type { Unsubscribe } from '../events/types.js';
import type { AbortSignalLike } from '../internal/abort.js';
import { backgroundTimer, type BackgroundTimer } from '../internal/timers.js';
import { remoteInputError } from './remote-error.js';
import { participantFromRawId, type DataParticipant, type DataRecipient } from './participant.js';

/**
 * What a remote RPC handler's failure carried; the `cause` of an `RPC_REMOTE_ERROR`.
 * @example
 * ```ts
 * catch (error) {
 *   if (isSessionError(error, 'RPC_REMOTE_ERROR')) console.log((error.cause as RpcErrorDetails).code);
 * }
 * ```
 */
export interface RpcErrorDetails {
  /** The `code` the handler's error had (a string), or `'HANDLER_FAILED'`. */
  readonly code: string;
  /** The handler's error message. */
  readonly message: string;
  /** The handler error's `data`, when it had a JSON-serializable one. */
  readonly data?: unknown;
}

/**
 * Handles one RPC method: gets the request payload and the caller, returns (or resolves to) the
 * response. Throw an error with a string `code` (and optionally `data`) to answer with a typed
 * failure; the caller gets `RPC_REMOTE_ERROR` with those in `cause`.
 * @example
 * ```ts
 * const getState: RpcHandler<{ key: string }, number> = async ({ key }, { from }) => store.get(key);
 * ```
 */
export type RpcHandler<P = unknown, R = unknown> = (payload: P, context: RpcContext) => R | Promise<R>;

/**
 * What an {@link RpcHandler} knows about the request.
 * @example
 * ```ts
 * data.handle('whoAmI', (_payload, { from }) => from.rawId);
 * ```
 */
export interface RpcContext {
  /** The caller. */
  readonly from: DataParticipant;
  /** The method name. */
  readonly method: string;
}

/**
 * Options for {@link CallData.request}.
 * @example
 * ```ts
 * await data.request('getState', {}, { to: participant, timeoutMs: 5_000, signal });
 * ```
 */
export interface RpcRequestOptions {
  /** The participant that answers. Required: a request goes to exactly one participant. */
  readonly to: DataRecipient;
  /** How long to wait for the response. Default: the CallData's `rpcTimeoutMs` (15 000). */
  readonly timeoutMs?: number | undefined;
  /** Rejects the request with `ABORTED`; a response that comes later is ignored. */
  readonly signal?: AbortSignalLike | undefined;
}

const Kind = { request: 0, response: 1, failure: 2, unknownMethod: 3 } as const;

interface Pending {
  readonly to: string;
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: BackgroundTimer;
  readonly cleanup: () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Request/response over the data transport. Every RPC message is one message on the reserved RPC
 * topic (so chunking carries large payloads): a kind byte, then JSON.
 * @internal
 */
export class RpcEndpoint {
  readonly #handlers = new Map<string, RpcHandler>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(
    private readonly send: (payload: Uint8Array, to: string) => Promise<void>,
    private readonly report: (error: SessionError, from: string | undefined) => void,
    private readonly defaultTimeoutMs: number,
  ) {}

  get pendingCount(): number {
    return this.#pending.size;
  }

  handle(method: string, handler: RpcHandler): Unsubscribe {
    if (typeof method !== 'string' || method === '') throw new SessionError('INVALID_ARGUMENT', 'An RPC method name must be a non-empty string');
    if (typeof handler !== 'function') throw new SessionError('INVALID_ARGUMENT', `The handler for '${method}' is not a function`);
    if (this.#handlers.has(method)) throw new SessionError('INVALID_ARGUMENT', `'${method}' already has a handler; remove it first`);
    this.#handlers.set(method, handler);
    return () => {
      if (this.#handlers.get(method) === handler) this.#handlers.delete(method);
    };
  }

  request(method: string, payload: unknown, to: string, options: RpcRequestOptions): Promise<unknown> {
    if (this.#closed) return Promise.reject(disposedError('The call data'));
    if (typeof method !== 'string' || method === '')
      return Promise.reject(new SessionError('INVALID_ARGUMENT', 'An RPC method name must be a non-empty string'));
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    if (!(timeoutMs > 0)) return Promise.reject(new SessionError('INVALID_ARGUMENT', 'timeoutMs must be a positive number'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    let body: Uint8Array;
    try {
      body = encodeBody(Kind.request, { i: this.#nextId, m: method, p: payload });
    } catch (error) {
      return Promise.reject(new SessionError('INVALID_ARGUMENT', 'The RPC payload is not JSON-serializable', { cause: error }));
    }
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const settle = () => {
        const pending = this.#pending.get(id);
        if (!pending) return undefined;
        this.#pending.delete(id);
        pending.timer.cancel();
        pending.cleanup();
        return pending;
      };
      const onAbort = () => settle()?.reject(abortedError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      // Kept alive: the caller awaits it, and `await data.request(…)` must settle rather than end a script.
      const timer = backgroundTimer(
        () => settle()?.reject(new SessionError('RPC_TIMEOUT', `'${method}' got no response from ${to} within ${timeoutMs} ms`, { retryable: true })),
        timeoutMs,
        true,
      );
      this.#pending.set(id, { to, method, resolve, reject, timer, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      this.send(body, to).catch((error: unknown) => settle()?.reject(error));
    });
  }

  /** One message from the RPC topic. Never throws: malformed input is reported. */
  receive(payload: Uint8Array, from: string): void {
    let kind: number | undefined;
    let body: Record<string, unknown>;
    try {
      kind = payload[0];
      const parsed: unknown = JSON.parse(decoder.decode(payload.subarray(1)));
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { i?: unknown }).i !== 'number') throw new Error('no request id');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      this.report(remoteInputError('DATA_INVALID_FRAME', 'An RPC message could not be parsed; it was dropped', { cause: error }), from);
      return;
    }
    const id = body.i as number;
    if (kind === Kind.request) {
      void this.#answer(id, body.m, body.p, from);
      return;
    }
    if (kind !== Kind.response && kind !== Kind.failure && kind !== Kind.unknownMethod) {
      // Not a failure: settling a request with a kind we cannot read would invent its outcome.
      this.report(remoteInputError('DATA_INVALID_FRAME', `An RPC message has the unknown kind ${String(kind)}; it was dropped`), from);
      return;
    }
    const pending = this.#pending.get(id);
    // Only the participant asked may answer; anything else is a stale or forged response.
    if (!pending || pending.to !== from) return;
    this.#pending.delete(id);
    pending.timer.cancel();
    pending.cleanup();
    if (kind === Kind.response) pending.resolve(body.r);
    else if (kind === Kind.unknownMethod) pending.reject(new SessionError('RPC_UNKNOWN_METHOD', `${from} has no handler for '${pending.method}'`));
    else {
      const details: RpcErrorDetails = {
        code: typeof body.c === 'string' ? body.c : 'HANDLER_FAILED',
        message: typeof body.e === 'string' ? body.e : 'The remote handler failed',
        ...(body.d === undefined ? {} : { data: body.d }),
      };
      pending.reject(new SessionError('RPC_REMOTE_ERROR', `'${pending.method}' failed on ${from}: ${details.message}`, { cause: details }));
    }
  }

  /** Fails the requests waiting on a participant that left. */
  participantLeft(rawId: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.to !== rawId) continue;
      this.#pending.delete(id);
      pending.timer.cancel();
      pending.cleanup();
      pending.reject(new SessionError('PARTICIPANT_LEFT', `${rawId} left the call before answering '${pending.method}'`));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    const error = disposedError('The call data');
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.timer.cancel();
      pending.cleanup();
      pending.reject(error);
    }
  }

  async #answer(id: number, method: unknown, payload: unknown, from: string): Promise<void> {
    const handler = typeof method === 'string' ? this.#handlers.get(method) : undefined;
    let response: Uint8Array;
    if (!handler) response = encodeBody(Kind.unknownMethod, { i: id });
    else {
      try {
        const result = await handler(payload, { from: participantFromRawId(from), method: method as string });
        response = encodeBody(Kind.response, { i: id, r: result });
      } catch (error) {
        response = encodeFailure(id, error);
      }
    }
    if (this.#closed) return;
    try {
      await this.send(response, from);
    } catch (error) {
      // A result over maxMessageBytes: tell the caller now rather than let its request time out.
      if (error instanceof SessionError && error.code === 'DATA_TOO_LARGE') {
        const failure = encodeFailure(id, error);
        if (
          await this.send(failure, from).then(
            () => true,
            () => false,
          )
        )
          return;
      }
      this.report(error instanceof SessionError ? error : new SessionError('INVALID_ARGUMENT', 'An RPC response could not be sent', { cause: error }), from);
    }
  }
}

function encodeBody(kind: number, body: object): Uint8Array {
  const json = encoder.encode(JSON.stringify(body));
  const bytes = new Uint8Array(json.length + 1);
  bytes[0] = kind;
  bytes.set(json, 1);
  return bytes;
}

function encodeFailure(id: number, error: unknown): Uint8Array {
  const thrown = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; data?: unknown };
  const base = {
    i: id,
    c: typeof thrown.code === 'string' ? thrown.code : 'HANDLER_FAILED',
    e: typeof thrown.message === 'string' ? thrown.message : String(error),
  };
  try {
    return encodeBody(Kind.failure, thrown.data === undefined ? base : { ...base, d: thrown.data });
  } catch {
    return encodeBody(Kind.failure, base); // `data` was not serializable: send the rest
  }
}
