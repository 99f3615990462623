/**
 * Every failure acs-session reports, by code. The README has the same table with what to do about
 * each one; a test keeps the two in step. Use the values (`SessionErrorCodes.TIMEOUT`) from plain
 * JavaScript, or the string literals from TypeScript.
 * @example
 * ```ts
 * if (isSessionError(error, SessionErrorCodes.RATE_LIMITED)) await sleep(error.retryAfterMs ?? 1_000);
 * ```
 */
export const SessionErrorCodes = {
  /** `createSession` or another entry point was given options it cannot use; `message` lists every problem. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** A method was called with an argument it cannot use. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The session, refresher or stream was disposed before or while the call ran. */
  DISPOSED: 'DISPOSED',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
  /** A wait ran past its `timeoutMs`. */
  TIMEOUT: 'TIMEOUT',
  /** The token fetcher threw, rejected or timed out; the refresher retries with backoff. */
  TOKEN_FETCH_FAILED: 'TOKEN_FETCH_FAILED',
  /** The fetcher returned something that is not an ACS user token (no JWT, no `exp`, no `skypeid`). */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** The token has expired: a static token ran out, or the fetcher returned an already-expired one. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The fetcher returned a token for a different ACS user than the session's; it was refused. */
  TOKEN_IDENTITY_CHANGED: 'TOKEN_IDENTITY_CHANGED',
  /** A refresh was requested but the session was created with a static token string. */
  TOKEN_NOT_REFRESHABLE: 'TOKEN_NOT_REFRESHABLE',
  /** An event listener threw; reported as an `error` event so the other listeners still run. */
  LISTENER_FAILED: 'LISTENER_FAILED',
  /** An `events()` iterator fell further behind than its buffer allows. */
  EVENTS_OVERFLOW: 'EVENTS_OVERFLOW',
  /** ACS refused the token (HTTP 401) even after one forced refresh. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** ACS refused the operation for this user (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** The user is not (or no longer) a participant of the chat thread (HTTP 403 on a thread). */
  NOT_A_PARTICIPANT: 'NOT_A_PARTICIPANT',
  /** The resource does not exist (HTTP 404). */
  NOT_FOUND: 'NOT_FOUND',
  /** The chat thread does not exist or was deleted. */
  THREAD_NOT_FOUND: 'THREAD_NOT_FOUND',
  /** The chat message does not exist. */
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
  /** The message is larger than ACS accepts (about 28 KB for chat). */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** ACS refused the request as invalid (HTTP 400); `acsCode` and `message` say why. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** ACS throttled the request (HTTP 429); `retryAfterMs` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** ACS answered with a server error (HTTP 5xx) after the client's own retries. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** ACS could not be reached (no response: DNS, TLS, connection reset, offline). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** ACS answered with a failure no other code describes; `status` and `acsCode` keep what it said. */
  SERVICE_ERROR: 'SERVICE_ERROR',
  /** The session was created with `calling: false`. */
  CALLING_DISABLED: 'CALLING_DISABLED',
  /** Azure calls were asked for where the calling SDK cannot run (Node, SSR, a worker): it needs a browser with WebRTC. */
  CALLING_UNSUPPORTED_RUNTIME: 'CALLING_UNSUPPORTED_RUNTIME',
  /** The calling provider could not be brought up: the calling SDK is not installed, or the emulator's call service is unreachable. */
  CALLING_UNAVAILABLE: 'CALLING_UNAVAILABLE',
  /** A call could not be started, joined or controlled; `acsCode`/`acsSubCode` keep what ACS said. */
  CALL_FAILED: 'CALL_FAILED',
  /** The call has ended (or stopped ringing), so the operation no longer applies. */
  CALL_ENDED: 'CALL_ENDED',
  /** This provider cannot do that (e.g. video on the local provider, which carries no media). */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** A data-channel value or file is larger than the limit (`maxMessageBytes`, `maxFileBytes`) or a frame larger than the transport takes. */
  DATA_TOO_LARGE: 'DATA_TOO_LARGE',
  /** The data-channel send queue holds more than `maxQueuedBytes`; try again once earlier sends resolved. */
  DATA_QUEUE_FULL: 'DATA_QUEUE_FULL',
  /** A frame from a remote could not be parsed (truncated, unknown version or kind, inconsistent chunk); it was dropped. */
  DATA_INVALID_FRAME: 'DATA_INVALID_FRAME',
  /** A message that spanned several frames was dropped whole: a piece was lost, it timed out, or too many were pending. */
  DATA_INCOMPLETE: 'DATA_INCOMPLETE',
  /** A channel's codec could not decode a message from a remote; it was dropped. */
  DATA_DECODE_FAILED: 'DATA_DECODE_FAILED',
  /** An RPC request got no response within `timeoutMs`. */
  RPC_TIMEOUT: 'RPC_TIMEOUT',
  /** The remote has no handler for the requested RPC method. */
  RPC_UNKNOWN_METHOD: 'RPC_UNKNOWN_METHOD',
  /** The remote RPC handler threw; `cause` holds its `code`, `message` and `data` (`RpcErrorDetails` in `acs-session/data`). */
  RPC_REMOTE_ERROR: 'RPC_REMOTE_ERROR',
  /** A file transfer was cancelled by the sender or a receiver. */
  TRANSFER_CANCELLED: 'TRANSFER_CANCELLED',
  /** The participant an RPC request or file transfer was addressed to, or came from, left the call. */
  PARTICIPANT_LEFT: 'PARTICIPANT_LEFT',
} as const;

