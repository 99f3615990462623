import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatPoller, MAX_WATCHED_THREADS } from '../../../src/chat/poller.js';
import { FakeChatService, fakeContext, restError } from '../../support/fakeChat.js';

const ME = '8:acs:r_me';
const ADA = '8:acs:r_ada';
const schedule = { intervalMs: 1_000, idleIntervalMs: 8_000 };

/** A service whose clock is ahead of the poller's start, so everything posted now is news. */
function setUp(threads = 1) {
  const service = new FakeChatService();
  const startedAt = service.now;
  for (let i = 0; i < threads; i++) service.addThread(`t${i}`, [ME, ADA]);
  const harness = fakeContext(service, ME);
  // Threads created above are history: the poller starts after them.
  const poller = new ChatPoller(harness.context, schedule, startedAt + 10_000);
  service.tick(20_000);
  return { service, poller, ...harness };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ChatPoller: cost', () => {
  it('a quiet round costs one request whatever the number of threads', async () => {
    const { service, poller } = setUp(1_000);
    await poller.poll();
    const first = service.requests.length;
    service.requests.length = 0;
    await poller.poll();
    expect(service.requests).toEqual(['listChatThreads']);
    expect(first).toBe(1);
  });

  it('a message in one of 1 000 threads costs one more request, for that thread only', async () => {
    const { service, poller, events } = setUp(1_000);
    await poller.poll();
    service.requests.length = 0;
    service.post('t500', ADA, 'hi');
    await poller.poll();
    expect(service.requests).toEqual(['listChatThreads', 'listMessages']);
    expect(events).toMatchObject([{ type: 'messageReceived', threadId: 't500', message: { content: 'hi', isOwn: false } }]);
  });

  it('only the most recently opened threads are read every round', async () => {
    const { service, poller } = setUp(30);
    for (let i = 0; i < 30; i++) poller.watch(`t${i}`);
    poller.watch('t0'); // opened again: now among the most recent
    await poller.poll();
    service.requests.length = 0;
    await poller.poll();
    expect(service.count('listMessages')).toBe(MAX_WATCHED_THREADS);
    service.post('t5', ADA, 'not watched, still seen');
    const before = service.count('listMessages');
    await poller.poll();
    expect(service.count('listMessages') - before).toBe(MAX_WATCHED_THREADS + 1);
  });

  it('an opened thread is read every round, with its receipts', async () => {
    const { service, poller } = setUp(10);
    poller.watch('t3');
    await poller.poll();
    service.requests.length = 0;
    await poller.poll();
    expect(service.requests).toEqual(['listChatThreads', 'listMessages', 'listReadReceipts']);
  });
});

