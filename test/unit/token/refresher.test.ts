import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefresher, isSessionError, type TokenFetchContext, type TokenRefreshFailedEvent } from '../../../src/index.js';
import { EXPIRY_MARGIN_MS } from '../../../src/token/refresher.js';
import { delay, fakeAcsToken, rawIdOf } from '../../support/tokens.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A fetcher that records its calls and answers with a fresh one-hour token unless told otherwise. */
function recordingFetcher(answer: (ctx: TokenFetchContext, call: number) => Promise<unknown> | unknown = () => fakeAcsToken()) {
  const calls: TokenFetchContext[] = [];
  const fetcher = vi.fn(async (ctx: TokenFetchContext) => {
    calls.push(ctx);
    return (await answer(ctx, calls.length)) as string;
  });
  return { fetcher, calls };
}

describe('createTokenRefresher', () => {
  it('fetches lazily on the first getToken with reason initial and reads the user from skypeid', async () => {
    const { fetcher, calls } = recordingFetcher();
    const tokens = createTokenRefresher({ token: fetcher });
    expect(fetcher).not.toHaveBeenCalled();
    const info = await tokens.getToken();
    expect(calls.map((c) => c.reason)).toEqual(['initial']);
    expect(info.user).toEqual({ kind: 'communicationUser', communicationUserId: rawIdOf(), rawId: rawIdOf() });
    expect(info.scopes).toEqual(['chat', 'voip']);
    expect(info.expiresOn.getTime()).toBe(Date.now() + HOUR);
    expect(tokens.user?.rawId).toBe(rawIdOf());
    tokens.dispose();
  });

  it('refreshes proactively 10 minutes before expiry, and halfway for short-lived tokens', async () => {
    const { fetcher, calls } = recordingFetcher((_ctx, call) => fakeAcsToken({ lifetimeMs: call === 1 ? HOUR : 12 * MINUTE }));
    const tokens = createTokenRefresher({ token: fetcher });
    const refreshed: Date[] = [];
    tokens.on('tokenRefreshed', (e) => refreshed.push(e.nextRefreshOn));
    const start = Date.now();
    await tokens.getToken();
    expect(refreshed[0]?.getTime()).toBe(start + 50 * MINUTE);

    await vi.advanceTimersByTimeAsync(50 * MINUTE - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'proactive']);
    // The second token lives 12 minutes (< 2 × 10): it is refreshed after 6.
    expect(refreshed[1]?.getTime()).toBe(Date.now() + 6 * MINUTE);
    await vi.advanceTimersByTimeAsync(6 * MINUTE);
    expect(calls).toHaveLength(3);
    tokens.dispose();
  });

  it('honours a custom refresh lead', async () => {
    const { fetcher, calls } = recordingFetcher();
    const tokens = createTokenRefresher({ token: fetcher, refreshLeadMs: 2 * MINUTE });
    await tokens.getToken();
    await vi.advanceTimersByTimeAsync(58 * MINUTE - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    tokens.dispose();
  });

  it('serves 1 000 concurrent getToken() calls from one fetch', async () => {
    const { fetcher } = recordingFetcher(async () => {
      await delay(200);
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({ token: fetcher });
    const all = Promise.all(Array.from({ length: 1000 }, () => tokens.getToken()));
    await vi.advanceTimersByTimeAsync(200);
    const results = await all;
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    // And cached calls afterwards do not fetch either.
    await Promise.all(Array.from({ length: 1000 }, () => tokens.getToken()));
    expect(fetcher).toHaveBeenCalledTimes(1);
    tokens.dispose();
  });

  it('retries a failed fetch with growing, capped backoff and recovers', async () => {
    let failuresLeft = 5;
    const { fetcher, calls } = recordingFetcher(() => {
      if (failuresLeft-- > 0) throw new Error('token service down');
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({
      token: fetcher,
      retry: { initialDelayMs: 1000, maxDelayMs: 5000, multiplier: 2, jitter: 0 },
    });
    const failures: TokenRefreshFailedEvent[] = [];
    tokens.on('tokenRefreshFailed', (e) => failures.push(e));
    const recovered = vi.fn();
    tokens.on('tokenRefreshed', recovered);

    const first = tokens.getToken();
    await expect(first).rejects.toMatchObject({ code: 'TOKEN_FETCH_FAILED', retryable: true });
    expect(failures.map((f) => f.nextRetryInMs)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 5000);
    expect(failures.map((f) => [f.attempt, f.nextRetryInMs])).toEqual([
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 5000],
      [5, 5000],
    ]);
    expect(failures[0]?.error.cause).toBeInstanceOf(Error);
    expect(recovered).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5000);
    expect(recovered).toHaveBeenCalledTimes(1);
    // No token was ever served, so every retry is still for the initial token.
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'initial', 'initial', 'initial', 'initial', 'initial']);
    await expect(tokens.getToken()).resolves.toMatchObject({ user: { rawId: rawIdOf() } });
    tokens.dispose();
  });

  it('a caller that needs a token waits for the scheduled retry instead of adding fetches', async () => {
    let fail = true;
    const { fetcher } = recordingFetcher(() => {
      if (fail) throw new Error('down');
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({ token: fetcher, retry: { initialDelayMs: 3000, jitter: 0 } });
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'TOKEN_FETCH_FAILED' });
    fail = false;
    const waiting = Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    await vi.advanceTimersByTimeAsync(2999);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).resolves.toHaveLength(3);
    expect(fetcher).toHaveBeenCalledTimes(2);
    tokens.dispose();
  });

  it('keeps serving the still-valid token while a proactive refresh fails, and retries before it expires', async () => {
    let call = 0;
    const fetcher = vi.fn(async () => {
      call++;
      if (call >= 2 && call <= 4) throw new Error('flaky');
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({ token: fetcher, retry: { initialDelayMs: 1000, maxDelayMs: 60 * MINUTE, jitter: 0 } });
    const original = await tokens.getToken();
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect((await tokens.getToken()).token).toBe(original.token);
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(fetcher).toHaveBeenCalledTimes(5);
    expect((await tokens.getToken()).token).not.toBe(original.token);
    tokens.dispose();
  });

  it('caps the retry delay so a still-valid token gets more tries before it runs out', async () => {
    let call = 0;
    const fetcher = vi.fn(async () => (++call === 1 ? fakeAcsToken() : Promise.reject(new Error('down'))));
    const tokens = createTokenRefresher({ token: fetcher, retry: { initialDelayMs: 1000, maxDelayMs: 10 * HOUR, jitter: 0 } });
    const { expiresOn } = await tokens.getToken();
    const servedUntil = expiresOn.getTime() - EXPIRY_MARGIN_MS;
    const retries: { at: number; delay: number }[] = [];
    tokens.on('tokenRefreshFailed', (e) => retries.push({ at: Date.now(), delay: e.nextRetryInMs }));
    await vi.advanceTimersByTimeAsync(HOUR);
    // Pure backoff (1, 2, 4 … 512 s) would make 9 attempts in the last 10 minutes, the last one
    // 512 s after the previous; capping at half the remaining life keeps retrying up to the end.
    const beforeExpiry = retries.filter((r) => r.at < servedUntil);
    expect(beforeExpiry.length).toBeGreaterThan(9);
    for (const r of beforeExpiry) expect(r.delay).toBeLessThanOrEqual(Math.max(1000, (servedUntil - r.at) / 2));
    tokens.dispose();
  });

  it('emits tokenExpired and never serves an expired token', async () => {
    let call = 0;
    const fetcher = vi.fn(async () => (++call === 1 ? fakeAcsToken() : Promise.reject(new Error('down'))));
    const tokens = createTokenRefresher({ token: fetcher, retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });
    const first = await tokens.getToken();
    const expired = vi.fn();
    tokens.on('tokenExpired', expired);
    await vi.advanceTimersByTimeAsync(HOUR - EXPIRY_MARGIN_MS);
    expect(expired).toHaveBeenCalledWith({ type: 'tokenExpired', expiredOn: first.expiresOn });
    const late = tokens.getToken();
    const settled = vi.fn();
    late.then(settled, settled);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(settled).toHaveBeenCalledWith(expect.objectContaining({ code: 'TOKEN_FETCH_FAILED' }));
    tokens.dispose();
  });

  it('forceRefresh("rejected") stops serving the current token and fetches one new token for all callers', async () => {
    const { fetcher, calls } = recordingFetcher();
    const tokens = createTokenRefresher({ token: fetcher });
    const first = await tokens.getToken();
    await vi.advanceTimersByTimeAsync(1000);
    const [a, b, c] = await Promise.all([tokens.forceRefresh(), tokens.forceRefresh(), tokens.getToken()]);
    expect(calls.map((x) => x.reason)).toEqual(['initial', 'rejected']);
    expect(a.token).not.toBe(first.token);
    expect(b.token).toBe(a.token);
    expect(c.token).toBe(a.token);
    tokens.dispose();
  });

  it('refuses a token for a different user with TOKEN_IDENTITY_CHANGED and keeps the current one', async () => {
    const { fetcher } = recordingFetcher((_ctx, call) => fakeAcsToken({ user: call === 1 ? 'alice' : 'mallory' }));
    const tokens = createTokenRefresher({ token: fetcher, retry: { jitter: 0 } });
    const first = await tokens.getToken();
    const failed = tokens.waitFor('tokenRefreshFailed');
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    const event = await failed;
    expect(event.error.code).toBe('TOKEN_IDENTITY_CHANGED');
    expect(event.error.retryable).toBe(false);
    expect(event.error.message).toContain(rawIdOf('mallory'));
    expect(tokens.current?.token).toBe(first.token);
    expect(tokens.user?.rawId).toBe(rawIdOf('alice'));
    // A forced refresh joins the scheduled retry, which the fetcher fails the same way.
    const forced = tokens.forceRefresh().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(event.nextRetryInMs);
    expect(await forced).toMatchObject({ code: 'TOKEN_IDENTITY_CHANGED' });
    tokens.dispose();
  });

  it('gives clear codes for malformed and already-expired tokens from the fetcher', async () => {
    const cases: [unknown, string][] = [
      ['not-a-jwt', 'TOKEN_MALFORMED'],
      [{ nope: true }, 'TOKEN_MALFORMED'],
      [42, 'TOKEN_MALFORMED'],
      [fakeAcsToken({ claims: { skypeid: undefined } }), 'TOKEN_MALFORMED'],
      [fakeAcsToken({ claims: { exp: undefined } }), 'TOKEN_MALFORMED'],
      [{ token: fakeAcsToken(), expiresOn: 'yesterday-ish' }, 'TOKEN_MALFORMED'],
      [fakeAcsToken({ lifetimeMs: -1000 }), 'TOKEN_EXPIRED'],
      [{ token: fakeAcsToken(), expiresOn: new Date(Date.now() - 1) }, 'TOKEN_EXPIRED'],
    ];
    for (const [answer, code] of cases) {
      const tokens = createTokenRefresher({ token: async () => answer as string });
      const error = await tokens.getToken().catch((e: unknown) => e);
      expect(isSessionError(error, code as 'TOKEN_MALFORMED'), `${JSON.stringify(answer)} → ${code}`).toBe(true);
      tokens.dispose();
    }
  });

  it('uses the earlier of expiresOn and the JWT exp', async () => {
    const expiresOn = new Date(Date.now() + 30 * MINUTE);
    const tokens = createTokenRefresher({ token: async () => ({ token: fakeAcsToken(), expiresOn: expiresOn.toISOString() }) });
    expect((await tokens.getToken()).expiresOn).toEqual(expiresOn);
    tokens.dispose();
  });

  it('aborts a fetcher that hangs past fetchTimeoutMs and retries', async () => {
    const { fetcher, calls } = recordingFetcher(async (_ctx, call) => (call === 1 ? new Promise(() => undefined) : fakeAcsToken()));
    const tokens = createTokenRefresher({ token: fetcher, fetchTimeoutMs: 5000, retry: { initialDelayMs: 100, jitter: 0 } });
    const first = tokens.getToken().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await first).toMatchObject({ code: 'TOKEN_FETCH_FAILED', retryable: true });
    expect(calls[0]?.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    await expect(tokens.getToken()).resolves.toBeDefined();
    tokens.dispose();
  });

  it('an aborted caller stops waiting while the shared fetch goes on for the others', async () => {
    const { fetcher } = recordingFetcher(async () => {
      await delay(1000);
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({ token: fetcher });
    const controller = new AbortController();
    const aborted = tokens.getToken({ abortSignal: controller.signal });
    const patient = tokens.getToken();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(patient).resolves.toBeDefined();
    expect(fetcher).toHaveBeenCalledTimes(1);
    const again = new AbortController();
    again.abort();
    await expect(tokens.forceRefresh('rejected', { abortSignal: again.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    tokens.dispose();
  });

  it('dispose clears every timer, aborts the running fetch and rejects callers with DISPOSED', async () => {
    const { fetcher, calls } = recordingFetcher(async (_ctx, call) => {
      if (call === 1) return fakeAcsToken();
      await delay(10_000);
      return fakeAcsToken();
    });
    const tokens = createTokenRefresher({ token: fetcher });
    const listener = vi.fn();
    tokens.on('tokenRefreshed', listener);
    await tokens.getToken();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    const pending = tokens.forceRefresh().catch((e: unknown) => e);
    tokens.dispose();
    tokens.dispose();
    expect(await pending).toMatchObject({ code: 'DISPOSED' });
    expect(calls.at(-1)?.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0);
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(() => tokens.on('tokenRefreshed', listener)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('disposes when its signal fires', async () => {
    const controller = new AbortController();
    const tokens = createTokenRefresher({ token: async () => fakeAcsToken(), signal: controller.signal });
    await tokens.getToken();
    controller.abort();
    expect(tokens.disposed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('serves a static token string as is and never refreshes it', async () => {
    const token = fakeAcsToken({ lifetimeMs: 20 * MINUTE });
    const tokens = createTokenRefresher({ token });
    await expect(tokens.getToken()).resolves.toMatchObject({ token });
    await expect(tokens.forceRefresh()).rejects.toMatchObject({ code: 'TOKEN_NOT_REFRESHABLE' });
    const expired = tokens.waitFor('tokenExpired');
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    await expired;
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', retryable: false });
    tokens.dispose();
  });

  it('exposes a CommunicationTokenCredential whose dispose does not end the shared refresher', async () => {
    const tokens = createTokenRefresher({ token: async () => fakeAcsToken() });
    const access = await tokens.credential.getToken();
    expect(access).toEqual({
      token: tokens.current?.token,
      expiresOnTimestamp: tokens.current?.expiresOn.getTime(),
      refreshAfterTimestamp: Date.now() - 1, // ask again on every use: see toAccessToken
    });
    tokens.credential.dispose();
    await expect(tokens.credential.getToken()).resolves.toBeDefined();
    tokens.dispose();
    await expect(tokens.credential.getToken()).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('lists every invalid option in one INVALID_OPTIONS error', () => {
    const attempt = () =>
      createTokenRefresher({
        token: 7,
        refreshLeadMs: -1,
        retry: { jitter: 3, multiplier: 0, bogus: 1 } as never,
        extra: true,
      } as never);
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const part of ['extra', 'token must be', 'refreshLeadMs', 'retry.jitter', 'retry.multiplier', 'retry.bogus']) {
      expect(message).toContain(part);
    }
  });
});
