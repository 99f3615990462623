import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { createUsers, type TestUser } from '../support/emulatorClients.js';
import type { RecordedEvent } from './pages/realtime-page.js';
import { type BrowserFixture, type WatchedPage, startBrowserFixture } from './support/browser-fixture.js';

// The real browser ChatClient's realtime notifications (signaling 1.0.0-beta.34's trouter client)
// against the emulator's notification service: config, allocation, socket.io handshake, WebSocket,
// registrar, then one push per change another user makes.
let fx: BrowserFixture;
let emu: Emulator;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['realtime-page.ts'] });
  emu = fx.emu;
}, 60_000);

afterAll(() => fx?.close());

type Watched = WatchedPage;

async function openRealtime(user: TestUser): Promise<Watched> {
  const watched = await fx.newPage();
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

  it('connects and receives every chat event kind another user causes, with the recorded fields', async () => {
    const [alice, bob, carol] = await createUsers(emu, 3);
    if (!alice || !bob || !carol) throw new Error('users');
    const watched = await openRealtime(alice);

    const { chatThread } = await bob.chat.createChatThread({ topic: 'push' }, { participants: [{ id: alice.user, displayName: 'Alice' }] });
    if (!chatThread) throw new Error('no thread');
    const [created] = await waitForEvent(watched, 'chatThreadCreated');
    expect(created?.payload).toMatchObject({
      threadId: chatThread.id,
      properties: { topic: 'push' },
      createdBy: { id: { communicationUserId: bob.user.communicationUserId } },
    });

    const thread = bob.chat.getChatThreadClient(chatThread.id);
    const { id: messageId } = await thread.sendMessage({ content: 'hello by push' }, { senderDisplayName: 'Bob', metadata: { k: 'v' } });
    const [received] = await waitForEvent(watched, 'chatMessageReceived');
    expect(received?.payload).toMatchObject({
      threadId: chatThread.id,
      id: messageId,
      message: 'hello by push',
      senderDisplayName: 'Bob',
      sender: { communicationUserId: bob.user.communicationUserId },
      recipient: { communicationUserId: alice.user.communicationUserId },
      metadata: { k: 'v' },
    });

    await thread.updateMessage(messageId, { content: 'edited' });
    const [edited] = await waitForEvent(watched, 'chatMessageEdited');
    expect(edited?.payload).toMatchObject({ threadId: chatThread.id, id: messageId, message: 'edited' });

    await thread.sendTypingNotification({ senderDisplayName: 'Bob' });
    const [typing] = await waitForEvent(watched, 'typingIndicatorReceived');
    expect(typing?.payload).toMatchObject({ threadId: chatThread.id, senderDisplayName: 'Bob', sender: { communicationUserId: bob.user.communicationUserId } });

    await thread.sendReadReceipt({ chatMessageId: messageId });
    const [receipt] = await waitForEvent(watched, 'readReceiptReceived');
    expect(receipt?.payload).toMatchObject({
      threadId: chatThread.id,
      chatMessageId: messageId,
      sender: { communicationUserId: bob.user.communicationUserId },
    });

    await thread.deleteMessage(messageId);
    const [deleted] = await waitForEvent(watched, 'chatMessageDeleted');
    expect(deleted?.payload).toMatchObject({ threadId: chatThread.id, id: messageId });

    await thread.addParticipants({ participants: [{ id: carol.user, displayName: 'Carol' }] });
    const [added] = await waitForEvent(watched, 'participantsAdded');
    expect(added?.payload).toMatchObject({
      threadId: chatThread.id,
      participantsAdded: [{ id: { communicationUserId: carol.user.communicationUserId }, displayName: 'Carol' }],
    });

    await thread.removeParticipant(carol.user);
    const [removed] = await waitForEvent(watched, 'participantsRemoved');
    expect(removed?.payload).toMatchObject({ threadId: chatThread.id, participantsRemoved: [{ id: { communicationUserId: carol.user.communicationUserId } }] });

    await thread.updateTopic('renamed by push');
    const [updated] = await waitForEvent(watched, 'chatThreadPropertiesUpdated');
    expect(updated?.payload).toMatchObject({
      threadId: chatThread.id,
      properties: { topic: 'renamed by push' },
      updatedBy: { id: { communicationUserId: bob.user.communicationUserId } },
    });

    await bob.chat.deleteChatThread(chatThread.id);
    const [threadDeleted] = await waitForEvent(watched, 'chatThreadDeleted');
    expect(threadDeleted?.payload).toMatchObject({ threadId: chatThread.id, deletedBy: { id: { communicationUserId: bob.user.communicationUserId } } });

    // Exactly one push per change: the system messages behind creation and the topic change add none.
    const names = (await events(watched)).map((e) => e.name).filter((n) => !n.startsWith('realTime'));
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
    expect(watched.failures()).toEqual([]);
    await watched.page.close();
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
});
