// What a poller can rely on, with the real ChatClient against the emulator: the order and the
// `startTime` filter of list-messages and list-threads, snapshot paging, and former participants.
// docs/emulator.md ("Polling semantics") gives the recorded service behaviour each test mirrors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, ChatThreadItem } from '@azure/communication-chat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type TestUser, chatClientFor, collect, createUsers, rawRequest } from '../support/emulatorClients.js';

let emu: Emulator;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  [ada, bob] = (await createUsers(emu, 2)) as [TestUser, TestUser];
});
afterAll(() => emu.close());

async function newThread(topic: string, owner: TestUser = ada, members: TestUser[] = [bob]): Promise<string> {
  const { chatThread } = await owner.chat.createChatThread({ topic }, { participants: members.map((m) => ({ id: m.user })) });
  if (!chatThread) throw new Error('no thread');
  return chatThread.id;
}

async function sendAll(threadId: string, count: number, prefix = 'm'): Promise<string[]> {
  const thread = ada.chat.getChatThreadClient(threadId);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await thread.sendMessage({ content: `${prefix}${i}` })).id);
  return ids;
}

const after = (ms: number): Date => new Date(ms + 1);

async function listed(user: TestUser, startTime?: Date): Promise<ChatThreadItem[]> {
  return collect(user.chat.listChatThreads(startTime ? { startTime } : {}));
}

