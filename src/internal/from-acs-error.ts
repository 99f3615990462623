import { SessionError, isSessionError, type SessionErrorCode } from '../errors.js';

/** What the adapter was doing, and how its resource refines the generic status mapping. @internal */
export interface AcsErrorContext {
  /** What failed, for the message: e.g. `'Sending a chat message'`. */
  readonly operation: string;
  /** Codes that replace the generic one for a status, e.g. `{ 403: 'NOT_A_PARTICIPANT', 404: 'THREAD_NOT_FOUND' }`. */
  readonly byStatus?: Readonly<Partial<Record<number, SessionErrorCode>>> | undefined;
  /** Codes that replace the generic one for an ACS error code from the body, e.g. `{ MessageTooLarge: 'MESSAGE_TOO_LARGE' }`. */
  readonly byAcsCode?: Readonly<Partial<Record<string, SessionErrorCode>>> | undefined;
}

/**
 * The shape of a failure from the Azure pipeline (`RestError` of `@azure/core-rest-pipeline`) or from
 * the calling SDK (`{ code, subCode }`), read structurally so that no Azure package is loaded for it
 * and any copy of those packages is understood.
 */
interface AcsFailureShape {
  readonly name?: unknown;
  readonly message?: unknown;
  /** RestError: the HTTP status. */
  readonly statusCode?: unknown;
  /** RestError: the ACS error code from the body (a string); calling: a numeric status-like code. */
  readonly code?: unknown;
  /** Calling: the numeric sub-code. */
  readonly subCode?: unknown;
  readonly response?: { readonly status?: unknown; readonly headers?: { get?(name: string): string | undefined | null } } | undefined;
}

/** Statuses at which trying the same request again later may succeed. */
const RETRYABLE_STATUSES = new Set([401, 408, 429, 500, 502, 503, 504]);

/**
 * Turns anything an ACS client library threw into a {@link SessionError}: the one place where ACS
 * failures are mapped, so that chat, calls and the token service report them alike. Keeps the HTTP
 * status, the ACS code/sub-code, `Retry-After` and the original error as `cause`. A `SessionError`
 * passes through unchanged.
 * @internal
 */
export function fromAcsError(error: unknown, context: AcsErrorContext): SessionError {
  if (isSessionError(error)) return error;
  const failure: AcsFailureShape = typeof error === 'object' && error !== null ? error : {};
  const detail = typeof failure.message === 'string' && failure.message !== '' ? failure.message : String(error);
  if (failure.name === 'AbortError') {
    return new SessionError('ABORTED', `${context.operation} was aborted`, { cause: error });
  }
  const { status, acsCode, acsSubCode } = readCodes(failure);
  if (status === undefined) {
    // The pipeline's REQUEST_SEND_ERROR and fetch's TypeError: nothing came back from ACS.
    const networkish = failure.name === 'RestError' || failure.code === 'REQUEST_SEND_ERROR' || error instanceof TypeError;
    const code: SessionErrorCode = networkish ? 'NETWORK_ERROR' : 'SERVICE_ERROR';
    return new SessionError(code, `${context.operation} failed: ${detail}`, { retryable: networkish, acsCode, acsSubCode, cause: error });
  }
  const code = (acsCode !== undefined ? context.byAcsCode?.[acsCode] : undefined) ?? context.byStatus?.[status] ?? codeForStatus(status);
  const retryAfterMs = readRetryAfter(failure, status);
  const said = acsCode !== undefined ? `${status} ${acsCode}` : String(status);
  return new SessionError(code, `${context.operation} failed: ACS answered ${said}: ${detail}`, {
    retryable: RETRYABLE_STATUSES.has(status),
    acsCode,
    acsSubCode,
    status,
    retryAfterMs,
    cause: error,
  });
}

function readCodes(failure: AcsFailureShape): { status: number | undefined; acsCode: string | undefined; acsSubCode: number | undefined } {
  if (typeof failure.statusCode === 'number') {
    return { status: failure.statusCode, acsCode: typeof failure.code === 'string' ? failure.code : undefined, acsSubCode: undefined };
  }
  if (typeof failure.response?.status === 'number') {
    return { status: failure.response.status, acsCode: typeof failure.code === 'string' ? failure.code : undefined, acsSubCode: undefined };
  }
  // The calling SDK reports SIP-like numeric codes (401, 403, 487, …) with a numeric sub-code.
  if (typeof failure.code === 'number' && failure.code >= 100 && failure.code < 700) {
    return {
      status: failure.code,
      acsCode: String(failure.code),
      acsSubCode: typeof failure.subCode === 'number' ? failure.subCode : undefined,
    };
  }
  return { status: undefined, acsCode: typeof failure.code === 'string' ? failure.code : undefined, acsSubCode: undefined };
}

function codeForStatus(status: number): SessionErrorCode {
  switch (status) {
    case 400:
      return 'INVALID_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'MESSAGE_TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    case 408:
    case 500:
    case 502:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'SERVICE_ERROR';
  }
}

/** `retry-after-ms` / `x-ms-retry-after-ms` (ms), else `Retry-After` (seconds or an HTTP date). */
function readRetryAfter(failure: AcsFailureShape, status: number): number | undefined {
  if (status !== 429 && status !== 503) return undefined;
  const headers = failure.response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const raw = headers.get(name);
    const ms = Number(raw);
    if (raw && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
