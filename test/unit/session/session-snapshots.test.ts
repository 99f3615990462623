import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, type Session } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

const endpoint = 'https://contoso.communication.azure.com';
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Every snapshot a subscriber is told about, as `state+error|ok`, starting with the current one. */
function recordSnapshots(session: Session): string[] {
  const show = () => {
    const { state, tokenError } = session.getSnapshot();
    return `${state}+${tokenError ? 'error' : 'ok'}`;
  };
  const seen = [show()];
  session.subscribe(() => seen.push(show()));
  return seen;
}

// One cause (a token event, a dispose) is one store update and one notification: a subscriber
// never sees a combination of state and error that the session was never in.
describe('session snapshots', () => {
  it('a failed forced refresh and its recovery are two snapshots, not four', async () => {
    let down = false;
    const session = await createSession({
      endpoint,
      token: async () => (down ? Promise.reject(new Error('down')) : fakeAcsToken()),
      tokenRefresh: { retry: { initialDelayMs: 1000, jitter: 0 } },
    });
    const seen = recordSnapshots(session);
    down = true;
    await expect(session.tokens.forceRefresh('rejected')).rejects.toMatchObject({ code: 'TOKEN_FETCH_FAILED' });
    down = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(['connected+ok', 'reconnecting+error', 'connected+ok']);
    await session.dispose();
  });

  it('a failed proactive refresh, the expiry and the recovery: one snapshot per token event', async () => {
    let call = 0;
    let down = true;
    const session = await createSession({
      endpoint,
      token: async () => (++call === 1 ? fakeAcsToken({ lifetimeMs: 20 * MINUTE }) : down ? Promise.reject(new Error('down')) : fakeAcsToken()),
      tokenRefresh: { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } },
    });
    const seen = recordSnapshots(session);
    const causes: string[] = [];
    for (const type of ['tokenRefreshed', 'tokenRefreshFailed', 'tokenExpired'] as const) session.on(type, (e) => causes.push(e.type));
    await vi.advanceTimersByTimeAsync(10 * MINUTE); // the proactive fetch fails; the token is still served
    expect(seen).toEqual(['connected+ok', 'connected+error']);
    await vi.advanceTimersByTimeAsync(10 * MINUTE); // retries fail (each a new error) and the token expires
    down = false;
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(causes).toContain('tokenExpired');
    expect(seen.length - 1).toBe(causes.length);
    expect(seen.filter((shown, at) => shown !== seen[at - 1])).toEqual(['connected+ok', 'connected+error', 'reconnecting+error', 'connected+ok']);
    await session.dispose();
  });

  it('dispose is one snapshot', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const seen = recordSnapshots(session);
    const listener = vi.fn();
    session.on('stateChanged', () => listener(session.getSnapshot().state));
    await session.dispose();
    expect(seen).toEqual(['connected+ok', 'disconnected+ok']);
    expect(listener).toHaveBeenCalledWith('disconnected');
  });

  it('state listeners see the snapshot they were told about', async () => {
    let down = false;
    const session = await createSession({
      endpoint,
      token: async () => (down ? Promise.reject(new Error('down')) : fakeAcsToken()),
      tokenRefresh: { retry: { initialDelayMs: 1000, jitter: 0 } },
    });
    const atEvent: string[] = [];
    session.on('tokenRefreshFailed', () => atEvent.push(`failed:${session.getSnapshot().state}`));
    session.on('stateChanged', (e) => atEvent.push(`${e.state}:${session.getSnapshot().state}`));
    down = true;
    await session.tokens.forceRefresh('rejected').catch(() => undefined);
    expect(atEvent).toEqual(['failed:reconnecting', 'reconnecting:reconnecting']);
    await session.dispose();
  });
});

describe('session event names', () => {
  it('refuses an unknown name with INVALID_ARGUMENT naming the events it has', async () => {
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    const invalid = expect.objectContaining({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/The session has no event 'nope'; its events are: stateChanged, tokenRefreshed, tokenRefreshFailed, tokenExpired, error/),
    });
    expect(() => session.on('nope' as never, () => undefined)).toThrow(invalid);
    expect(() => session.once('nope' as never, () => undefined)).toThrow(invalid);
    expect(() => session.off('nope' as never, () => undefined)).toThrow(invalid);
    await expect(session.waitFor('nope' as never)).rejects.toEqual(invalid);
    expect(() => session.events({ types: ['nope' as never] })).toThrow(invalid);
    await session.dispose();
  });
});
