import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefresher, type TokenFetchReason } from '../../../src/index.js';
import { EXPIRY_MARGIN_MS } from '../../../src/token/refresher.js';
import { fakeAcsToken } from '../../support/tokens.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

// 400 ms past a whole second: the token's `exp` is whole seconds, so a "10-second" token really
// lives 9.6 s, the case where the proactive fetch used to come after the token stopped being served.
const START = new Date('2026-01-01T00:00:00.400Z');

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Serves one token of `lifetimeMs`, then fails every fetch; returns when things happened, in ms from the start. */
async function failAfterFirstToken(lifetimeMs: number) {
  const fetches: { at: number; reason: TokenFetchReason }[] = [];
  const tokens = createTokenRefresher({
    token: ({ reason }) => {
      fetches.push({ at: Date.now() - START.getTime(), reason });
      if (fetches.length === 1) return fakeAcsToken({ lifetimeMs });
      throw new Error('token service unavailable');
    },
  });
  let expiredAt: number | undefined;
  tokens.on('tokenExpired', () => (expiredAt = Date.now() - START.getTime()));
  const first = await tokens.getToken();
  const servedFor = first.expiresOn.getTime() - EXPIRY_MARGIN_MS - START.getTime();
  await vi.advanceTimersByTimeAsync(lifetimeMs);
  tokens.dispose();
  return { fetches: fetches.slice(1), expiredAt, servedFor };
}

describe('the proactive refresh of tokens of any lifetime', () => {
  for (const [label, lifetimeMs] of [
    ['10 s', 10 * SECOND],
    ['30 s', 30 * SECOND],
    ['2 min', 2 * MINUTE],
    ['60 min', 60 * MINUTE],
  ] as const) {
    it(`starts before a ${label} token stops being served, with room for a retry before then`, async () => {
      const { fetches, expiredAt, servedFor } = await failAfterFirstToken(lifetimeMs);
      expect(expiredAt).toBe(servedFor);
      const beforeExpiry = fetches.filter((f) => f.at < servedFor);
      expect(beforeExpiry[0]?.reason).toBe('proactive');
      // The proactive fetch and at least one retry, all while the token is still served.
      expect(beforeExpiry.length).toBeGreaterThanOrEqual(2);
      expect(beforeExpiry.every((f) => f.reason === 'proactive')).toBe(true);
    });
  }

  it('keeps the 10-minute lead for long tokens and halfway for shorter ones', async () => {
    expect((await failAfterFirstToken(60 * MINUTE)).fetches[0]?.at).toBe(50 * MINUTE - 400);
    vi.setSystemTime(START);
    expect((await failAfterFirstToken(2 * MINUTE)).fetches[0]?.at).toBe(MINUTE - 200);
  });

  it('never schedules a refresh inside the margin, even with a lead shorter than it', async () => {
    const at: number[] = [];
    const tokens = createTokenRefresher({
      token: () => {
        at.push(Date.now() - START.getTime());
        if (at.length === 1) return fakeAcsToken({ lifetimeMs: 60 * MINUTE });
        throw new Error('token service unavailable');
      },
      refreshLeadMs: 1 * SECOND,
    });
    const first = await tokens.getToken();
    const servedFor = first.expiresOn.getTime() - EXPIRY_MARGIN_MS - START.getTime();
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    tokens.dispose();
    expect(at.filter((t) => t > 0 && t < servedFor).length).toBeGreaterThanOrEqual(2);
  });
});
