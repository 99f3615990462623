// session.chat against the emulator: two sessions (Ada and Grace), the real ChatClient underneath,
// polling as the live source.
import type { CommunicationUserIdentifier } from '@azure/communication-common';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession, type Session, type SessionEvent, type SessionOptions } from '../../src/index.js';
import { collect, fastRetry, identityClient } from '../support/emulatorClients.js';
import { untilValue } from '../support/until.js';

let emu: Emulator;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  emu = await startEmulator();
  identity = identityClient(emu);
});
afterAll(async () => {
  await emu.close();
});

async function sessionFor(user: CommunicationUserIdentifier, displayName: string, extra: Partial<SessionOptions> = {}): Promise<Session> {
  return createSession({
    endpoint: emu.endpoint,
    token: async () => (await identity.getToken(user, ['chat'])).token,
    displayName,
    chat: { realtime: 'poll', pollIntervalMs: 50, idlePollIntervalMs: 100 },
    clientOptions: { ...emulatorClientOptions(emu), ...fastRetry },
    ...extra,
  });
}

async function pair(): Promise<{ ada: Session; grace: Session; adaId: CommunicationUserIdentifier; graceId: CommunicationUserIdentifier }> {
  const [adaId, graceId] = [await identity.createUser(), await identity.createUser()];
  return { ada: await sessionFor(adaId, 'Ada'), grace: await sessionFor(graceId, 'Grace'), adaId, graceId };
}

/** Records every chat event a session receives. */
function record(session: Session): SessionEvent[] {
  const seen: SessionEvent[] = [];
  const types = [
    'messageReceived',
    'messageEdited',
    'messageDeleted',
    'readReceiptReceived',
    'participantsAdded',
    'participantsRemoved',
    'threadCreated',
    'threadUpdated',
    'threadDeleted',
  ] as const;
  for (const type of types) session.on(type, (e) => seen.push(e));
  return seen;
}

