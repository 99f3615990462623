import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, isSessionError, type SessionEvent, type StateChangedEvent } from '../../../src/index.js';
import { delay, fakeAcsToken, rawIdOf } from '../../support/tokens.js';

const endpoint = 'https://contoso.communication.azure.com/';
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createSession', () => {
  it('gets the first token, knows the user and is connected', async () => {
    const token = vi.fn(async () => fakeAcsToken({ user: 'ada' }));
    const session = await createSession({ endpoint, token, displayName: 'Ada' });
    expect(token).toHaveBeenCalledTimes(1);
    expect(session.state).toBe('connected');
    expect(session.endpoint).toBe('https://contoso.communication.azure.com');
    expect(session.displayName).toBe('Ada');
    expect(session.user).toEqual({ kind: 'communicationUser', communicationUserId: rawIdOf('ada'), rawId: rawIdOf('ada') });
    expect(session.getSnapshot()).toMatchObject({ state: 'connected', user: session.user, tokenError: undefined });
    expect(session.tokens.current?.user.rawId).toBe(rawIdOf('ada'));
    await session.dispose();
  });

  it('lists every problem with the options in one INVALID_OPTIONS error', async () => {
    const error = await errorOf(
      createSession({
        endpoint: 'http://example.com?x=1',
        token: 12 as never,
        displayName: 'x'.repeat(300),
        initialTokenAttempts: 0,
        tokenRefresh: { refreshLeadMs: -5, retry: { jitter: 2 } },
        chatt: true,
      } as never),
    );
    expect(isSessionError(error, 'INVALID_OPTIONS')).toBe(true);
    const message = (error as Error).message;
    for (const part of ['https:', 'query', 'token must be', 'displayName', 'initialTokenAttempts', 'refreshLeadMs', 'retry.jitter', 'chatt']) {
      expect(message).toContain(part);
    }
    await expect(createSession(undefined as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(createSession({ endpoint: 'not a url', token: 'x' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('retries the first token with backoff, then gives up with the last error and leaves nothing behind', async () => {
    const token = vi.fn(async () => {
      throw new Error('token service down');
    });
    const creating = errorOf(createSession({ endpoint, token, initialTokenAttempts: 3, tokenRefresh: { retry: { initialDelayMs: 1000, jitter: 0 } } }));
    await vi.advanceTimersByTimeAsync(999);
    expect(token).toHaveBeenCalledTimes(2 - 1);
    await vi.advanceTimersByTimeAsync(1 + 2000);
    const error = await creating;
    expect(token).toHaveBeenCalledTimes(3);
    expect(error).toMatchObject({ code: 'TOKEN_FETCH_FAILED', retryable: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('recovers when a first-token retry succeeds', async () => {
    let calls = 0;
    const token = async () => (++calls === 1 ? Promise.reject(new Error('blip')) : fakeAcsToken());
    const creating = createSession({ endpoint, token, tokenRefresh: { retry: { initialDelayMs: 500, jitter: 0 } } });
    await vi.advanceTimersByTimeAsync(500);
    const session = await creating;
    expect(session.state).toBe('connected');
    await session.dispose();
  });

  it('reports an unusable first token with its own code', async () => {
    await expect(createSession({ endpoint, token: async () => 'garbage', initialTokenAttempts: 1 })).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
      retryable: true,
    });
    // A fixed token cannot improve: no retry, no wait.
    await expect(createSession({ endpoint, token: fakeAcsToken({ lifetimeMs: -1 }) })).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
      retryable: false,
    });
    await expect(createSession({ endpoint, token: 'not.a.jwt' })).rejects.toMatchObject({ code: 'TOKEN_MALFORMED', retryable: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is cancelled by its signal while connecting', async () => {
    const controller = new AbortController();
    const creating = errorOf(
      createSession({
        endpoint,
        token: async () => {
          await delay(10_000);
          return fakeAcsToken();
        },
        signal: controller.signal,
      }),
    );
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await creating).toMatchObject({ code: 'ABORTED' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0);
    await expect(createSession({ endpoint, token: fakeAcsToken(), signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('is disposed when its signal fires later', async () => {
    const controller = new AbortController();
    const session = await createSession({ endpoint, token: async () => fakeAcsToken(), signal: controller.signal });
    controller.abort();
    await Promise.resolve();
    expect(session.disposed).toBe(true);
    expect(session.state).toBe('disconnected');
  });
});

describe('session lifecycle', () => {
  it('goes connected → reconnecting when the token expires, and back when a refresh succeeds', async () => {
    let down = false;
    const session = await createSession({
      endpoint,
      token: async () => (down ? Promise.reject(new Error('down')) : fakeAcsToken()),
      tokenRefresh: { retry: { initialDelayMs: 30_000, maxDelayMs: 30_000, jitter: 0 } },
    });
    const changes: StateChangedEvent[] = [];
    session.on('stateChanged', (e) => changes.push(e));
    down = true;
    await vi.advanceTimersByTimeAsync(60 * MINUTE);
    expect(session.state).toBe('reconnecting');
    expect(session.getSnapshot().tokenError?.code).toBe('TOKEN_FETCH_FAILED');
    down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(session.state).toBe('connected');
    expect(session.getSnapshot().tokenError).toBeUndefined();
    expect(changes.map((c) => [c.previous, c.state, c.reason])).toEqual([
      ['connected', 'reconnecting', 'tokenExpired'],
      ['reconnecting', 'connected', 'tokenRefreshed'],
    ]);
    await session.dispose();
    expect(changes.at(-1)).toMatchObject({ previous: 'connected', state: 'disconnected', reason: 'disposed' });
  });

  it('forwards token events into the session stream', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const seen: SessionEvent['type'][] = [];
    const controller = new AbortController();
    const loop = (async () => {
      for await (const e of session.events({ signal: controller.signal })) seen.push(e.type);
    })();
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    controller.abort();
    await loop;
    expect(seen).toEqual(['tokenRefreshed']);
    await session.dispose();
  });
});

describe('session snapshot', () => {
  it('keeps its identity until something changes, and notifies subscribers on change', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const first = session.getSnapshot();
    expect(session.getSnapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const onChange = vi.fn();
    const unsubscribe = session.subscribe(onChange);
    await vi.advanceTimersByTimeAsync(50 * MINUTE); // proactive refresh → new expiry
    expect(onChange).toHaveBeenCalledTimes(1);
    const second = session.getSnapshot();
    expect(second).not.toBe(first);
    expect(second.tokenExpiresOn?.getTime()).toBeGreaterThan(first.tokenExpiresOn?.getTime() ?? Infinity);
    expect(session.getSnapshot()).toBe(second);
    unsubscribe();
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    expect(onChange).toHaveBeenCalledTimes(1);
    await session.dispose();
  });

  it('works with a useSyncExternalStore-style consumer and survives a throwing subscriber', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const errors: unknown[] = [];
    session.on('error', (e) => errors.push(e.error.code));
    const renders: string[] = [];
    session.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const { subscribe, getSnapshot } = session; // unbound, as useSyncExternalStore calls them
    subscribe(() => renders.push(getSnapshot().state));
    await session.dispose();
    expect(renders).toEqual(['disconnected']);
    expect(errors).toEqual(['LISTENER_FAILED']);
  });
});

describe('session.dispose', () => {
  it('is idempotent, leaves no timer or listener, and makes every method fail with DISPOSED', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const pendingWait = session.waitFor('tokenExpired').catch((e: unknown) => e);
    const iterator = session.events();
    const pendingNext = iterator.next();
    session.on('stateChanged', () => undefined);
    session.subscribe(() => undefined);
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    await Promise.all([session.dispose(), session.dispose()]);
    await session.dispose();

    expect(vi.getTimerCount()).toBe(0);
    expect(session.state).toBe('disconnected');
    expect(session.getSnapshot().state).toBe('disconnected');
    expect(await pendingWait).toMatchObject({ code: 'DISPOSED' });
    // The iterator still delivers the final state change, then ends.
    await expect(pendingNext).resolves.toMatchObject({ value: { type: 'stateChanged', state: 'disconnected' }, done: false });
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    const disposed = expect.objectContaining({ code: 'DISPOSED' });
    expect(() => session.on('stateChanged', () => undefined)).toThrow(disposed);
    expect(() => session.once('error', () => undefined)).toThrow(disposed);
    expect(() => session.subscribe(() => undefined)).toThrow(disposed);
    await expect(session.waitFor('stateChanged')).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(session.events().next()).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(session.tokens.getToken()).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(session.tokens.forceRefresh()).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(session.tokens.credential.getToken()).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('supports await using', async () => {
    let escaped: { disposed: boolean } | undefined;
    {
      await using session = await createSession({ endpoint, token: async () => fakeAcsToken() });
      escaped = session;
      expect(session.disposed).toBe(false);
    }
    expect(escaped.disposed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('session edge cases', () => {
  it('goes reconnecting when a forced refresh fails (no token left to serve), and back on recovery', async () => {
    let down = false;
    const session = await createSession({
      endpoint,
      token: async () => (down ? Promise.reject(new Error('down')) : fakeAcsToken()),
      tokenRefresh: { retry: { initialDelayMs: 1000, jitter: 0 } },
    });
    const reasons: string[] = [];
    session.on('stateChanged', (e) => reasons.push(`${e.state}:${e.reason}`));
    down = true;
    await expect(session.tokens.forceRefresh('rejected')).rejects.toMatchObject({ code: 'TOKEN_FETCH_FAILED' });
    expect(session.state).toBe('reconnecting');
    down = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(session.state).toBe('connected');
    expect(reasons).toEqual(['reconnecting:tokenRefreshFailed', 'connected:tokenRefreshed']);
    await session.dispose();
  });

  it('forwards every token event into the session stream', async () => {
    let call = 0;
    const session = await createSession({
      endpoint,
      token: async () => (++call === 1 ? fakeAcsToken({ lifetimeMs: 20 * MINUTE }) : Promise.reject(new Error('down'))),
      tokenRefresh: { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } },
    });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen = new Set<string>();
    const controller = new AbortController();
    const loop = (async () => {
      for await (const e of session.events({ signal: controller.signal })) seen.add(e.type);
    })();
    session.on('tokenExpired', () => {
      throw new Error('listener bug'); // reported as an error event
    });
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    controller.abort();
    await loop;
    expect([...seen].sort()).toEqual(['error', 'stateChanged', 'tokenExpired', 'tokenRefreshFailed']);
    consoleError.mockRestore();
    await session.dispose();
  });

  it('is already disposed inside the final stateChanged listener: no new listeners, no second teardown', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const inside: unknown[] = [];
    session.on('stateChanged', (e) => {
      if (e.state !== 'disconnected') return;
      inside.push(session.disposed);
      inside.push(
        (() => {
          try {
            session.on('stateChanged', () => undefined);
            return 'subscribed';
          } catch (error) {
            return (error as { code?: string }).code;
          }
        })(),
      );
      void session.dispose();
    });
    const finalStates = vi.fn();
    session.on('stateChanged', finalStates);
    await session.dispose();
    expect(inside).toEqual([true, 'DISPOSED']);
    expect(finalStates).toHaveBeenCalledTimes(1);
  });

  it('a fixed token string fills tokenExpiresOn in the snapshot', async () => {
    const token = fakeAcsToken({ lifetimeMs: 30 * MINUTE });
    const session = await createSession({ endpoint, token });
    expect(session.getSnapshot().tokenExpiresOn?.getTime()).toBe(Date.now() + 30 * MINUTE);
    await session.dispose();
  });

  it('accepts explicitly undefined optional options (exactOptionalPropertyTypes callers)', async () => {
    const maybeName: string | undefined = undefined;
    const session = await createSession({ endpoint, token: async () => fakeAcsToken(), displayName: maybeName, signal: undefined, tokenRefresh: undefined });
    expect(session.displayName).toBeUndefined();
    await session.dispose();
  });
});
