import { abortedError, disposedError, type SessionError, type SessionErrorCode } from '../errors.js';
import { fromAcsError } from '../internal/from-acs-error.js';
import type { ChatContext } from './context.js';

/** What a 404 means for an operation: the thread or the message is gone; `none` for calls outside a thread. @internal */
export type NotFound = 'thread' | 'message' | 'none';

/** @internal */
export interface RequestOptions {
  /** For the error message, e.g. `'Sending a chat message'`. */
  readonly operation: string;
  /** Which `*_NOT_FOUND` a 404 becomes (and, unless `'none'`, a 403 is `NOT_A_PARTICIPANT`). Default `'thread'`. */
  readonly notFound?: NotFound | undefined;
  /** The caller's signal. */
  readonly signal?: AbortSignal | undefined;
  /** Whether a 401 may be retried once after a forced token refresh. Default true. */
  readonly retryUnauthorized?: boolean | undefined;
}

/**
 * Maps any chat failure to a SessionError: 403 on a thread means you are not (or no longer) a
 * participant; 404 names what is missing; ACS's `MessageSizeExceeded` is `MESSAGE_TOO_LARGE`.
 * @internal
 */
export function chatError(error: unknown, operation: string, notFound: NotFound = 'thread'): SessionError {
  // Outside a thread (create, list) a 403 is about the token (no chat scope), not membership.
  const byStatus: Partial<Record<number, SessionErrorCode>> =
    notFound === 'none' ? {} : { 403: 'NOT_A_PARTICIPANT', 404: notFound === 'message' ? 'MESSAGE_NOT_FOUND' : 'THREAD_NOT_FOUND' };
  return fromAcsError(error, {
    operation,
    byStatus,
    byAcsCode: { MessageSizeExceeded: 'MESSAGE_TOO_LARGE', MessageTooLarge: 'MESSAGE_TOO_LARGE' },
  });
}

/**
 * Runs one ACS call with an AbortSignal that fires on the caller's signal or the session's
 * dispose, retries it once after a 401 with a freshly forced token, and turns every failure into a
 * SessionError (`DISPOSED` / `ABORTED` when it was cancelled).
 * @internal
 */
export async function runRequest<T>(context: ChatContext, options: RequestOptions, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const linked = linkRequest(context, options);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(linked.signal);
      } catch (error) {
        await retryAfter(context, options, error, attempt === 1 && options.retryUnauthorized !== false);
      }
    }
  } finally {
    linked.release();
  }
}

/**
 * The signal a chat request runs under: the caller's and the session's together. Throws `DISPOSED`
 * or `ABORTED` when either has fired already; `release()` when the request is done.
 * @internal
 */
export function linkRequest(context: ChatContext, { signal }: RequestOptions): { signal: AbortSignal; release: () => void } {
  if (context.signal.aborted) throw disposedError('The session');
  if (signal?.aborted) throw abortedError(signal);
  return linkSignals(context.signal, signal);
}

/**
 * After a failed attempt of a chat request: throws what the caller should see (`DISPOSED`, `ABORTED`
 * or the mapped failure), or resolves when a 401 got a freshly forced token and one more attempt
 * is worth it (`mayRetry`: the first attempt, and nothing delivered yet).
 * @internal
 */
export async function retryAfter(context: ChatContext, options: RequestOptions, error: unknown, mayRetry: boolean): Promise<void> {
  if (context.signal.aborted) throw disposedError('The session');
  if (options.signal?.aborted) throw abortedError(options.signal);
  const failure = chatError(error, options.operation, options.notFound);
  if (failure.status !== 401 || !mayRetry) throw failure;
  // ACS refused the token: get a new one (the refresher joins concurrent callers) and try once more.
  try {
    await context.forceRefresh();
  } catch {
    throw failure;
  }
}

/** An AbortSignal that fires when any of the given ones does; `release()` drops the listeners. @internal */
export function linkSignals(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const releases: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) controller.abort();
    else releases.push(whenAborted(s, abort));
  }
  return { signal: controller.signal, release: () => releases.forEach((release) => release()) };
}

/** One listener per signal, however many requests wait on it (the session's signal is shared by every request). */
const fanOuts = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` fires, through one shared listener per signal; returns the removal. @internal */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = fanOuts.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    fanOuts.set(signal, set);
    signal.addEventListener('abort', () => [...set].forEach((call) => call()), { once: true });
  }
  callbacks.add(callback);
  return () => callbacks.delete(callback);
}
