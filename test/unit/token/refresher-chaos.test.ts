import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefresher, type TokenInfo } from '../../../src/index.js';
import { EXPIRY_MARGIN_MS } from '../../../src/token/refresher.js';
import { seededRandom } from '../../support/random.js';
import { delay, fakeAcsToken } from '../../support/tokens.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SIMULATED = 48 * HOUR;
const CALL_EVERY_MS = 17_000;

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
  process.off('unhandledRejection', onUnhandled);
});

interface Outcome {
  served: number;
  expiredServed: number;
  rejectedAt: number[];
  fetches: number;
  successes: number;
  expiredEvents: number;
  firstSuccessAt: number | undefined;
}

/**
 * 48 simulated hours of 1-hour tokens from a fetcher that fails with probability `failureRate`
 * (plus any outage windows), with a consumer asking for a token every 17 s.
 */
async function simulate(seed: number, failureRate: number, outages: [number, number][] = []): Promise<Outcome> {
  const random = seededRandom(seed);
  const start = Date.now();
  const outcome: Outcome = { served: 0, expiredServed: 0, rejectedAt: [], fetches: 0, successes: 0, expiredEvents: 0, firstSuccessAt: undefined };
  const inOutage = () => outages.some(([from, to]) => Date.now() - start >= from && Date.now() - start < to);
  const tokens = createTokenRefresher({
    token: async () => {
      outcome.fetches++;
      await delay(50 + Math.floor(random() * 2000));
      if (inOutage() || random() < failureRate) throw new Error('token service unavailable');
      outcome.successes++;
      outcome.firstSuccessAt ??= Date.now() - start;
      return fakeAcsToken({ lifetimeMs: HOUR });
    },
  });
  tokens.on('tokenExpired', () => outcome.expiredEvents++);
  const check = (info: TokenInfo) => {
    outcome.served++;
    // Served tokens must have more than the safety margin left, not merely be unexpired.
    if (info.expiresOn.getTime() - EXPIRY_MARGIN_MS <= Date.now()) outcome.expiredServed++;
  };
  for (let t = 0; t < SIMULATED; t += CALL_EVERY_MS) {
    tokens.getToken().then(check, () => outcome.rejectedAt.push(Date.now() - start));
    await vi.advanceTimersByTimeAsync(CALL_EVERY_MS);
  }
  tokens.dispose();
  await vi.advanceTimersByTimeAsync(5000);
  expect(vi.getTimerCount()).toBe(0);
  return outcome;
}

describe('token refresher chaos', () => {
  it('48 h of 1-hour tokens with a fetcher failing half the time: never an expired token, near-ideal fetch count', async () => {
    const failureRate = 0.5;
    const outcome = await simulate(20260301, failureRate);
    console.info(`chaos 48h: ${outcome.fetches} fetches, ${outcome.successes} tokens, ${outcome.served} served`);
    // One initial token, then one per 50 minutes (refreshed 10 minutes before expiry).
    const idealSuccesses = 1 + Math.floor(SIMULATED / (50 * MINUTE));
    const expectedFetches = idealSuccesses / (1 - failureRate);

    expect(outcome.expiredServed).toBe(0);
    // Once there was a token, a retry always succeeded before it ran out: no caller was refused.
    // (Before the very first token, a caller waits for one attempt and is told if it failed.)
    expect(outcome.rejectedAt.filter((at) => at > (outcome.firstSuccessAt ?? 0))).toEqual([]);
    expect(outcome.expiredEvents).toBe(0);
    expect(outcome.served).toBe(Math.ceil(SIMULATED / CALL_EVERY_MS));
    expect(outcome.successes).toBeGreaterThanOrEqual(idealSuccesses - 1);
    expect(outcome.successes).toBeLessThanOrEqual(idealSuccesses + 1);
    expect(outcome.fetches).toBeLessThan(expectedFetches * 1.5);
    expect(unhandled).toEqual([]);
  });

  it('a two-hour outage: expired tokens are never served, callers are told, and service resumes right after', async () => {
    const outageStart = 10 * HOUR;
    const outageEnd = 12 * HOUR;
    const outcome = await simulate(7, 0.5, [[outageStart, outageEnd]]);
    expect(outcome.expiredServed).toBe(0);
    expect(outcome.expiredEvents).toBe(1);
    expect(outcome.rejectedAt.length).toBeGreaterThan(0);
    // Rejections only once no token was left, and the retry cadence (capped at 60 s backoff, and
    // a 50 % failure rate after the outage) brings the service back within minutes.
    for (const at of outcome.rejectedAt.filter((at) => at > (outcome.firstSuccessAt ?? 0))) {
      expect(at).toBeGreaterThan(outageStart);
      expect(at).toBeLessThan(outageEnd + 15 * MINUTE);
    }
    expect(unhandled).toEqual([]);
  });
});
