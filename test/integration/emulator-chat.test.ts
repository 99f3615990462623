// The real @azure/communication-chat clients against the in-process emulator: every operation.
import type { ChatMessage } from '@azure/communication-chat';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type TestUser, collect, createUsers, identityClient, rawRequest } from '../support/emulatorClients.js';

let emu: Emulator;
let ada: TestUser;
let bob: TestUser;
let eve: TestUser;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  [ada, bob, eve] = (await createUsers(emu, 3)) as [TestUser, TestUser, TestUser];
});
afterAll(() => emu.close());

async function newThread(topic = 'topic', members: TestUser[] = [bob]): Promise<string> {
  const { chatThread } = await ada.chat.createChatThread({ topic }, { participants: members.map((m) => ({ id: m.user, displayName: 'member' })) });
  if (!chatThread) throw new Error('no thread');
  return chatThread.id;
}

describe('threads', () => {
  it('creates a thread with participants, metadata and a Location; ids look like the service', async () => {
    const result = await ada.chat.createChatThread(
      { topic: 'Launch' },
      {
        metadata: { team: 'core' },
        participants: [{ id: bob.user, displayName: 'Bob' }, { id: { communicationUserId: '8:acs:not-ours_x' } }],
      },
    );
    expect(result.chatThread?.id).toMatch(/^19:[0-9a-f]{32}@thread\.v2$/);
    expect(result.chatThread?.topic).toBe('Launch');
    expect(result.chatThread?.createdBy).toEqual({ kind: 'communicationUser', communicationUserId: ada.user.communicationUserId });
    expect(result.invalidParticipants?.[0]).toMatchObject({ code: '403', message: 'Permissions check failed', target: '8:acs:not-ours_x' });
    const props = await bob.chat.getChatThreadClient(result.chatThread!.id).getProperties();
    expect(props).toMatchObject({ topic: 'Launch', metadata: { team: 'core' } });
    expect(props.createdOn).toBeInstanceOf(Date);
  });

  it('updates topic and metadata with merge-patch semantics and records topicUpdated', async () => {
    const id = await newThread('before');
    const thread = ada.chat.getChatThreadClient(id);
    await thread.updateProperties({ topic: 'after', metadata: { a: '1', b: '2' } });
    await thread.updateProperties({ metadata: { b: '3' } });
    const props = await thread.getProperties();
    expect(props.topic).toBe('after');
    expect(props.metadata).toEqual({ a: '1', b: '3' });
    const messages = await collect(thread.listMessages());
    const topics = messages.filter((m) => m.type === 'topicUpdated').map((m) => m.content?.topic);
    expect(topics).toEqual(['after', 'before']);
    expect(messages.find((m) => m.type === 'topicUpdated')?.content?.initiator).toEqual({
      kind: 'communicationUser',
      communicationUserId: ada.user.communicationUserId,
    });
  });

  it('PATCH retentionPolicy: null stores {kind: none}, as the service does', async () => {
    const { chatThread } = await ada.chat.createChatThread(
      { topic: 'retention' },
      { retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 30 } },
    );
    const thread = ada.chat.getChatThreadClient(chatThread!.id);
    expect((await thread.getProperties()).retentionPolicy).toEqual({ kind: 'threadCreationDate', deleteThreadAfterDays: 30 });
    const res = await rawRequest(emu, {
      method: 'PATCH',
      path: `/chat/threads/${encodeURIComponent(chatThread!.id)}?api-version=2025-03-15`,
      headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'application/merge-patch+json' },
      body: '{"retentionPolicy":null}',
    });
    expect(res.status).toBe(204);
    expect((await thread.getProperties()).retentionPolicy).toEqual({ kind: 'none' });
  });

  it('limits thread and participant metadata to 1 KB (keys + values), checking PATCH after the merge', async () => {
    const kb = { k: 'v'.repeat(1023) }; // 1 + 1023 bytes: exactly the limit
    const { chatThread } = await ada.chat.createChatThread({ topic: 'meta' }, { metadata: kb });
    await expect(ada.chat.createChatThread({ topic: 'meta' }, { metadata: { k: 'v'.repeat(1024) } })).rejects.toMatchObject({ statusCode: 400 });
    const thread = ada.chat.getChatThreadClient(chatThread!.id);
    // Each patch is small, but the merged metadata would be over the limit.
    await expect(thread.updateProperties({ metadata: { extra: 'x' } })).rejects.toMatchObject({ statusCode: 400 });
    expect((await thread.getProperties()).metadata).toEqual(kb);
    await thread.updateProperties({ metadata: { k: 'short', extra: 'x' } });
    expect((await thread.getProperties()).metadata).toEqual({ k: 'short', extra: 'x' });
    await expect(thread.addParticipants({ participants: [{ id: eve.user, metadata: { m: 'x'.repeat(1024) } }] })).rejects.toMatchObject({ statusCode: 400 });
    await expect(thread.addParticipants({ participants: [{ id: eve.user, metadata: { m: 'x'.repeat(1023) } }] })).resolves.toBeDefined();
  });

  it('lists the caller’s threads only, across pages', async () => {
    const [carol] = await createUsers(emu, 1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { chatThread } = await carol!.chat.createChatThread({ topic: `t${i}` });
      ids.push(chatThread!.id);
    }
    const pages: string[][] = [];
    for await (const page of carol!.chat.listChatThreads({ maxPageSize: 2 }).byPage()) pages.push(page.map((t) => t.id));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flat())).toEqual(new Set(ids));
    const bobThreads = await collect(bob.chat.listChatThreads());
    expect(bobThreads.some((t) => ids.includes(t.id))).toBe(false);
  });

  it('pages threads with a cursor: a message between pages neither repeats nor skips the others', async () => {
    const [dora] = await createUsers(emu, 1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await dora!.chat.createChatThread({ topic: `c${i}` })).chatThread!.id);
    const pages = dora!.chat.listChatThreads({ maxPageSize: 2 }).byPage();
    const first = (await pages.next()).value as { id: string }[];
    expect(first.map((t) => t.id)).toEqual([ids[4], ids[3]]);
    // The oldest thread gets a message and jumps to the top of the order while we page.
    await dora!.chat.getChatThreadClient(ids[0]!).sendMessage({ content: 'bump' });
    const rest: string[] = [];
    for await (const page of { [Symbol.asyncIterator]: () => pages }) rest.push(...(page as { id: string }[]).map((t) => t.id));
    const seen = [...first.map((t) => t.id), ...rest];
    expect(new Set(seen).size).toBe(seen.length); // offset paging repeated ids[3] here
    expect(seen).toEqual(expect.arrayContaining([ids[4], ids[3], ids[2], ids[1]]));
  });

  it('deletes a thread; it is gone for everyone and deleting again succeeds', async () => {
    const id = await newThread();
    await ada.chat.deleteChatThread(id);
    await expect(bob.chat.getChatThreadClient(id).getProperties()).rejects.toMatchObject({ statusCode: 404 });
    await expect(ada.chat.deleteChatThread(id)).resolves.toBeUndefined();
  });
});

