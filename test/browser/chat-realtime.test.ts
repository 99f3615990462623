import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { createUsers, type TestUser } from '../support/emulatorClients.js';
import type { RealtimeAction, RecordedEvent } from './pages/realtime-page.js';
import { type BrowserFixture, type WatchedPage, startBrowserFixture } from './support/browser-fixture.js';

// The real browser ChatClient's realtime notifications (signaling 1.0.0-beta.34's trouter client)
// against the emulator's notification service: config, allocation, socket.io handshake, WebSocket,
// registrar, then one push per change another user's browser ChatClient (on a second page) makes.
let fx: BrowserFixture;
let emu: Emulator;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['realtime-page.ts'] });
  emu = fx.emu;
}, 60_000);

afterAll(() => fx?.close());

type Watched = WatchedPage;

async function openRealtime(user: Pick<TestUser, 'token'>): Promise<Watched> {
  const watched = await fx.newPage({ name: 'receiver' });
  const { page, diagnostics } = watched;
  const connected = await page.evaluate(
    (input) => {
      if (!globalThis.startRealtime) throw new Error('the page did not define startRealtime');
      return globalThis.startRealtime(input);
    },
    { endpoint: emu.endpoint, token: user.token, timeoutMs: 15_000 },
  );
  expect(connected, `realTimeNotificationConnected did not fire:\n${diagnostics.join('\n')}`).toBe(true);
  return watched;
}

/** A page whose browser ChatClient only causes changes (its notifications are not started). */
async function openCauser(user: TestUser): Promise<Watched> {
  const watched = await fx.newPage({ name: 'causer' });
  await watched.page.evaluate((input) => globalThis.openChatClient?.(input), { endpoint: emu.endpoint, token: user.token });
  return watched;
}

async function act(watched: Watched, action: RealtimeAction): Promise<string> {
  return watched.page.evaluate((a) => {
    if (!globalThis.realtimeAct) throw new Error('the page did not define realtimeAct');
    return globalThis.realtimeAct(a);
  }, action);
}

async function events(watched: Watched): Promise<RecordedEvent[]> {
  return watched.page.evaluate(() => globalThis.realtimeEvents?.() ?? []);
}