describe('ChatPoller: exactly once', () => {
  it('delivers messages once across rounds and pages, oldest first', async () => {
    const { service, poller, events } = setUp();
    for (let i = 0; i < 7; i++) service.post('t0', ADA, `m${i}`);
    await poller.poll();
    await poller.poll();
    service.post('t0', ADA, 'm7');
    await poller.poll();
    const contents = events.map((e) => (e.type === 'messageReceived' ? e.message.content : e.type));
    expect(contents).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('emits edits and deletes of watched threads once each, and nothing for history', async () => {
    const { service, poller, events } = setUp();
    const old = service.post('t0', ADA, 'before the session', { createdOn: new Date(service.now - 60_000) });
    poller.watch('t0');
    const fresh = service.post('t0', ADA, 'fresh');
    await poller.poll();
    service.edit('t0', fresh.id, 'fresh!');
    service.edit('t0', old.id, 'old, edited');
    await poller.poll();
    await poller.poll();
    service.remove('t0', fresh.id);
    await poller.poll();
    await poller.poll();
    expect(events.map((e) => e.type)).toEqual(['messageReceived', 'messageEdited', 'messageEdited', 'messageDeleted']);
    expect(events[1]).toMatchObject({ message: { content: 'fresh!' } });
    expect(events[3]).toMatchObject({ messageId: fresh.id, message: { content: '', deletedOn: expect.any(Date) } });
  });

  it('a message the session sent is delivered when sent, not again by polling', async () => {
    const { service, poller, events, context } = setUp();
    const raw = service.post('t0', ME, 'mine');
    const { toChatMessage } = await import('../../../src/chat/normalize.js');
    poller.sent('t0', toChatMessage(raw, 't0', context.self.rawId));
    await poller.poll();
    await poller.poll();
    expect(events).toMatchObject([{ type: 'messageReceived', message: { content: 'mine', isOwn: true } }]);
  });

  it('a thread whose read failed is read again next round and nothing is skipped', async () => {
    const { service, poller, events, connectivity } = setUp(3);
    await poller.poll();
    service.post('t1', ADA, 'one');
    service.post('t2', ADA, 'two');
    service.failures.push({ op: 'listMessages', error: restError(undefined) });
    await expect(poller.poll()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    await poller.poll();
    expect(events.map((e) => (e.type === 'messageReceived' ? e.message.content : e.type)).sort()).toEqual(['one', 'two']);
    expect(connectivity).toEqual([]);
  });

  it('forgets old versions (bounded memory) and still tells a later edit from a new message', async () => {
    const { service, poller, events } = setUp();
    poller.watch('t0');
    const first = service.post('t0', ADA, 'first');
    for (let i = 0; i < 50; i++) service.post('t0', ADA, `filler ${i}`);
    await poller.poll();
    service.tick(120_000);
    service.post('t0', ADA, 'much later');
    await poller.poll();
    expect(poller.rememberedVersions).toBeLessThan(5);
    service.edit('t0', first.id, 'first, edited');
    await poller.poll();
    await poller.poll();
    const last = events.slice(-2);
    expect(last.map((e) => e.type)).toEqual(['messageReceived', 'messageEdited']);
    expect(events.filter((e) => e.type === 'messageReceived')).toHaveLength(52);
  });

  it('new receipts on a watched thread are emitted once', async () => {
    const { service, poller, events } = setUp();
    poller.watch('t0');
    const m = service.post('t0', ME, 'read me');
    await poller.poll();
    service.receipt('t0', ADA, m.id);
    await poller.poll();
    await poller.poll();
    expect(events.filter((e) => e.type === 'readReceiptReceived')).toMatchObject([{ receipt: { messageId: m.id, sender: { rawId: ADA } } }]);
  });
});

describe('ChatPoller: threads', () => {
  it('reports being added to a thread as threadCreated, then the system message as participantsAdded', async () => {
    const { service, poller, events } = setUp(0);
    await poller.poll();
    const byAda = { kind: 'communicationUser', communicationUserId: ADA } as const;
    service.addThread('new', [ME, ADA], 'Fresh');
    // Ada created the thread alone (its first message), then added me.
    service.post('new', undefined, '', { type: 'participantAdded', content: { participants: [{ id: { communicationUserId: ADA } }], initiator: byAda } });
    service.post('new', undefined, '', { type: 'participantAdded', content: { participants: [{ id: { communicationUserId: ME } }], initiator: byAda } });
    await poller.poll();
    expect(events).toMatchObject([
      { type: 'threadCreated', threadId: 'new', reason: 'added', topic: 'Fresh', by: { rawId: ADA } },
      { type: 'participantsAdded', threadId: 'new', participants: [{ id: { rawId: ME } }], addedBy: { rawId: ADA } },
    ]);
    expect(events).toHaveLength(2);
  });

  it('reports a thread created with me in it as threadCreated alone, as push does (not its own system messages)', async () => {
    const { service, poller, events } = setUp(0);
    await poller.poll();
    const byAda = { kind: 'communicationUser', communicationUserId: ADA } as const;
    service.addThread('new', [ME, ADA], 'Fresh');
    const created = service.post('new', undefined, '', {
      type: 'participantAdded',
      content: { participants: [{ id: { communicationUserId: ME } }, { id: { communicationUserId: ADA } }], initiator: byAda },
    });
    service.post('new', undefined, '', {
      type: 'topicUpdated',
      createdOn: new Date(created.createdOn.getTime() + 2),
      content: { topic: 'Fresh', initiator: byAda },
    });
    await poller.poll();
    expect(events).toMatchObject([{ type: 'threadCreated', threadId: 'new', reason: 'added', topic: 'Fresh', by: { rawId: ADA } }]);
    expect(events).toHaveLength(1);
    // What happens after the creation is news as usual.
    service.tick(5_000);
    service.post('new', undefined, '', { type: 'topicUpdated', content: { topic: 'Later', initiator: byAda } });
    await poller.poll();
    expect(events.map((e) => e.type)).toEqual(['threadCreated', 'threadUpdated']);
  });

  it('a 403 on a thread it was reading means this user was removed: participantsRemoved once, then it stops reading it', async () => {
    const { service, poller, events } = setUp(2);
    poller.watch('t0');
    await poller.poll();
    service.threads.get('t0')?.members.delete(ME);
    await poller.poll();
    await poller.poll();
    expect(events).toMatchObject([{ type: 'participantsRemoved', threadId: 't0', includesMe: true, participants: [{ id: { rawId: ME } }] }]);
    service.requests.length = 0;
    await poller.poll();
    expect(service.requests).toEqual(['listChatThreads']);
  });

  it('a 404 on a watched thread is threadDeleted, once', async () => {
    const { service, poller, events } = setUp(1);
    poller.watch('t0');
    await poller.poll();
    service.threads.delete('t0');
    await poller.poll();
    await poller.poll();
    expect(events).toMatchObject([{ type: 'threadDeleted', threadId: 't0' }]);
  });
});

describe('ChatPoller: stop and start', () => {
  it('goes on from where it stopped: no request while stopped, then everything once', async () => {
    vi.useFakeTimers();
    const { service, poller, events, controller } = setUp(2);
    poller.start();
    service.post('t0', ADA, 'before');
    await vi.advanceTimersByTimeAsync(3_000);
    poller.stop();
    await vi.advanceTimersByTimeAsync(0);
    const requests = service.requests.length;
    service.post('t0', ADA, 'while stopped 1');
    service.post('t1', ADA, 'while stopped 2');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(service.requests.length).toBe(requests);
    poller.start();
    poller.stop();
    poller.start(); // restarted twice in a row: still one loop
    await vi.advanceTimersByTimeAsync(3_000);
    const contents = events.map((e) => (e.type === 'messageReceived' ? e.message.content : e.type));
    expect(contents).toEqual(['before', 'while stopped 1', 'while stopped 2']);
    const rounds = service.count('listChatThreads');
    await vi.advanceTimersByTimeAsync(8_000);
    expect(service.count('listChatThreads') - rounds).toBeLessThanOrEqual(2); // one loop at the idle pace, not two
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ChatPoller: schedule and connectivity', () => {
  it('reports a failure that repeats round after round once, and token failures not at all', async () => {
    vi.useFakeTimers();
    const { service, poller, errors, controller } = setUp(1);
    for (let i = 0; i < 5; i++) service.failures.push({ op: 'listChatThreads', error: restError(400, 'BadRequest') });
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_REQUEST']);
    controller.abort();
  });

  it('slows down while idle, speeds up on activity, and reports lost and restored connectivity', async () => {
    vi.useFakeTimers();
    const { service, poller, connectivity, controller } = setUp(1);
    const rounds: number[] = [];
    const start = Date.now();
    service.failures.push({ op: 'listChatThreads', error: restError(503, 'ServiceUnavailable') });
    const realPoll = poller.poll.bind(poller);
    vi.spyOn(poller, 'poll').mockImplementation(() => {
      rounds.push(Date.now() - start);
      return realPoll();
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connectivity).toEqual([false]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(connectivity).toEqual([false, true]);
    await vi.advanceTimersByTimeAsync(20_000);
    service.post('t0', ADA, 'wake up');
    const before = rounds.length;
    await vi.advanceTimersByTimeAsync(8_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const gaps = rounds.slice(1).map((t, i) => t - (rounds[i] ?? 0));
    // 2 s after the failure, then 4 s, 8 s, 8 s … while idle; 1 s again right after the message.
    expect(gaps.slice(0, 4)).toEqual([2_000, 4_000, 8_000, 8_000]);
    expect(rounds.length).toBeGreaterThan(before);
    expect(gaps[gaps.length - 1]).toBe(1_000);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
