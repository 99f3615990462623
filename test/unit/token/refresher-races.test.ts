import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefresher, type TokenFetchContext } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const microtasks = async (count: number) => {
  for (let i = 0; i < count; i++) await Promise.resolve();
};

/** A fetcher whose first answer the test releases by hand; later calls answer at once. */
function heldFetcher() {
  let release!: (token: string) => void;
  const reasons: string[] = [];
  const fetcher = vi.fn((context: TokenFetchContext) => {
    reasons.push(context.reason);
    return reasons.length === 1 ? new Promise<string>((resolve) => (release = resolve)) : fakeAcsToken();
  });
  return { fetcher, reasons, release: (token: string) => release(token) };
}

// Callers and dispose() can land at any microtask while an attempt finishes; none may start a
// second fetch or leave a timer behind.
describe('token refresher at every microtask of a finishing fetch', () => {
  for (let depth = 0; depth <= 8; depth++) {
    it(`a getToken() ${depth} microtasks after the fetcher answered joins the same fetch`, async () => {
      const { fetcher, release } = heldFetcher();
      const tokens = createTokenRefresher({ token: fetcher });
      const first = tokens.getToken();
      await microtasks(3);
      release(fakeAcsToken());
      await microtasks(depth);
      const [a, b] = await Promise.all([first, tokens.getToken()]);
      expect(fetcher).toHaveBeenCalledTimes(1);
      expect(b.token).toBe(a.token);
      tokens.dispose();
    });

    it(`dispose() ${depth} microtasks after the fetcher answered leaves no timer`, async () => {
      const { fetcher, release } = heldFetcher();
      const tokens = createTokenRefresher({ token: fetcher });
      const pending = tokens.getToken().catch((error: unknown) => error);
      await microtasks(3);
      release(fakeAcsToken());
      await microtasks(depth);
      tokens.dispose();
      await pending;
      expect(vi.getTimerCount()).toBe(0);
    });
  }
});

describe('long-lived tokens', () => {
  it('a token valid for 30 days is not reported expired when a 24.8-day timer limit passes', async () => {
    const tokens = createTokenRefresher({ token: fakeAcsToken({ lifetimeMs: 30 * DAY }) });
    const expired = vi.fn();
    tokens.on('tokenExpired', expired);
    await tokens.getToken();
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(expired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(expired).toHaveBeenCalledTimes(1);
    tokens.dispose();
  });
});

describe('reasons given to the fetcher', () => {
  it('retries of a refused token say rejected; retries before any token say initial', async () => {
    let call = 0;
    const reasons: string[] = [];
    const tokens = createTokenRefresher({
      token: async ({ reason }) => {
        reasons.push(reason);
        call++;
        if (call === 1 || call === 4) return fakeAcsToken();
        throw new Error('down');
      },
      retry: { initialDelayMs: 1000, jitter: 0 },
    });
    await tokens.getToken();
    await expect(tokens.forceRefresh()).rejects.toMatchObject({ code: 'TOKEN_FETCH_FAILED' });
    await vi.advanceTimersByTimeAsync(1000 + 2000);
    expect(reasons).toEqual(['initial', 'rejected', 'rejected', 'rejected']);
    tokens.dispose();
  });

  it('tokenRefreshFailed says whether a token is still being served', async () => {
    let call = 0;
    const tokens = createTokenRefresher({
      token: async () => (++call === 1 ? fakeAcsToken() : Promise.reject(new Error('down'))),
      retry: { initialDelayMs: 1000, jitter: 0 },
    });
    const usable: boolean[] = [];
    tokens.on('tokenRefreshFailed', (e) => usable.push(e.tokenUsable));
    await tokens.getToken();
    await vi.advanceTimersByTimeAsync(50 * 60_000); // proactive refresh fails: the old token still serves
    // Refused, and the retry it joins fails too: nothing left to serve.
    const forced = tokens.forceRefresh().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await forced;
    expect(usable).toEqual([true, false]);
    tokens.dispose();
  });
});

describe('options', () => {
  it('accepts signal as well as abortSignal, and rejects look-alike signals and jitter ≥ 1', async () => {
    const tokens = createTokenRefresher({ token: async () => new Promise<string>(() => undefined) });
    const controller = new AbortController();
    const waiting = tokens.getToken({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    tokens.dispose();
    const invalid = expect.objectContaining({ code: 'INVALID_OPTIONS' });
    expect(() => createTokenRefresher({ token: 'x', signal: { aborted: false } as never })).toThrow(invalid);
    expect(() => createTokenRefresher({ token: 'x', retry: { jitter: 1 } })).toThrow(invalid);
  });
});
