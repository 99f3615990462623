/**
 * Per-user rate limit of the token service: at most `limit` tokens per user in any `windowMs`.
 *
 * @example
 * ```ts
 * const rateLimit: RateLimitOptions = { limit: 5, windowMs: 60_000 };
 * ```
 */
export interface RateLimitOptions {
  /** Tokens one app user may get per window. Default 10. */
  limit?: number;
  /** The window, in ms. Default 60 000. */
  windowMs?: number;
}

/** Above this many tracked users, expired entries are swept on the next request. */
const SWEEP_AT = 10_000;

/**
 * A sliding-window counter per key. No timer: old entries are dropped as requests arrive, so a
 * service that is disposed (or never is) leaves nothing running.
 * @internal
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many keys are tracked (memory stays bounded by the active users). */
  get trackedKeys(): number {
    return this.#hits.size;
  }

  /** Counts one request for `key`; returns 0 when allowed, else how many ms until one would be. */
  take(key: string): number {
    const now = this.now();
    if (this.#hits.size > SWEEP_AT) this.#sweep(now);
    const hits = (this.#hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (hits.length >= this.limit) {
      this.#hits.set(key, hits);
      return (hits[0] ?? now) + this.windowMs - now;
    }
    hits.push(now);
    this.#hits.set(key, hits);
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, hits] of this.#hits) if (hits.every((at) => now - at >= this.windowMs)) this.#hits.delete(key);
  }
}