/**
 * Every failure acs-session reports, as a string literal: the keys of {@link SessionErrorCodes}.
 * @example
 * ```ts
 * function explain(code: SessionErrorCode): string {
 *   switch (code) {
 *     case 'TOKEN_FETCH_FAILED': return 'Could not reach the token service; retrying.';
 *     default: return 'Something went wrong.';
 *   }
 * }
 * ```
 */
export type SessionErrorCode = keyof typeof SessionErrorCodes;

/** Options for {@link SessionError}. */
export interface SessionErrorOptions {
  /** Whether trying the same thing again later may succeed. Defaults to `false`. */
  retryable?: boolean | undefined;
  /** The ACS error code from the service response, when the failure came from ACS. */
  acsCode?: string | undefined;
  /** The ACS sub-code (calling end reasons, for example), when there was one. */
  acsSubCode?: number | undefined;
  /** The HTTP status ACS answered with, when the failure came from an ACS response. */
  status?: number | undefined;
  /** How long ACS asked to wait before trying again (`Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Marks every SessionError, whichever copy of this module made it. The ESM and the CommonJS build
 * loaded side by side (the dual-package hazard), or two installed copies of acs-session, each define
 * their own class; `Symbol.for` gives all of them the same symbol.
 */
const SESSION_ERROR_BRAND = Symbol.for('acs-session.SessionError');

/**
 * The one error type acs-session throws and rejects with.
 *
 * Branch on `code` (a string literal, so `switch` is exhaustive), use `retryable` to decide whether to
 * try again, and read `acsCode`/`acsSubCode` for the service's own codes when the error came from ACS.
 *
 * @example
 * ```ts
 * try {
 *   await createSession({ endpoint, token: fetchToken });
 * } catch (error) {
 *   if (isSessionError(error) && error.code === 'TOKEN_FETCH_FAILED' && error.retryable) {
 *     showRetryButton();
 *   } else throw error;
 * }
 * ```
 */
export class SessionError extends Error {
  /** What went wrong; see {@link SessionErrorCode}. */
  readonly code: SessionErrorCode;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  /** The ACS service error code, when the failure came from ACS. */
  readonly acsCode: string | undefined;
  /** The ACS sub-code, when there was one. */
  readonly acsSubCode: number | undefined;
  /** The HTTP status ACS answered with, when there was a response. */
  readonly status: number | undefined;
  /** How long ACS asked to wait before trying again, in ms, when it said. */
  readonly retryAfterMs: number | undefined;

  static {
    Object.defineProperty(this.prototype, SESSION_ERROR_BRAND, { value: true });
  }

  /**
   * Makes `error instanceof SessionError` true for a SessionError from any copy of acs-session: the
   * ESM and the CommonJS build in one process, or two installed copies. Subclasses keep the ordinary
   * prototype check.
   *
   * @example
   * ```ts
   * import { SessionError } from 'acs-session';
   * import { startEmulator } from 'acs-session/emulator';
   *
   * await startEmulator({ port: -1 }).catch((error) => console.log(error instanceof SessionError)); // true
   * ```
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SessionError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && SESSION_ERROR_BRAND in value;
  }

  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.acsCode = options.acsCode;
    this.acsSubCode = options.acsSubCode;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Tells whether a value is a {@link SessionError}, optionally with one of the given codes.
 * Works across bundle copies (it checks the shape, not only the prototype).
 *
 * @example
 * ```ts
 * if (isSessionError(error, 'DISPOSED')) return;
 * ```
 */
export function isSessionError(value: unknown, ...codes: SessionErrorCode[]): value is SessionError {
  if (value instanceof SessionError) return codes.length === 0 || codes.includes(value.code);
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown; retryable?: unknown };
  if (candidate.name !== 'SessionError' || typeof candidate.code !== 'string' || typeof candidate.retryable !== 'boolean') {
    return false;
  }
  return codes.length === 0 || codes.includes(candidate.code as SessionErrorCode);
}

/** @internal The error every call made after `dispose()` rejects with. */
export function disposedError(what: string): SessionError {
  return new SessionError('DISPOSED', `${what} has been disposed`);
}

/** @internal The error a wait rejects with when its AbortSignal fires. */
export function abortedError(signal: { reason?: unknown }): SessionError {
  return new SessionError('ABORTED', 'The operation was aborted', { cause: signal.reason });
}
