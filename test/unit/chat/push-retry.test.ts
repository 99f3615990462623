import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatImpl } from '../../../src/chat/chat.js';
import type { ChatContext } from '../../../src/chat/context.js';
import { PushRetry, type PushRetrySchedule } from '../../../src/chat/push-retry.js';
import { FakeChatService, fakeContext } from '../../support/fakeChat.js';
import { FakeRealtime } from '../../support/fakeRealtime.js';

const ME = '8:acs:r_me';
const ADA = '8:acs:r_ada';
const schedule: PushRetrySchedule = { initialMs: 5_000, maxMs: 300_000, jitter: 0.25, stableMs: 60_000 };

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A retry whose attempts fail until told otherwise, recording when each ran. */
function retryHarness(random = () => 0.5) {
  vi.useFakeTimers();
  const controller = new AbortController();
  const attempts: number[] = [];
  const start = Date.now();
  let connected = false;
  let succeed = false;
  const retry = new PushRetry(
    controller.signal,
    async () => {
      attempts.push(Date.now() - start);
      connected = succeed;
      return succeed;
    },
    () => connected,
    schedule,
    random,
  );
  return {
    retry,
    controller,
    attempts,
    succeedNext: () => (succeed = true),
    drop: () => {
      connected = false;
      succeed = false;
      retry.disconnected();
    },
  };
}

describe('PushRetry', () => {
  it('tries again 5 s after push went down, doubling each failure up to 5 min', async () => {
    const { retry, attempts } = retryHarness();
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(attempts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([5_000]);
    await vi.advanceTimersByTimeAsync(1_000_000);
    const gaps = attempts.map((at, i) => at - (attempts[i - 1] ?? 0));
    expect(gaps.slice(0, 8)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('spreads each wait by ±25 % (jitter)', async () => {
    const low = retryHarness(() => 0);
    low.retry.disconnected();
    await vi.advanceTimersByTimeAsync(3_750);
    expect(low.attempts).toEqual([3_750]);
    low.controller.abort();
    vi.useRealTimers();
    const high = retryHarness(() => 0.999_999);
    high.retry.disconnected();
    await vi.advanceTimersByTimeAsync(6_249);
    expect(high.attempts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(high.attempts).toEqual([6_250]);
  });

  it('stops once an attempt connects, and starts from 5 s again after a connection that held', async () => {
    const { retry, attempts, succeedNext, drop } = retryHarness();
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(15_000); // attempts at 5 s and 15 s fail
    succeedNext();
    await vi.advanceTimersByTimeAsync(20_000); // the one at 35 s connects
    retry.connected();
    expect(attempts).toEqual([5_000, 15_000, 35_000]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(attempts).toHaveLength(3);
    expect(retry.pending).toBe(false);
    drop(); // after 10 min connected: back to the first wait
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts).toHaveLength(4);
  });

  it('a connection that dropped at once does not reset the backoff', async () => {
    const { retry, attempts, succeedNext, drop } = retryHarness();
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(15_000);
    succeedNext();
    await vi.advanceTimersByTimeAsync(20_000);
    retry.connected();
    drop(); // the attempt that connected counts: the next wait is the one after it
    await vi.advanceTimersByTimeAsync(39_999);
    expect(attempts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(4);
  });

  it('one attempt at a time: reports while an attempt is armed or running add none', async () => {
    const { retry, attempts } = retryHarness();
    retry.disconnected();
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(5_000);
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(attempts).toEqual([5_000]);
  });

  it('leaves no timer once the session is disposed', async () => {
    const { retry, controller, attempts } = retryHarness();
    retry.disconnected();
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(vi.getTimerCount()).toBe(0);
    retry.disconnected();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(attempts).toEqual([]);
    expect(retry.pending).toBe(false);
  });
});

describe("session.chat 'auto' after the ACS client gave up its socket", () => {
  function setUp(mode: 'auto' | 'push' = 'auto') {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter
    const service = new FakeChatService();
    service.addThread('t1', [ME, ADA]);
    const realtime = new FakeRealtime();
    const harness = fakeContext(service, ME);
    const context: ChatContext = { ...harness.context, clients: async () => ({ ...service.clients(ME), realtime }) };
    const modes: string[] = [];
    const chat = new ChatImpl(context, {
      poll: { intervalMs: 1_000, idleIntervalMs: 8_000 },
      canPoll: () => true,
      windowSize: 50,
      realtime: { mode, pushConnectTimeoutMs: 2_000 },
      onRealtime: (m) => modes.push(m),
      pushRetry: schedule,
    });
    return { chat, realtime, modes, ...harness };
  }

  it('stops and starts the notifications again on the backoff, never subscribing twice, until push is back', async () => {
    const { chat, realtime, modes, controller } = setUp();
    chat.startLive();
    await vi.waitFor(() => expect(realtime.started).toBe(1));
    realtime.fire('realTimeNotificationConnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(modes).toEqual(['push']);

    // The client gives up for good: one disconnect, then nothing more from it.
    realtime.fire('realTimeNotificationDisconnected');
    expect(modes).toEqual(['push', 'poll']);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(realtime.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(realtime.stopped).toBe(1);
    expect(realtime.started).toBe(2);
    expect(realtime.count()).toBe(12);
    // That start does not connect within 2 s; the next try comes 10 s later.
    await vi.advanceTimersByTimeAsync(2_000 + 9_999);
    expect(realtime.started).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(realtime.started).toBe(3);
    expect(realtime.count()).toBe(12);
    realtime.fire('realTimeNotificationConnected');
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.realtime).toBe('push');
    expect(modes).toEqual(['push', 'poll', 'push']);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(realtime.started).toBe(3);
    expect(realtime.overlapping).toBe(0);
    controller.abort();
  });

  it("'push' tries again too (there is no polling to fall back on), and dispose leaves no timer", async () => {
    const { chat, realtime, controller } = setUp('push');
    chat.startLive();
    await vi.waitFor(() => expect(realtime.started).toBe(1));
    await vi.advanceTimersByTimeAsync(2_000); // never connects
    expect(chat.realtime).toBe('off');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(realtime.started).toBe(2);
    expect(realtime.overlapping).toBe(0);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(realtime.started).toBe(2);
  });
});
