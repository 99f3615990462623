import { OptionProblems, isPlainObject, show } from '../internal/options.js';
import type { TokenRefresherOptions } from './types.js';

const KNOWN = ['token', 'refreshLeadMs', 'fetchTimeoutMs', 'retry', 'signal'] as const;
const KNOWN_RETRY = ['initialDelayMs', 'maxDelayMs', 'multiplier', 'jitter'] as const;

/**
 * Checks the token part of the options; adds to `problems` instead of throwing so `createSession`
 * can report token and session problems together.
 * @internal
 */
export function collectTokenProblems(options: Record<string, unknown>, problems: OptionProblems): void {
  const { token } = options;
  if (typeof token === 'string') {
    if (token.trim() === '') problems.add('token must not be an empty string');
  } else if (typeof token !== 'function') {
    problems.add(`token must be a token fetcher function or a token string, got ${show(token)}`);
  }
  problems.optionalNumber('refreshLeadMs', options.refreshLeadMs, 0);
  problems.optionalNumber('fetchTimeoutMs', options.fetchTimeoutMs, 1);
  const { retry } = options;
  if (retry !== undefined) {
    if (!isPlainObject(retry)) problems.add(`retry must be an object, got ${show(retry)}`);
    else {
      problems.unknownKeys(retry, KNOWN_RETRY, 'retry.');
      problems.optionalNumber('retry.initialDelayMs', retry.initialDelayMs, 1);
      problems.optionalNumber('retry.maxDelayMs', retry.maxDelayMs, 1);
      problems.optionalNumber('retry.multiplier', retry.multiplier, 1);
      problems.optionalNumber('retry.jitter', retry.jitter, 0);
      // jitter 1 could shorten a delay to nothing: a hot retry loop.
      if (typeof retry.jitter === 'number' && retry.jitter >= 1) problems.add(`retry.jitter must be at least 0 and less than 1, got ${retry.jitter}`);
    }
  }
  const { signal } = options;
  if (signal !== undefined && !isAbortSignalLike(signal)) problems.add(`signal must be an AbortSignal, got ${show(signal)}`);
}

/** Whether `value` has what the code uses of an AbortSignal. @internal */
export function isAbortSignalLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown };
  return typeof candidate.aborted === 'boolean' && typeof candidate.addEventListener === 'function' && typeof candidate.removeEventListener === 'function';
}

/** @internal */
export function validateRefresherOptions(options: TokenRefresherOptions): void {
  const problems: OptionProblems = new OptionProblems('createTokenRefresher');
  const raw: unknown = options;
  problems.requireObject(raw);
  problems.unknownKeys(raw, KNOWN);
  collectTokenProblems(raw, problems);
  problems.throwIfAny();
}

/** The option names the refresher owns, for callers that validate a larger options object. @internal */
export const TOKEN_OPTION_KEYS: readonly string[] = KNOWN;