describe('messages', () => {
  it('sends, gets, edits and deletes, stamping editedOn/deletedOn and bumping version', async () => {
    const id = await newThread();
    const thread = ada.chat.getChatThreadClient(id);
    const { id: mid } = await thread.sendMessage({ content: '<b>hi</b>' }, { type: 'html', senderDisplayName: 'Ada', metadata: { k: 'v' } });
    const sent = await bob.chat.getChatThreadClient(id).getMessage(mid);
    expect(sent).toMatchObject({ id: mid, type: 'html', content: { message: '<b>hi</b>' }, senderDisplayName: 'Ada', metadata: { k: 'v' } });
    expect(sent.sender).toEqual({ kind: 'communicationUser', communicationUserId: ada.user.communicationUserId });

    await thread.updateMessage(mid, { content: 'edited', metadata: { k: 'w' } });
    const edited = await thread.getMessage(mid);
    expect(edited.content?.message).toBe('edited');
    expect(edited.metadata).toEqual({ k: 'w' });
    expect(edited.editedOn).toBeInstanceOf(Date);
    expect(Number(edited.version)).toBeGreaterThan(Number(sent.version));

    await expect(bob.chat.getChatThreadClient(id).updateMessage(mid, { content: 'not yours' })).rejects.toMatchObject({ statusCode: 403 });

    await thread.deleteMessage(mid);
    const deleted = await thread.getMessage(mid);
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    // As the service answers (recorded): the content is emptied, not dropped.
    expect(deleted.content).toEqual({ message: '', attachments: [] });
    expect(deleted.metadata).toBeUndefined();
    expect(Number(deleted.version)).toBeGreaterThan(Number(edited.version));
    await expect(thread.getMessage('12345')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lists newest first with system messages in the real content shape', async () => {
    const id = await newThread('shape');
    const thread = ada.chat.getChatThreadClient(id);
    await thread.sendMessage({ content: 'one' });
    await thread.sendMessage({ content: 'two' });
    const messages = await collect(thread.listMessages());
    expect(messages.map((m) => m.type)).toEqual(['text', 'text', 'topicUpdated', 'participantAdded']);
    expect(messages.map((m) => Number(m.sequenceId))).toEqual([4, 3, 2, 1]);
    const added = messages[3]!;
    expect(added.content?.participants?.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        { kind: 'communicationUser', communicationUserId: ada.user.communicationUserId },
        { kind: 'communicationUser', communicationUserId: bob.user.communicationUserId },
      ]),
    );
    expect(added.content?.initiator).toEqual({ kind: 'communicationUser', communicationUserId: ada.user.communicationUserId });
  });

  it('pages messages through https nextLinks, honouring maxPageSize and startTime', async () => {
    const id = await newThread('paging');
    const thread = ada.chat.getChatThreadClient(id);
    const sent: string[] = [];
    for (let i = 0; i < 23; i++) sent.push((await thread.sendMessage({ content: `m${i}` })).id);
    const pages: ChatMessage[][] = [];
    for await (const page of thread.listMessages({ maxPageSize: 5 }).byPage()) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 5]); // 23 texts + 2 system messages
    const all = pages.flat();
    expect(new Set(all.map((m) => m.id)).size).toBe(25);
    expect(all.filter((m) => m.type === 'text').map((m) => m.id)).toEqual([...sent].reverse());

    // createdOn is strictly increasing per thread, so startTime below splits exactly at `middle`.
    const times = all.map((m) => m.createdOn.getTime());
    expect(times.every((t, i) => i === 0 || t < times[i - 1]!)).toBe(true);
    const middle = await thread.getMessage(sent[20]!);
    const recent = await collect(thread.listMessages({ startTime: middle.createdOn }));
    expect(recent.map((m) => m.id)).toEqual([sent[22], sent[21], sent[20]]);
  });

  it('hides messages created before a participant’s shareHistoryTime from that participant', async () => {
    const id = await newThread('history', []);
    const thread = ada.chat.getChatThreadClient(id);
    const { id: old } = await thread.sendMessage({ content: 'before bob' });
    const { id: cut } = await thread.sendMessage({ content: 'shared with bob' });
    const { createdOn } = await thread.getMessage(cut);
    await thread.addParticipants({ participants: [{ id: bob.user, shareHistoryTime: createdOn }] });
    const bobThread = bob.chat.getChatThreadClient(id);
    const seen = await collect(bobThread.listMessages());
    expect(seen.map((m) => m.type)).toEqual(['participantAdded', 'text']);
    expect(seen[1]?.id).toBe(cut);
    await expect(bobThread.getMessage(old)).rejects.toMatchObject({ statusCode: 404 });
    await expect(bobThread.getMessage(cut)).resolves.toHaveProperty('id', cut);
    // Everyone else still sees the whole history.
    expect((await collect(thread.listMessages())).map((m) => m.id)).toContain(old);
  });

  it('rejects messages over the ~28 KB limit and accepts one just under it', async () => {
    const thread = ada.chat.getChatThreadClient(await newThread());
    await expect(thread.sendMessage({ content: 'x'.repeat(28 * 1024) })).resolves.toHaveProperty('id');
    await expect(thread.sendMessage({ content: 'x'.repeat(28 * 1024 + 1) })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('participants, receipts and typing', () => {
  it('adds, lists (paged) and removes participants with system messages', async () => {
    const extra = await createUsers(emu, 3);
    const id = await newThread('members');
    const thread = ada.chat.getChatThreadClient(id);
    const [gone] = await createUsers(emu, 1);
    await identityClient(emu).deleteUser(gone!.user);
    const unknown = `8:acs:${emu.resourceId}_00000000-0000-0000-0000-000000000000`;
    const result = await thread.addParticipants({
      participants: [
        ...extra.map((u) => ({ id: u.user, displayName: 'x' })),
        { id: { communicationUserId: '8:acs:foreign_1' } },
        { id: { communicationUserId: unknown } },
        { id: gone!.user },
      ],
    });
    // Another resource's id fails the permission check; unknown or deleted ids of this resource are not found.
    expect(result.invalidParticipants?.map((e) => [e.target, e.code, e.message])).toEqual([
      ['8:acs:foreign_1', '403', 'Permissions check failed'],
      [unknown, '404', 'Not found'],
      [gone!.user.communicationUserId, '404', 'Not found'],
    ]);
    const pages: number[] = [];
    for await (const page of thread.listParticipants({ maxPageSize: 2 }).byPage()) pages.push(page.length);
    expect(pages).toEqual([2, 2, 1]);

    await thread.removeParticipant(extra[0]!.user);
    const members = await collect(thread.listParticipants());
    expect(members.map((p) => (p.id as { communicationUserId: string }).communicationUserId)).not.toContain(extra[0]!.user.communicationUserId);
    const [latest] = await collect(thread.listMessages({ maxPageSize: 1 }));
    expect(latest?.type).toBe('participantRemoved');
    await expect(extra[0]!.chat.getChatThreadClient(id).listMessages().next()).rejects.toMatchObject({ statusCode: 403 });
  });

  it('refuses more than 250 participants in one request (checked before looking the ids up)', async () => {
    const thread = ada.chat.getChatThreadClient(await newThread());
    const fake = Array.from({ length: 251 }, (_, i) => ({ id: { communicationUserId: `8:acs:${emu.resourceId}_${i}` } }));
    await expect(thread.addParticipants({ participants: fake })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('refuses to grow a thread with members past 250, even when each request names ≤ 250 real users', async () => {
    const identity = identityClient(emu);
    const users: string[] = [];
    while (users.length < 249) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, 249 - users.length) }, () => identity.createUser()));
      users.push(...batch.map((u) => u.communicationUserId));
    }
    const thread = ada.chat.getChatThreadClient(await newThread('full')); // ada + bob
    const asParticipants = (ids: string[]) => ids.map((communicationUserId) => ({ id: { communicationUserId } }));
    await expect(thread.addParticipants({ participants: asParticipants(users.slice(0, 248)) })).resolves.not.toHaveProperty('invalidParticipants');
    expect(await collect(thread.listParticipants())).toHaveLength(250);
    await expect(thread.addParticipants({ participants: asParticipants(users.slice(248)) })).rejects.toMatchObject({ statusCode: 400 });
    expect(await collect(thread.listParticipants())).toHaveLength(250);
  });

  it('records read receipts (moving forward only) and accepts typing notifications', async () => {
    const id = await newThread();
    const thread = ada.chat.getChatThreadClient(id);
    const first = await thread.sendMessage({ content: 'a' });
    const second = await thread.sendMessage({ content: 'b' });
    const bobThread = bob.chat.getChatThreadClient(id);
    await bobThread.sendReadReceipt({ chatMessageId: second.id });
    await bobThread.sendReadReceipt({ chatMessageId: first.id });
    const receipts = await collect(thread.listReadReceipts());
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ chatMessageId: second.id, sender: { communicationUserId: bob.user.communicationUserId } });
    expect(receipts[0]?.readOn).toBeInstanceOf(Date);
    await expect(bobThread.sendTypingNotification({ senderDisplayName: 'Bob' })).resolves.toBe(true);
  });
});

