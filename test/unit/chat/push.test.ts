import type { ChatMessageReceivedEvent } from '@azure/communication-chat';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatContext } from '../../../src/chat/context.js';
import { ChatPoller } from '../../../src/chat/poller.js';
import { ChatPush } from '../../../src/chat/push.js';
import { FakeChatService, fakeContext } from '../../support/fakeChat.js';
import { FakeRealtime } from '../../support/fakeRealtime.js';

const ME = '8:acs:r_me';
const ADA = '8:acs:r_ada';

function setUp() {
  const service = new FakeChatService();
  const startedAt = service.now;
  service.addThread('t1', [ME, ADA]);
  const realtime = new FakeRealtime();
  const harness = fakeContext(service, ME);
  const context: ChatContext = { ...harness.context, clients: async () => ({ ...service.clients(ME), realtime }) };
  const poller = new ChatPoller(context, { intervalMs: 1_000, idleIntervalMs: 8_000 }, startedAt + 10_000);
  service.tick(20_000);
  const connections: boolean[] = [];
  const push = new ChatPush(context, poller, (connected) => connections.push(connected));
  return { service, realtime, poller, push, connections, ...harness };
}

function received(message: { id: string; version: string; createdOn: Date }, content: string): ChatMessageReceivedEvent {
  return {
    threadId: 't1',
    sender: { kind: 'communicationUser', communicationUserId: ADA },
    senderDisplayName: 'Ada',
    recipient: { kind: 'communicationUser', communicationUserId: ME },
    id: message.id,
    createdOn: message.createdOn,
    version: message.version,
    type: 'Text',
    message: content,
    metadata: {},
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ChatPush', () => {
  it('resolves false when the socket does not connect in time (the client start alone proves nothing)', async () => {
    vi.useFakeTimers();
    const { push, realtime } = setUp();
    const started = push.start(3_000);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(realtime.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(started).resolves.toBe(false);
  });

  it('resolves true on realTimeNotificationConnected and reports later drops and returns', async () => {
    const { push, realtime, connections } = setUp();
    const started = push.start(10_000);
    await vi.waitFor(() => expect(realtime.started).toBe(1));
    realtime.fire('realTimeNotificationConnected');
    await expect(started).resolves.toBe(true);
    realtime.fire('realTimeNotificationDisconnected');
    realtime.fire('realTimeNotificationConnected');
    expect(connections).toEqual([true, false, true]);
    expect(push.connected).toBe(true);
  });

  it('maps pushes to session events, and a message polled after its push is not delivered again', async () => {
    const { push, realtime, poller, service, events } = setUp();
    const started = push.start(10_000);
    await vi.waitFor(() => expect(realtime.started).toBe(1));
    realtime.fire('realTimeNotificationConnected');
    await started;
    const message = service.post('t1', ADA, 'hello');
    realtime.fire('chatMessageReceived', received(message, 'hello'));
    realtime.fire('typingIndicatorReceived', {
      threadId: 't1',
      sender: { communicationUserId: ADA },
      senderDisplayName: 'Ada',
      recipient: { communicationUserId: ME },
      version: '1',
      receivedOn: new Date(),
    });
    realtime.fire('typingIndicatorReceived', {
      threadId: 't1',
      sender: { communicationUserId: ME },
      senderDisplayName: 'Me',
      recipient: { communicationUserId: ME },
      version: '1',
      receivedOn: new Date(),
    });
    await poller.poll();
    expect(events.map((e) => e.type)).toEqual(['messageReceived', 'typingReceived']);
    expect(events[0]).toMatchObject({ type: 'messageReceived', message: { content: 'hello', isOwn: false, sender: { rawId: ADA } } });
  });

  it('stop() stops the client and leaves no listener of ours; a restart attaches them again', async () => {
    const { push, realtime } = setUp();
    const first = push.start(10_000);
    await vi.waitFor(() => expect(realtime.started).toBe(1));
    realtime.fire('realTimeNotificationConnected');
    await first;
    expect(realtime.count()).toBe(12);
    await push.stop();
    expect(realtime.stopped).toBe(1);
    expect(realtime.count()).toBe(0);
    const second = push.start(10_000);
    await vi.waitFor(() => expect(realtime.started).toBe(2));
    realtime.fire('realTimeNotificationConnected');
    await expect(second).resolves.toBe(true);
    expect(realtime.count()).toBe(12);
  });

  it('a session disposed while the chat package loads, or while the socket starts, leaves no push behind', async () => {
    for (const disposeWhen of ['loading', 'starting'] as const) {
      const service = new FakeChatService();
      service.addThread('t1', [ME, ADA]);
      const realtime = new FakeRealtime();
      const harness = fakeContext(service, ME);
      let release: () => void = () => undefined;
      const loaded = new Promise<void>((resolve) => (release = resolve));
      const context: ChatContext = {
        ...harness.context,
        clients: async () => {
          await loaded;
          return { ...service.clients(ME), realtime };
        },
      };
      const poller = new ChatPoller(context, { intervalMs: 1_000, idleIntervalMs: 8_000 }, service.now);
      const push = new ChatPush(context, poller, () => undefined);
      const started = push.start(10_000);
      if (disposeWhen === 'loading') {
        harness.controller.abort();
        await push.stop(); // what dispose does: the client is not there yet
        release();
      } else {
        release();
        await vi.waitFor(() => expect(realtime.started).toBe(1));
        harness.controller.abort();
      }
      expect(await started).toBe(false);
      expect(realtime.started - realtime.stopped).toBe(0);
      expect(realtime.count()).toBe(0);
    }
  });

  it('where the client has no realtime, reports INVALID_OPTIONS and resolves false', async () => {
    const service = new FakeChatService();
    const harness = fakeContext(service, ME);
    const poller = new ChatPoller(harness.context, { intervalMs: 1_000, idleIntervalMs: 8_000 });
    const push = new ChatPush(harness.context, poller, () => undefined);
    await expect(push.start(1_000)).resolves.toBe(false);
    expect(harness.errors.map((e) => e.code)).toEqual(['INVALID_OPTIONS']);
  });

  describe('a thread created while push was connected, read later by a polling round', () => {
    /** Ada creates a thread with me in it, as the service does: two system messages around the creation's time, and one push. */
    function createByAda(service: FakeChatService, realtime: FakeRealtime, creator = ADA): void {
      service.addThread('new', [ME, ADA], 'Fresh');
      const added = service.post('new', undefined, '', {
        type: 'participantAdded',
        content: {
          participants: [{ id: { communicationUserId: ME } }, { id: { communicationUserId: ADA } }],
          initiator: { kind: 'communicationUser', communicationUserId: creator },
        },
      });
      service.post('new', undefined, '', {
        type: 'topicUpdated',
        // As the service and the emulator stamp them: a few milliseconds apart, not at the thread's exact time.
        createdOn: new Date(added.createdOn.getTime() + 3),
        content: { topic: 'Fresh', initiator: { kind: 'communicationUser', communicationUserId: creator } },
      });
      realtime.fire('chatThreadCreated', {
        threadId: 'new',
        version: added.version,
        createdOn: new Date(added.createdOn.getTime() - 1).toISOString(),
        properties: { topic: 'Fresh' },
        participants: [],
        createdBy: { id: { communicationUserId: creator }, displayName: '' },
      });
    }

    async function connected() {
      const harness = setUp();
      const started = harness.push.start(10_000);
      await vi.waitFor(() => expect(harness.realtime.started).toBe(1));
      harness.realtime.fire('realTimeNotificationConnected');
      await started;
      return harness;
    }

    it('a catch-up round adds nothing to the creation push: threadCreated only, as push alone', async () => {
      const pushOnly = await connected();
      createByAda(pushOnly.service, pushOnly.realtime);
      expect(pushOnly.events.map((e) => e.type)).toEqual(['threadCreated']);

      const { service, realtime, poller, events } = await connected();
      createByAda(service, realtime);
      await poller.catchUp();
      await poller.poll();
      expect(events.map((e) => e.type)).toEqual(['threadCreated']);
      expect(events[0]).toMatchObject({ type: 'threadCreated', threadId: 'new', reason: 'added', topic: 'Fresh', by: { rawId: ADA } });
    });

    it('later participant and topic changes in that thread are still reported by the round', async () => {
      const { service, realtime, poller, events } = await connected();
      createByAda(service, realtime);
      service.tick(10); // still within the window around the creation: only being first tells them apart
      const initiator = { kind: 'communicationUser', communicationUserId: ADA } as const;
      service.post('new', undefined, '', { type: 'participantAdded', content: { participants: [{ id: { communicationUserId: '8:acs:r_bo' } }], initiator } });
      service.post('new', undefined, '', { type: 'topicUpdated', content: { topic: 'Later', initiator } });
      await poller.catchUp();
      expect(events.map((e) => e.type)).toEqual(['threadCreated', 'participantsAdded', 'threadUpdated']);
      expect(events[1]).toMatchObject({ participants: [{ id: { rawId: '8:acs:r_bo' } }] });
      expect(events[2]).toMatchObject({ topic: 'Later' });
    });

    it('being added to an existing thread by push is threadCreated (added) then participantsAdded, as polling reports it; a later round adds nothing', async () => {
      const { service, realtime, poller, events } = await connected();
      const byAda = { kind: 'communicationUser', communicationUserId: ADA } as const;
      service.addThread('old', [ADA], 'Old');
      service.post('old', undefined, '', { type: 'participantAdded', content: { participants: [{ id: { communicationUserId: ADA } }], initiator: byAda } });
      service.tick(60_000);
      service.threads.get('old')?.members.add(ME);
      const added = service.post('old', undefined, '', {
        type: 'participantAdded',
        content: { participants: [{ id: { communicationUserId: ME } }], initiator: byAda },
      });
      realtime.fire('participantsAdded', {
        threadId: 'old',
        version: added.version,
        addedOn: added.createdOn.toISOString(),
        participantsAdded: [{ id: { communicationUserId: ME }, displayName: 'Me', shareHistoryTime: '1970-01-01T00:00:00Z' }],
        addedBy: { id: { communicationUserId: ADA }, displayName: 'Ada' },
      });
      expect(events).toMatchObject([
        { type: 'threadCreated', threadId: 'old', reason: 'added', by: { rawId: ADA } },
        { type: 'participantsAdded', threadId: 'old', participants: [{ id: { rawId: ME } }], addedBy: { rawId: ADA } },
      ]);
      await poller.catchUp();
      await poller.poll();
      expect(events.slice(2)).toEqual([]);
    });

    it('a thread this session created: its creation push and a later round add nothing to createThread', async () => {
      const { service, realtime, poller, events } = await connected();
      poller.created('new');
      createByAda(service, realtime, ME);
      await poller.catchUp();
      expect(events).toEqual([]);
    });
  });
});