async function waitForEvent(watched: Watched, name: string, count = 1): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const matching = (await events(watched)).filter((e) => e.name === name);
    if (matching.length >= count) return matching;
    if (Date.now() > deadline)
      throw new Error(`no ${name} within 10 s; got ${(await events(watched)).map((e) => e.name).join(', ')}\n${watched.diagnostics.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('realtime notifications of the browser ChatClient on the emulator', () => {
  it('runs on the signaling version the emulator speaks (the trouter protocol is undocumented and tied to it)', () => {
    // The chat package brings @azure/communication-signaling; a new version may speak to the
    // notification service differently. Re-check this suite against it, then move the pin.
    // Resolved from the chat package, so the version checked is the one it loads.
    const fromChat = createRequire(createRequire(import.meta.url).resolve('@azure/communication-chat'));
    const manifest = JSON.parse(readFileSync(fromChat.resolve('@azure/communication-signaling/package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe('1.0.0-beta.34');
  });

  it('two pages: every chat event kind one browser ChatClient causes arrives on the other page, with the recorded fields', async () => {
    const [alice, bob, carol] = await createUsers(emu, 3);
    if (!alice || !bob || !carol) throw new Error('users');
    const receiver = await openRealtime(alice);
    const causer = await openCauser(bob);
    const aliceId = alice.user.communicationUserId;
    const bobId = bob.user.communicationUserId;
    const carolId = carol.user.communicationUserId;

    const threadId = await act(causer, { kind: 'createThread', topic: 'push', participants: [{ id: aliceId, displayName: 'Alice' }] });
    const [created] = await waitForEvent(receiver, 'chatThreadCreated');
    expect(created?.payload).toMatchObject({
      threadId,
      properties: { topic: 'push' },
      createdBy: { id: { communicationUserId: bobId } },
    });

    const messageId = await act(causer, { kind: 'send', threadId, content: 'hello by push', senderDisplayName: 'Bob', metadata: { k: 'v' } });
    const [received] = await waitForEvent(receiver, 'chatMessageReceived');
    expect(received?.payload).toMatchObject({
      threadId,
      id: messageId,
      message: 'hello by push',
      senderDisplayName: 'Bob',
      sender: { communicationUserId: bobId },
      recipient: { communicationUserId: aliceId },
      metadata: { k: 'v' },
    });

    await act(causer, { kind: 'edit', threadId, messageId, content: 'edited' });
    const [edited] = await waitForEvent(receiver, 'chatMessageEdited');
    expect(edited?.payload).toMatchObject({ threadId, id: messageId, message: 'edited' });

    await act(causer, { kind: 'typing', threadId, senderDisplayName: 'Bob' });
    const [typing] = await waitForEvent(receiver, 'typingIndicatorReceived');
    expect(typing?.payload).toMatchObject({ threadId, senderDisplayName: 'Bob', sender: { communicationUserId: bobId } });

    await act(causer, { kind: 'readReceipt', threadId, messageId });
    const [receipt] = await waitForEvent(receiver, 'readReceiptReceived');
    expect(receipt?.payload).toMatchObject({ threadId, chatMessageId: messageId, sender: { communicationUserId: bobId } });

    await act(causer, { kind: 'deleteMessage', threadId, messageId });
    const [deleted] = await waitForEvent(receiver, 'chatMessageDeleted');
    expect(deleted?.payload).toMatchObject({ threadId, id: messageId });

    await act(causer, { kind: 'addParticipant', threadId, id: carolId, displayName: 'Carol' });
    const [added] = await waitForEvent(receiver, 'participantsAdded');
    expect(added?.payload).toMatchObject({
      threadId,
      participantsAdded: [{ id: { communicationUserId: carolId }, displayName: 'Carol' }],
      addedBy: { id: { communicationUserId: bobId } },
    });

    await act(causer, { kind: 'removeParticipant', threadId, id: carolId });
    const [removed] = await waitForEvent(receiver, 'participantsRemoved');
    expect(removed?.payload).toMatchObject({
      threadId,
      participantsRemoved: [{ id: { communicationUserId: carolId } }],
      removedBy: { id: { communicationUserId: bobId } },
    });

    await act(causer, { kind: 'updateTopic', threadId, topic: 'renamed by push' });
    const [updated] = await waitForEvent(receiver, 'chatThreadPropertiesUpdated');
    expect(updated?.payload).toMatchObject({ threadId, properties: { topic: 'renamed by push' }, updatedBy: { id: { communicationUserId: bobId } } });

    await act(causer, { kind: 'deleteThread', threadId });
    const [threadDeleted] = await waitForEvent(receiver, 'chatThreadDeleted');
    expect(threadDeleted?.payload).toMatchObject({ threadId, deletedBy: { id: { communicationUserId: bobId } } });

    // Exactly one push per change: the system messages behind creation and the topic change add none.
    const names = (await events(receiver)).map((e) => e.name).filter((n) => !n.startsWith('realTime'));
    expect(names).toEqual([
      'chatThreadCreated',
      'chatMessageReceived',
      'chatMessageEdited',
      'typingIndicatorReceived',
      'readReceiptReceived',
      'chatMessageDeleted',
      'participantsAdded',
      'participantsRemoved',
      'chatThreadPropertiesUpdated',
      'chatThreadDeleted',
    ]);
    expect([...receiver.failures(), ...causer.failures()]).toEqual([]);
    await receiver.page.close();
    await causer.page.close();
  });

  it("stops pushing to a socket once its user's tokens are revoked", async () => {
    const [alice, bob, carol] = await createUsers(emu, 3);
    if (!alice || !bob || !carol) throw new Error('users');
    const watched = await openRealtime(alice);
    const control = await openRealtime(carol);
    const { chatThread } = await bob.chat.createChatThread({ topic: 'revoke' }, { participants: [{ id: alice.user }, { id: carol.user }] });
    if (!chatThread) throw new Error('no thread');
    const thread = bob.chat.getChatThreadClient(chatThread.id);
    await thread.sendMessage({ content: 'before' });
    await waitForEvent(watched, 'chatMessageReceived');

    emu.revokeTokens(alice.user);
    await thread.sendMessage({ content: 'after' });
    await thread.sendMessage({ content: 'still after' });
    // Carol's socket is the control: once it has both, Alice's would have had them too.
    await waitForEvent(control, 'chatMessageReceived', 3);
    const received = (await events(watched)).filter((e) => e.name === 'chatMessageReceived').map((e) => (e.payload as { message?: string }).message);
    expect(received).toEqual(['before']);
    await watched.page.close();
    await control.page.close();
  });
  it('stops pushing to a socket once its token expires, closes it, and refuses its reconnect with 401', async () => {
    const [bob, carol] = await createUsers(emu, 2);
    if (!bob || !carol) throw new Error('users');
    const alice = emu.createUser();
    // The shortest lifetime the service allows; the emulator's clock is then moved past it.
    const { token } = emu.issueToken(alice, ['chat'], { expiresInMinutes: 60 });
    const watched = await openRealtime({ token });
    const control = await openRealtime(carol);
    const { chatThread } = await bob.chat.createChatThread({ topic: 'expiry' }, { participants: [{ id: alice }, { id: carol.user }] });
    if (!chatThread) throw new Error('no thread');
    const thread = bob.chat.getChatThreadClient(chatThread.id);
    await thread.sendMessage({ content: 'before' });
    await waitForEvent(watched, 'chatMessageReceived');
    const sockets = emu.notifications.socketCount;

    emu.advanceClock(61 * 60_000);
    await thread.sendMessage({ content: 'after' });
    await thread.sendMessage({ content: 'still after' });
    await waitForEvent(control, 'chatMessageReceived', 3);
    const received = (await events(watched)).filter((e) => e.name === 'chatMessageReceived').map((e) => (e.payload as { message?: string }).message);
    expect(received).toEqual(['before']);
    // The push that found the token expired closed the socket: the page hears the disconnect ...
    await waitForEvent(watched, 'realTimeNotificationDisconnected');
    expect(emu.notifications.socketCount).toBe(sockets - 1);
    // ... and the client's reconnect with the same (expired) token is refused.
    const deadline = Date.now() + 15_000;
    const refused = () => watched.diagnostics.some((line) => /^receiver: 401 POST https:\/\/127\.0\.0\.1:\d+\/+v4\/a$/.test(line));
    while (!refused() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(refused(), watched.diagnostics.slice(-30).join('\n')).toBe(true);
    expect(emu.notifications.socketCount).toBe(sockets - 1);
    await watched.page.close();
    await control.page.close();
  });
});