describe('authorization', () => {
  it('answers 403 to a non-participant for every thread operation', async () => {
    const id = await newThread();
    const thread = eve.chat.getChatThreadClient(id);
    await expect(thread.getProperties()).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
    await expect(thread.sendMessage({ content: 'x' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(thread.listMessages().next()).rejects.toMatchObject({ statusCode: 403 });
    await expect(thread.listParticipants().next()).rejects.toMatchObject({ statusCode: 403 });
    await expect(thread.addParticipants({ participants: [{ id: eve.user }] })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('answers 401 to an expired token (emulator clock moved past exp)', async () => {
    const id = await newThread();
    emu.advanceClock(25 * 3600_000);
    try {
      await expect(ada.chat.getChatThreadClient(id).getProperties()).rejects.toMatchObject({ statusCode: 401 });
    } finally {
      emu.advanceClock(-25 * 3600_000);
    }
    await expect(ada.chat.getChatThreadClient(id).getProperties()).resolves.toHaveProperty('id', id);
  });

  it('answers 401 after revocation, and a token issued right after works', async () => {
    const identity = identityClient(emu);
    const [dan] = await createUsers(emu, 1);
    const { chatThread } = await dan!.chat.createChatThread({ topic: 'revoke' });
    await identity.revokeTokens(dan!.user);
    await expect(dan!.chat.getChatThreadClient(chatThread!.id).getProperties()).rejects.toMatchObject({ statusCode: 401 });
    const { token } = await identity.getToken(dan!.user, ['chat']);
    const { chatClientFor } = await import('../support/emulatorClients.js');
    await expect(chatClientFor(emu, token).getChatThreadClient(chatThread!.id).getProperties()).resolves.toHaveProperty('topic', 'revoke');
  });

  it('answers 401 to a token with a bad signature and to a deleted identity', async () => {
    const { chatClientFor } = await import('../support/emulatorClients.js');
    const [head, payload] = ada.token.split('.');
    const forged = `${head}.${payload}.${'A'.repeat(43)}`;
    await expect(chatClientFor(emu, forged).listChatThreads().next()).rejects.toMatchObject({ statusCode: 401 });
    const [gone] = await createUsers(emu, 1);
    await identityClient(emu).deleteUser(gone!.user);
    await expect(gone!.chat.listChatThreads().next()).rejects.toMatchObject({ statusCode: 401 });
  });

  it('a chat.join token may post but not create threads; a voip-only token gets 403', async () => {
    const [joiner] = await createUsers(emu, 1, ['chat.join']);
    await expect(joiner!.chat.createChatThread({ topic: 'no' })).rejects.toMatchObject({ statusCode: 403 });
    const id = await newThread('join', [joiner!]);
    await expect(joiner!.chat.getChatThreadClient(id).sendMessage({ content: 'yes' })).resolves.toHaveProperty('id');
    const [voip] = await createUsers(emu, 1, ['voip']);
    await expect(voip!.chat.listChatThreads().next()).rejects.toMatchObject({ statusCode: 403 });
  });
});

describe('idempotency and retries', () => {
  // Whatever a test leaves armed (it failed before consuming its faults) must not leak into the next.
  afterEach(() => emu.faults.clear());

  it('create-thread is idempotent on repeatability-request-id', async () => {
    const [fay] = await createUsers(emu, 1);
    const a = await fay!.chat.createChatThread({ topic: 'once' }, { idempotencyToken: 'fixed-token' });
    const b = await fay!.chat.createChatThread({ topic: 'once' }, { idempotencyToken: 'fixed-token' });
    expect(b.chatThread?.id).toBe(a.chatThread?.id);
    expect(await collect(fay!.chat.listChatThreads())).toHaveLength(1);
  });

  it('a 503 after the thread was created (lost response) is retried into the same thread', async () => {
    const [gus] = await createUsers(emu, 1);
    const fault = emu.faults.inject({ method: 'POST', path: '/chat/threads', status: 503, phase: 'after', retryAfterSeconds: 0 });
    const { chatThread } = await gus!.chat.createChatThread({ topic: 'retry' });
    expect(fault.remaining).toBe(0);
    const threads = await collect(gus!.chat.listChatThreads());
    expect(threads.map((t) => t.id)).toEqual([chatThread!.id]);
  });

  it('sendMessage retries through injected 503 and 429 (Retry-After) without duplicates', async () => {
    const id = await newThread();
    const thread = ada.chat.getChatThreadClient(id);
    const unavailable = emu.faults.inject({ method: 'POST', path: '/chat/threads/*/messages', status: 503, times: 2, retryAfterSeconds: 0 });
    const throttled = emu.faults.inject({ method: 'POST', path: '/chat/threads/*/messages', status: 429, times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const { id: mid } = await thread.sendMessage({ content: 'exactly once' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the client honoured Retry-After: 1
    expect(unavailable.remaining + throttled.remaining).toBe(0);
    const texts = (await collect(thread.listMessages())).filter((m) => m.type === 'text');
    expect(texts.map((m) => m.id)).toEqual([mid]);
  });

  it('gives up after the client’s retries and surfaces the status', async () => {
    const thread = ada.chat.getChatThreadClient(await newThread());
    emu.faults.inject({ method: 'GET', path: '/chat/threads/*', status: 500, times: 10 });
    try {
      await expect(thread.getProperties()).rejects.toMatchObject({ statusCode: 500 });
    } finally {
      emu.faults.clear(); // a failed expectation must not leave 500s armed for the next tests
    }
  });

  it('delays a request when asked to', async () => {
    const thread = ada.chat.getChatThreadClient(await newThread());
    emu.faults.inject({ method: 'GET', path: '/chat/threads/**', delayMs: 300 });
    try {
      const started = Date.now();
      await thread.getProperties();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      emu.faults.clear();
    }
  });
});
