/**
 * How the token refresher retries a failed fetch.
 * @example
 * ```ts
 * // 0.5 s, 1 s, 2 s … up to 20 s, each shortened by up to 10 %
 * createSession({ endpoint, token, tokenRefresh: { retry: { initialDelayMs: 500, maxDelayMs: 20_000, jitter: 0.1 } } });
 * ```
 */
export interface RetryOptions {
  /** Delay before the first retry, in ms. Default 1 000. */
  initialDelayMs?: number | undefined;
  /** The delay never grows past this, in ms. Default 60 000. */
  maxDelayMs?: number | undefined;
  /** Growth factor per attempt. Default 2. */
  multiplier?: number | undefined;
  /**
   * Fraction of each delay that is randomized, 0–1. Default 0.2: a delay of 10 s becomes 8–10 s, so
   * that many clients failing at once do not retry in lockstep.
   */
  jitter?: number | undefined;
}

/** @internal */
export type ResolvedRetryOptions = { [K in keyof RetryOptions]-?: NonNullable<RetryOptions[K]> };

/** @internal */
export const DEFAULT_RETRY: ResolvedRetryOptions = { initialDelayMs: 1_000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (1 for the first retry): exponential, capped, jittered.
 * @internal
 */
export function backoffDelay(attempt: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const exponential = options.initialDelayMs * options.multiplier ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}