describe('session.chat', () => {
  it('creates a thread, sends and lists messages, normalized', async () => {
    const { ada, grace, graceId } = await pair();
    try {
      const thread = await ada.chat.createThread({ topic: 'Launch', participants: [{ id: graceId, displayName: 'Grace' }] });
      expect(thread.id).toMatch(/^19:.+@thread\.v2$/);
      expect(ada.chat.thread(thread.id)).toBe(thread);
      const sent = await thread.send('hello', { metadata: { kind: 'greeting' } });
      expect(sent).toMatchObject({
        threadId: thread.id,
        type: 'text',
        content: 'hello',
        isOwn: true,
        senderDisplayName: 'Ada',
        metadata: { kind: 'greeting' },
      });
      expect(sent.createdOn).toBeInstanceOf(Date);
      expect(sent.sender?.rawId).toBe(ada.user.rawId);
      const seenByGrace = await collect(grace.chat.thread(thread.id).messages());
      const hello = seenByGrace.find((m) => m.id === sent.id);
      expect(hello).toMatchObject({ content: 'hello', isOwn: false, metadata: { kind: 'greeting' } });
      const summaries = await collect(grace.chat.threads());
      expect(summaries.map((t) => t.id)).toContain(thread.id);
      expect((await thread.properties()).topic).toBe('Launch');
    } finally {
      await Promise.all([ada.dispose(), grace.dispose()]);
    }
  });

  it('delivers edits and deletes of messages in a thread the app opened', async () => {
    const { ada, grace, graceId } = await pair();
    try {
      const got = record(grace);
      const thread = await ada.chat.createThread({ topic: 'Edits', participants: [graceId] });
      grace.chat.thread(thread.id);
      const sent = await thread.send('first');
      await untilValue(
        () => got.find((e) => e.type === 'messageReceived' && e.message.id === sent.id),
        "got.find((e) => e.type === 'messageReceived' && e.message.id === ...",
      );
      await thread.editMessage(sent.id, 'first!');
      await untilValue(
        () => got.find((e) => e.type === 'messageEdited' && e.message.content === 'first!'),
        "got.find((e) => e.type === 'messageEdited' && e.message.content =...",
      );
      await thread.deleteMessage(sent.id);
      await untilValue(
        () => got.find((e) => e.type === 'messageDeleted' && e.messageId === sent.id),
        "got.find((e) => e.type === 'messageDeleted' && e.messageId === se...",
      );
      const edits = got.filter((e) => e.type === 'messageEdited' || e.type === 'messageDeleted');
      expect(edits.map((e) => e.type)).toEqual(['messageEdited', 'messageDeleted']);
    } finally {
      await Promise.all([ada.dispose(), grace.dispose()]);
    }
  });

  it('a thread you are added to later starts with your addition: its past is history, not events', async () => {
    const { ada, grace, graceId } = await pair();
    try {
      const got = record(grace);
      const thread = await ada.chat.createThread({ topic: 'Before Grace' });
      await thread.send('said before Grace joined');
      await thread.update({ topic: 'Still before Grace' });
      await thread.participants.add([{ id: graceId, displayName: 'Grace' }]);
      await untilValue(
        () => got.find((e) => e.type === 'threadCreated' && e.threadId === thread.id),
        "got.find((e) => e.type === 'threadCreated' && e.threadId === thre...",
      );
      const after = await thread.send('said after Grace joined');
      await untilValue(
        () => got.find((e) => e.type === 'messageReceived' && e.message.id === after.id),
        "got.find((e) => e.type === 'messageReceived' && e.message.id === ...",
      );
      const forThread = got.filter((e) => 'threadId' in e && e.threadId === thread.id).map((e) => e.type);
      expect(forThread).toEqual(['threadCreated', 'participantsAdded', 'messageReceived']);
    } finally {
      await Promise.all([ada.dispose(), grace.dispose()]);
    }
  });

  it('delivers each chat event kind to the other session by polling', async () => {
    const { ada, grace, graceId } = await pair();
    try {
      const got = record(grace);
      const thread = await ada.chat.createThread({ topic: 'Launch', participants: [{ id: graceId, displayName: 'Grace' }] });
      await untilValue(() => got.find((e) => e.type === 'threadCreated'), "got.find((e) => e.type === 'threadCreated')");
      const sent = await thread.send('first');
      const received = await untilValue(
        () => got.find((e) => e.type === 'messageReceived' && e.message.id === sent.id),
        "got.find((e) => e.type === 'messageReceived' && e.message.id === ...",
      );
      expect(received).toMatchObject({ threadId: thread.id, message: { content: 'first', isOwn: false } });
      // Grace opens the thread: edits, deletes and receipts are watched from now on.
      const graceThread = grace.chat.thread(thread.id);
      await graceThread.markRead(sent.id);
      await thread.update({ topic: 'Launch (Friday)' });
      await untilValue(
        () => got.find((e) => e.type === 'threadUpdated' && e.topic === 'Launch (Friday)'),
        "got.find((e) => e.type === 'threadUpdated' && e.topic === 'Launc...",
      );
      const other = await identity.createUser();
      await thread.participants.add([{ id: other, displayName: 'Other' }]);
      await untilValue(
        () => got.find((e) => e.type === 'participantsAdded' && e.participants.some((p) => p.id.rawId === other.communicationUserId)),
        "got.find((e) => e.type === 'participantsAdded' && e.participants....",
      );
      await thread.participants.remove(other);
      await untilValue(
        () => got.find((e) => e.type === 'participantsRemoved' && e.participants.some((p) => p.id.rawId === other.communicationUserId)),
        "got.find((e) => e.type === 'participantsRemoved' && e.participant...",
      );
      const last = await thread.send('second');
      await ada.chat.thread(thread.id).markRead(last.id);
      await untilValue(
        () => got.find((e) => e.type === 'readReceiptReceived' && e.receipt.messageId === last.id),
        "got.find((e) => e.type === 'readReceiptReceived' && e.receipt.mes...",
      );
      await ada.chat.deleteThread(thread.id);
      await untilValue(
        () => got.find((e) => e.type === 'threadDeleted' && e.threadId === thread.id),
        "got.find((e) => e.type === 'threadDeleted' && e.threadId === thre...",
      );
      // Nothing twice.
      const keys = got.filter((e) => e.type === 'messageReceived').map((e) => (e.type === 'messageReceived' ? e.message.id : ''));
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await Promise.all([ada.dispose(), grace.dispose()]);
    }
  });

  it("the thread store's snapshot after a burst of 100 messages equals what messages() lists", async () => {
    const { ada, grace, graceId } = await pair();
    try {
      const thread = await ada.chat.createThread({ topic: 'Burst', participants: [{ id: graceId, displayName: 'Grace' }] });
      const pane = grace.chat.thread(thread.id);
      let notifications = 0;
      pane.subscribe(() => notifications++);
      await untilValue(() => pane.getSnapshot().status === 'ready', "pane.getSnapshot().status === 'ready'");
      expect(
        pane
          .getSnapshot()
          .participants.map((p) => p.displayName)
          .sort(),
      ).toEqual(['Ada', 'Grace']);
      const before = pane.getSnapshot();
      const sent = await Promise.all(Array.from({ length: 100 }, (_, i) => thread.send(`burst ${i}`)));
      await untilValue(
        () => pane.getSnapshot().messages.filter((m) => m.type === 'text').length === 100,
        "pane.getSnapshot().messages.filter((m) => m.type === 'text').leng...",
      );
      const listed = await collect(pane.messages());
      const snapshot = pane.getSnapshot();
      expect(snapshot.messages.map((m) => m.id)).toEqual(listed.map((m) => m.id).reverse());
      expect(new Set(snapshot.messages.filter((m) => m.type === 'text').map((m) => m.id))).toEqual(new Set(sent.map((m) => m.id)));
      // Structural sharing: a message loaded before the burst is the same object after it.
      expect(snapshot.messages[0]).toBe(before.messages[0]);
      expect(snapshot.participants).toBe(before.participants);
      expect(notifications).toBeGreaterThan(1);
      await thread.update({ topic: 'Burst (done)' });
      await untilValue(() => pane.getSnapshot().properties?.topic === 'Burst (done)', "pane.getSnapshot().properties?.topic === 'Burst (done)'");
    } finally {
      await Promise.all([ada.dispose(), grace.dispose()]);
    }
  });
});
