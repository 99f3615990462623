import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/server/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows `limit` hits per sliding window per key and says when the next one is allowed', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect(limiter.take('a')).toBe(0);
    now += 5_000;
    expect([limiter.take('a'), limiter.take('a')]).toEqual([0, 0]);
    now += 5_000;
    expect(limiter.take('a')).toBe(50_000);
    expect(limiter.take('b')).toBe(0);
    now += 50_000; // the first hit leaves the window, the two later ones are still in it
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(5_000);
  });

  it('forgets idle keys once many are tracked', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1_000, () => now);
    for (let i = 0; i <= 10_001; i++) limiter.take(`user-${i}`);
    expect(limiter.trackedKeys).toBe(10_002);
    now += 2_000;
    limiter.take('late');
    expect(limiter.trackedKeys).toBe(1);
  });
});
