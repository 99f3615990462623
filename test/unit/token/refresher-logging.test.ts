import { AzureLogger, setLogLevel } from '@azure/logger';
import { format } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSession, createTokenRefresher } from '../../../src/index.js';
import { fakeAcsToken, rawIdOf } from '../../support/tokens.js';

const endpoint = 'https://contoso.communication.azure.com';
const MINUTE = 60_000;

let lines: string[] = [];
const originalLog = AzureLogger.log;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T00:00:00Z') });
  lines = [];
  AzureLogger.log = (...args: unknown[]) => lines.push(format(...args));
  setLogLevel('verbose');
});
afterEach(() => {
  setLogLevel();
  AzureLogger.log = originalLog;
  vi.useRealTimers();
});

// Diagnostics go through @azure/logger; whatever happens, no token reaches the log, not even one
// quoted in the message of an error a fetcher threw.
describe('token and session diagnostics', () => {
  it('logs fetches, failures with their retry delay, refreshes, expiry, state changes and dispose, and never a token', async () => {
    const issued: string[] = [];
    const issue = (lifetimeMs: number) => {
      const token = fakeAcsToken({ lifetimeMs });
      issued.push(token);
      return token;
    };
    const leaked = issue(60 * MINUTE); // a token the fetcher quotes in its errors
    let mode: 'fail' | 'ok' | 'malformed' = 'fail';
    const connecting = createSession({
      endpoint,
      token: async () => {
        if (mode === 'fail') throw new Error(`token service refused; it had issued ${leaked} and ${issued.at(-1) ?? ''}`);
        if (mode === 'malformed') return `${leaked}.and-more`; // four segments: not a JWT
        return issue(20 * MINUTE);
      },
      tokenRefresh: { retry: { initialDelayMs: 1000, maxDelayMs: MINUTE, jitter: 0 } },
    });
    await vi.advanceTimersByTimeAsync(500);
    mode = 'ok';
    await vi.advanceTimersByTimeAsync(500); // the retry succeeds
    const session = await connecting;
    mode = 'fail';
    await vi.advanceTimersByTimeAsync(20 * MINUTE); // the proactive fetch and its retries fail; the token expires
    mode = 'ok';
    await vi.advanceTimersByTimeAsync(2 * MINUTE); // a retry succeeds
    mode = 'malformed';
    await session.tokens.forceRefresh('rejected').catch(() => undefined);
    await session.dispose();

    const log = lines.join('\n');
    expect(issued).toHaveLength(3);
    for (const token of issued) {
      expect(log).not.toContain(token);
      // Not even a part of one: the payload segment alone identifies the user and expiry.
      expect(log).not.toContain(token.split('.')[1]);
    }
    expect(log).toMatch(/azure:acs-session:info token: fetching \(reason initial, attempt 1\)/);
    expect(log).toMatch(
      /azure:acs-session:warning token: fetch failed \(reason initial, attempt 1\): TOKEN_FETCH_FAILED \(retryable\); retrying in 1000 ms; token usable: false/,
    );
    expect(log).toContain(`token: refreshed (reason initial) for ${rawIdOf()}, expires 2026-05-01T00:20:01.000Z`);
    expect(log).toMatch(/token: fetch failed \(reason proactive, attempt 1\): TOKEN_FETCH_FAILED \(retryable\); retrying in \d+ ms; token usable: true/);
    expect(log).toMatch(/azure:acs-session:warning token: the token expiring 2026-05-01T00:20:01.000Z is no longer served/);
    expect(log).toMatch(/session: connected → reconnecting \(tokenExpired\)/);
    expect(log).toMatch(/token: refreshed \(reason expired\)/);
    expect(log).toMatch(/session: reconnecting → connected \(tokenRefreshed\)/);
    expect(log).toMatch(/token: the current token was marked rejected; fetching a new one/);
    expect(log).toMatch(/token: fetch failed \(reason rejected, attempt 1\): TOKEN_MALFORMED \(retryable\)/);
    expect(log).toMatch(/session: connected → reconnecting \(tokenRefreshFailed\)/);
    expect(log).toMatch(/session: reconnecting → disconnected \(disposed\)/);
    expect(log).toMatch(/session: disposed \(disposed\)/);
    expect(log).toMatch(/token: refresher disposed/);
  });

  it('logs a fetch timeout without the token of the call that hung', async () => {
    const token = fakeAcsToken();
    const tokens = createTokenRefresher({ token: () => new Promise<string>(() => void token), fetchTimeoutMs: 2000 });
    const failed = tokens.getToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await failed).toMatchObject({ code: 'TOKEN_FETCH_FAILED' });
    tokens.dispose();
    expect(lines.join('\n')).toMatch(/token: fetch failed \(reason initial, attempt 1\): TOKEN_FETCH_FAILED \(retryable\); retrying in \d+ ms/);
  });

  it('is silent unless a log level is set', async () => {
    setLogLevel();
    const session = await createSession({ endpoint, token: async () => fakeAcsToken() });
    await session.dispose();
    expect(lines).toEqual([]);
  });
});
