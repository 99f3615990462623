import { abortedError, disposedError, type SessionError, type SessionErrorCode } from '../errors.js';
import { fromAcsError } from '../internal/from-acs-error.js';
import type { ChatContext } from './context.js';

/** What a 404 means for an operation: the thread or the message is gone. @internal */
export type NotFound = 'thread' | 'message';

/** @internal */
export interface RequestOptions {
  /** For the error message, e.g. `'Sending a chat message'`. */
  readonly operation: string;
  /** Which `*_NOT_FOUND` a 404 becomes. Default `'thread'`. */
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
  const notFoundCode: SessionErrorCode = notFound === 'message' ? 'MESSAGE_NOT_FOUND' : 'THREAD_NOT_FOUND';
  return fromAcsError(error, {
    operation,
    byStatus: { 403: 'NOT_A_PARTICIPANT', 404: notFoundCode },
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
  const { signal } = options;
  if (context.signal.aborted) throw disposedError('The session');
  if (signal?.aborted) throw abortedError(signal);
  const linked = linkSignals(context.signal, signal);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(linked.signal);
      } catch (error) {
        if (context.signal.aborted) throw disposedError('The session');
        if (signal?.aborted) throw abortedError(signal);
        const failure = chatError(error, options.operation, options.notFound);
        if (failure.status !== 401 || attempt > 1 || options.retryUnauthorized === false) throw failure;
        // ACS refused the token: get a new one (the refresher joins concurrent callers) and try once more.
        try {
          await context.forceRefresh();
        } catch {
          throw failure;
        }
      }
    }
  } finally {
    linked.release();
  }
}

/** An AbortSignal that fires when any of the given ones does; `release()` drops the listeners. @internal */
export function linkSignals(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  const abort = () => controller.abort();
  for (const s of present) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    release: () => {
      for (const s of present) s.removeEventListener('abort', abort);
    },
  };
}
