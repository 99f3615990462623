import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

const endpoint = 'https://contoso.communication.azure.com';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A session whose fetcher fails while `down` is set, retrying after 1 s. */
async function flakySession() {
  const control = { down: false };
  const session = await createSession({
    endpoint,
    token: async () => (control.down ? Promise.reject(new Error('down')) : fakeAcsToken()),
    tokenRefresh: { retry: { initialDelayMs: 1000, jitter: 0 } },
  });
  return { session, control };
}

describe('session.waitForState', () => {
  it('resolves at once when the state already holds, right after createSession', async () => {
    const { session } = await flakySession();
    await expect(session.waitForState('connected', { timeoutMs: 0 })).resolves.toBe('connected');
    await expect(session.waitForState(['reconnecting', 'connected'])).resolves.toBe('connected');
    await session.dispose();
  });

  it('waits for the state when it does not hold yet', async () => {
    const { session, control } = await flakySession();
    control.down = true;
    await session.tokens.forceRefresh('rejected').catch(() => undefined);
    expect(session.state).toBe('reconnecting');
    const connected = session.waitForState('connected');
    control.down = false;
    await vi.advanceTimersByTimeAsync(1000);
    await expect(connected).resolves.toBe('connected');
    await session.dispose();
  });

  it('times out and aborts like waitFor', async () => {
    const { session, control } = await flakySession();
    control.down = true;
    await session.tokens.forceRefresh('rejected').catch(() => undefined);
    const timedOut = session.waitForState('connected', { timeoutMs: 500 });
    const controller = new AbortController();
    const aborted = session.waitForState('connected', { signal: controller.signal });
    const timeoutChecked = expect(timedOut).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'The session was not connected within 500 ms (it is reconnecting)',
    });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await vi.advanceTimersByTimeAsync(500);
    await timeoutChecked;
    await session.dispose();
  });

  it('rejects with DISPOSED when the session is or becomes disconnected, unless that was asked for', async () => {
    const { session, control } = await flakySession();
    control.down = true;
    await session.tokens.forceRefresh('rejected').catch(() => undefined);
    const connected = session.waitForState('connected');
    const ended = session.waitForState(['connected', 'disconnected']);
    await session.dispose();
    await expect(connected).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(ended).resolves.toBe('disconnected');
    await expect(session.waitForState('connected')).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(session.waitForState('disconnected')).resolves.toBe('disconnected');
  });

  it('refuses states that do not exist with INVALID_ARGUMENT', async () => {
    const { session } = await flakySession();
    const invalid = { code: 'INVALID_ARGUMENT', message: expect.stringContaining('connecting, connected, reconnecting, disconnected') };
    await expect(session.waitForState('online' as never)).rejects.toMatchObject(invalid);
    await expect(session.waitForState([])).rejects.toMatchObject(invalid);
    await expect(session.waitForState('reconnecting', { timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await session.dispose();
  });
});