describe('list messages: most recently changed first', () => {
  it('moves an edited and a deleted message ahead of newer untouched ones, in version order', async () => {
    const id = await newThread('order');
    const [m0, m1, m2, m3] = (await sendAll(id, 4)) as [string, string, string, string];
    const thread = ada.chat.getChatThreadClient(id);
    await thread.updateMessage(m0, { content: 'edited' });
    await thread.deleteMessage(m1);
    const messages = await collect(thread.listMessages());
    // As in the .NET recording Thread_CGUD__Participant_AUR__Message_GSU__Notification_T.
    expect(messages.slice(0, 4).map((m) => m.id)).toEqual([m1, m0, m3, m2]);
    expect(messages.slice(4).map((m) => m.type)).toEqual(['topicUpdated', 'participantAdded']);
    const versions = messages.map((m) => Number(m.version));
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
  });

  it('filters startTime on the last change, so a poll from T sees what was sent, edited or deleted since', async () => {
    const id = await newThread('since');
    const [m0, m1, m2] = (await sendAll(id, 3)) as [string, string, string];
    const thread = ada.chat.getChatThreadClient(id);
    const [newest] = await collect(thread.listMessages({ maxPageSize: 1 }));
    const since = after(Number(newest!.version));
    expect(await collect(thread.listMessages({ startTime: since }))).toEqual([]);

    await thread.updateMessage(m0, { content: 'edited' });
    await thread.deleteMessage(m1);
    const { id: m3 } = await thread.sendMessage({ content: 'new' });
    const changed = await collect(bob.chat.getChatThreadClient(id).listMessages({ startTime: since }));
    expect(changed.map((m) => m.id)).toEqual([m3, m1, m0]);
    expect(changed.find((m) => m.id === m1)).toMatchObject({ content: { message: '' }, deletedOn: expect.any(Date) });
    expect(changed.find((m) => m.id === m0)).toMatchObject({ content: { message: 'edited' }, editedOn: expect.any(Date) });
    expect(changed.map((m) => m.id)).not.toContain(m2);
    // editedOn/deletedOn are the change's version: a poll from one of them starts exactly there.
    const edited = changed.find((m) => m.id === m0)!;
    expect(edited.editedOn!.getTime()).toBe(Number(edited.version));
    expect((await collect(thread.listMessages({ startTime: edited.editedOn! }))).map((m) => m.id)).toEqual([m3, m1, m0]);
  });

  it('pages a snapshot: changes between page 1 and page 2 neither repeat nor skip a message, and the next poll has them', async () => {
    const id = await newThread('snapshot');
    const sent = await sendAll(id, 10);
    const thread = ada.chat.getChatThreadClient(id);
    const pages = thread.listMessages({ maxPageSize: 3 }).byPage();
    const first = (await pages.next()).value as ChatMessage[];
    expect(first.map((m) => m.id)).toEqual([sent[9], sent[8], sent[7]]);
    const snapshot = Number(first[0]!.version);

    // Between pages: edit a message not listed yet (it would jump above the cursor), delete one
    // already listed (it would come round again), and send a new one.
    await thread.updateMessage(sent[2]!, { content: 'edited between pages' });
    await thread.deleteMessage(sent[8]!);
    const { id: late } = await thread.sendMessage({ content: 'late' });

    const rest: ChatMessage[] = [];
    for await (const page of { [Symbol.asyncIterator]: () => pages }) rest.push(...page);
    const seen = [...first, ...rest].map((m) => m.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(12); // 10 texts + participantAdded + topicUpdated, as of page 1
    expect(seen).not.toContain(late);
    expect(seen.slice(0, 10)).toEqual([...sent].reverse());

    // The poll after the traversal, from its snapshot, brings exactly the changes made meanwhile.
    const next = await collect(thread.listMessages({ startTime: after(snapshot) }));
    expect(next.map((m) => m.id)).toEqual([late, sent[8], sent[2]]);
  });

  it('keeps startTime and the shareHistoryTime cut across pages', async () => {
    const id = await newThread('paged since');
    const sent = await sendAll(id, 7);
    const thread = ada.chat.getChatThreadClient(id);
    const cut = await thread.getMessage(sent[2]!);
    const pages: string[][] = [];
    for await (const page of thread.listMessages({ maxPageSize: 2, startTime: cut.createdOn }).byPage()) pages.push(page.map((m) => m.id));
    expect(pages).toEqual([[sent[6], sent[5]], [sent[4], sent[3]], [sent[2]]]);
  });

  it('answers 400 to a syncState it did not make', async () => {
    const id = await newThread('bad cursor');
    const res = await rawRequest(emu, {
      path: `/chat/threads/${encodeURIComponent(id)}/messages?syncState=42&api-version=2025-03-15`,
      headers: { authorization: `Bearer ${ada.token}` },
    });
    expect(res.status).toBe(400);
  });
});

describe('list threads: what a thread-level poll finds', () => {
  it('lastMessageReceivedOn and startTime follow new messages, topic changes and additions, not edits, deletes, receipts or removals', async () => {
    const [carol, dan] = (await createUsers(emu, 2)) as [TestUser, TestUser];
    const id = await newThread('activity', carol, [dan]);
    const thread = carol.chat.getChatThreadClient(id);
    const { id: mid } = await thread.sendMessage({ content: 'hello' });
    const sent = await thread.getMessage(mid);
    const item = (await listed(carol)).find((t) => t.id === id)!;
    expect(item.lastMessageReceivedOn?.getTime()).toBe(sent.createdOn.getTime());
    const since = after(sent.createdOn.getTime());

    await thread.updateMessage(mid, { content: 'edited' });
    await dan.chat.getChatThreadClient(id).sendReadReceipt({ chatMessageId: mid });
    await thread.deleteMessage(mid);
    await thread.removeParticipant(dan.user);
    expect(await listed(carol, since)).toEqual([]);
    expect((await listed(carol)).find((t) => t.id === id)?.lastMessageReceivedOn?.getTime()).toBe(sent.createdOn.getTime());

    await thread.updateTopic('renamed');
    const [topicItem] = await listed(carol, since);
    expect(topicItem).toMatchObject({ id, topic: 'renamed' });
    const [topicMessage] = await collect(thread.listMessages({ maxPageSize: 1 }));
    expect(topicMessage?.type).toBe('topicUpdated');
    expect(topicItem?.lastMessageReceivedOn?.getTime()).toBe(topicMessage!.createdOn.getTime());

    const later = after(topicMessage!.createdOn.getTime());
    await thread.addParticipants({ participants: [{ id: dan.user }] });
    expect((await listed(carol, later)).map((t) => t.id)).toEqual([id]);
    const newest = after((await listed(carol, later))[0]!.lastMessageReceivedOn!.getTime());
    await thread.sendMessage({ content: 'again' });
    expect((await listed(dan, newest)).map((t) => t.id)).toEqual([id]);
  });

  it('keeps listing a thread to a removed participant, whose every call on it answers 403', async () => {
    const [carol, dan] = (await createUsers(emu, 2)) as [TestUser, TestUser];
    const id = await newThread('removed', carol, [dan]);
    const before = (await listed(dan)).find((t) => t.id === id);
    expect(before).toBeDefined();
    await carol.chat.getChatThreadClient(id).removeParticipant(dan.user);

    expect((await listed(dan)).map((t) => t.id)).toContain(id);
    const gone = dan.chat.getChatThreadClient(id);
    await expect(gone.getProperties()).rejects.toMatchObject({ statusCode: 403 });
    await expect(gone.sendMessage({ content: 'x' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(gone.listMessages().next()).rejects.toMatchObject({ statusCode: 403 });
    await expect(gone.listParticipants().next()).rejects.toMatchObject({ statusCode: 403 });
    await expect(gone.listReadReceipts().next()).rejects.toMatchObject({ statusCode: 403 });
    // Someone who never was a member still does not see it.
    const [stranger] = (await createUsers(emu, 1)) as [TestUser];
    expect((await listed(stranger)).map((t) => t.id)).not.toContain(id);
  });
});

describe('across a restart with the same data dir', () => {
  it('keeps the change order, snapshot paging, former members and lastMessageReceivedOn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-emu-poll-'));
    try {
      const first = await startEmulator({ port: 0, dataDir: dir });
      const [carol, dan] = (await createUsers(first, 2)) as [TestUser, TestUser];
      const { chatThread } = await carol.chat.createChatThread({ topic: 'durable' }, { participants: [{ id: dan.user }] });
      const id = chatThread!.id;
      const thread = carol.chat.getChatThreadClient(id);
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) sent.push((await thread.sendMessage({ content: `m${i}` })).id);
      await thread.updateMessage(sent[0]!, { content: 'edited' });
      await thread.removeParticipant(dan.user);
      const before = await collect(thread.listMessages());
      const threadsBefore = await listed(carol);
      // Page 1 of a paged listing, taken before the restart.
      const auth = { authorization: `Bearer ${carol.token}` };
      const page1 = (await rawRequest(first, { path: `/chat/threads/${encodeURIComponent(id)}/messages?maxPageSize=2&api-version=2025-03-15`, headers: auth }))
        .json as { value: { id: string }[]; nextLink: string };
      await first.close();

      const second = await startEmulator({ port: 0, dataDir: dir });
      try {
        const again = chatClientFor(second, carol.token).getChatThreadClient(id);
        expect(await collect(again.listMessages())).toEqual(before);
        expect(await collect(chatClientFor(second, carol.token).listChatThreads())).toEqual(threadsBefore);
        expect((await collect(chatClientFor(second, dan.token).listChatThreads())).map((t) => t.id)).toContain(id);
        // The rest of that listing, after the restart and an edit of a message on a later page,
        // still continues the snapshot: no repeat, no skip.
        await again.updateMessage(sent[1]!, { content: 'edited after restart' });
        const ids = page1.value.map((m) => m.id);
        let link: string | undefined = page1.nextLink;
        while (link) {
          const url = new URL(link);
          const page = (await rawRequest(second, { path: url.pathname + url.search, headers: auth })).json as { value: { id: string }[]; nextLink?: string };
          ids.push(...page.value.map((m) => m.id));
          link = page.nextLink;
        }
        expect(ids).toEqual(before.map((m) => m.id));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a journal written before previousVersions existed; former members come from the system messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-emu-poll-'));
    try {
      const first = await startEmulator({ port: 0, dataDir: dir });
      const [carol, dan] = (await createUsers(first, 2)) as [TestUser, TestUser];
      const { chatThread } = await carol.chat.createChatThread({ topic: 'old' }, { participants: [{ id: dan.user }] });
      const id = chatThread!.id;
      const thread = carol.chat.getChatThreadClient(id);
      const { id: mid } = await thread.sendMessage({ content: 'x' });
      await thread.updateMessage(mid, { content: 'y' });
      await thread.removeParticipant(dan.user);
      await first.close();
      // Strip what an older emulator did not write.
      const path = join(dir, 'journal.jsonl');
      const old = readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const entry = JSON.parse(line) as { t: string; message?: Record<string, unknown> };
          if (entry.message) delete entry.message['previousVersions'];
          return JSON.stringify(entry);
        });
      writeFileSync(path, old.join('\n') + '\n');

      const second = await startEmulator({ port: 0, dataDir: dir });
      try {
        const again = chatClientFor(second, carol.token).getChatThreadClient(id);
        const messages = await collect(again.listMessages());
        expect(messages[0]?.type).toBe('participantRemoved');
        expect(messages.find((m) => m.id === mid)?.content?.message).toBe('y');
        expect((await collect(chatClientFor(second, dan.token).listChatThreads())).map((t) => t.id)).toContain(id);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
