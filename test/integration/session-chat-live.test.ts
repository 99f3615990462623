// session.chat's harder guarantees against the emulator: paging, sends that lose their response,
// an emulator restart under two polling sessions, removal, and a refused token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommunicationUserIdentifier } from '@azure/communication-common';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession, type ConnectionState, type Session, type SessionOptions } from '../../src/index.js';
import { collect, fastRetry, identityClient } from '../support/emulatorClients.js';
import { until } from '../support/until.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator(options);
  cleanup.push(() => emu.close());
  return emu;
}

async function sessionFor(emu: Emulator, user: CommunicationUserIdentifier, displayName: string, extra: Partial<SessionOptions> = {}): Promise<Session> {
  const identity = identityClient(emu);
  const session = await createSession({
    endpoint: emu.endpoint,
    token: async () => (await identity.getToken(user, ['chat'])).token,
    displayName,
    chat: { realtime: 'poll', pollIntervalMs: 50, idlePollIntervalMs: 100 },
    clientOptions: { ...emulatorClientOptions(emu), ...fastRetry },
    ...extra,
  });
  cleanup.push(() => session.dispose());
  return session;
}

describe('messages()', () => {
  it('lists 250 messages newest first across pages, each once', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada', { chat: false });
    // chat: false refuses session.chat; a second session does the work.
    expect(() => ada.chat).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    const grace = await sessionFor(emu, await identity.createUser(), 'Grace');
    const thread = await grace.chat.createThread({ topic: 'many' });
    const sent: string[] = [];
    for (let i = 0; i < 250; i++) sent.push((await thread.send(`m${i}`)).id);
    const listed = (await collect(thread.messages())).filter((m) => m.type === 'text');
    expect(listed.map((m) => m.id)).toEqual([...sent].reverse());
    expect(listed.map((m) => m.content).slice(0, 2)).toEqual(['m249', 'm248']);
  });
});

describe('send()', () => {
  it('posts once when the response to the POST is lost and the request is retried', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const thread = await ada.chat.createThread({ topic: 'lost responses' });
    // The emulator stores the message, then answers 503 as if the response never arrived; twice.
    emu.faults.inject({ method: 'POST', path: '/chat/threads/*/messages', status: 503, phase: 'after', times: 2, retryAfterSeconds: 0 });
    const sent = await thread.send('exactly once');
    expect(sent.content).toBe('exactly once');
    const copies = (await collect(thread.messages())).filter((m) => m.content === 'exactly once');
    expect(copies.map((m) => m.id)).toEqual([sent.id]);
  });

  it('retries a send refused before it was handled (503 before) and posts it once', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const thread = await ada.chat.createThread({ topic: 'refused' });
    emu.faults.inject({ method: 'POST', path: '/chat/threads/*/messages', status: 503, times: 2, retryAfterSeconds: 0 });
    const sent = await thread.send('after two refusals');
    const copies = (await collect(thread.messages())).filter((m) => m.content === 'after two refusals');
    expect(copies.map((m) => m.id)).toEqual([sent.id]);
  });

  it('createThread whose response is lost creates one thread (the retry reuses its repeatability id)', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    emu.faults.inject({ method: 'POST', path: '/chat/threads', status: 503, phase: 'after', retryAfterSeconds: 0 });
    const thread = await ada.chat.createThread({ topic: 'only one' });
    const mine = (await collect(ada.chat.threads())).filter((t) => t.topic === 'only one');
    expect(mine.map((t) => t.id)).toEqual([thread.id]);
  });

  it('with an idempotencyKey, a send the app repeats returns the first message', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const thread = await ada.chat.createThread({ topic: 'app retries' });
    const first = await thread.send('once', { idempotencyKey: 'order-42' });
    const again = await thread.send('once', { idempotencyKey: 'order-42' });
    expect(again.id).toBe(first.id);
    expect((await collect(thread.messages())).filter((m) => m.content === 'once')).toHaveLength(1);
  });

  it('maps failures: NOT_A_PARTICIPANT, THREAD_NOT_FOUND, MESSAGE_TOO_LARGE, RATE_LIMITED with retryAfterMs', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const eve = await sessionFor(emu, await identity.createUser(), 'Eve');
    const thread = await ada.chat.createThread({ topic: 'private' });
    await expect(eve.chat.thread(thread.id).send('hi')).rejects.toMatchObject({ code: 'NOT_A_PARTICIPANT', status: 403 });
    await expect(thread.getMessage('999999')).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', status: 404 });
    await expect(thread.send('x'.repeat(40_000))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    emu.faults.inject({ method: 'GET', path: '/chat/threads/*', status: 429, retryAfterSeconds: 1, times: 10 });
    await expect(thread.properties()).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000, status: 429 });
    emu.faults.clear();
    await expect(thread.send('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(thread.participants.add(['not an id'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('tokens', () => {
  it('a 401 forces one token refresh and the call succeeds on its retry', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const user = await identity.createUser();
    const reasons: string[] = [];
    const ada = await sessionFor(emu, user, 'Ada', {
      token: async ({ reason }) => {
        reasons.push(reason);
        return (await identity.getToken(user, ['chat'])).token;
      },
    });
    const thread = await ada.chat.createThread({ topic: 'revoked' });
    await identity.revokeTokens(user);
    emu.advanceClock(2000);
    const sent = await thread.send('after revocation');
    expect(sent.content).toBe('after revocation');
    expect(reasons).toEqual(['initial', 'rejected']);
  });
});

describe('scopes', () => {
  it('does not poll for a token without the chat scope, and chat calls answer FORBIDDEN', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const user = await identity.createUser();
    const session = await sessionFor(emu, user, 'Voip only', { token: async () => (await identity.getToken(user, ['voip'])).token });
    const probe = emu.faults.inject({ method: 'GET', path: '/chat/threads', delayMs: 1, times: 1 });
    session.on('messageReceived', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(probe.remaining).toBe(1); // no listChatThreads went out
    await expect(session.chat.createThread({ topic: 'no' })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});

describe('what starts polling', () => {
  it('a catch-all events() iterator does not; one naming a chat event does', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const session = await sessionFor(emu, await identity.createUser(), 'Logger');
    const probe = emu.faults.inject({ method: 'GET', path: '/chat/threads', delayMs: 1, times: 1 });
    const everything = session.events();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(probe.remaining).toBe(1);
    const chatOnly = session.events({ types: ['messageReceived'] });
    await until(() => probe.remaining === 0, 'probe.remaining === 0', 8_000);
    await everything.return();
    await chatOnly.return();
  });
});

describe('removal', () => {
  it("a removed participant's session gets participantsRemoved for itself and NOT_A_PARTICIPANT on send", async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const graceId = await identity.createUser();
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const grace = await sessionFor(emu, graceId, 'Grace');
    const thread = await ada.chat.createThread({ topic: 'door', participants: [graceId] });
    const graceThread = grace.chat.thread(thread.id);
    await graceThread.send('hi');
    const removed = grace.waitFor('participantsRemoved', { filter: (e) => e.includesMe, timeoutMs: 8_000 });
    await thread.participants.remove(graceId);
    const event = await removed;
    expect(event.threadId).toBe(thread.id);
    expect(event.participants.map((p) => p.id.rawId)).toContain(grace.user.rawId);
    await expect(graceThread.send('still here?')).rejects.toMatchObject({ code: 'NOT_A_PARTICIPANT' });
  });
});

describe('an emulator restart under two polling sessions', () => {
  it('goes reconnecting then connected, and loses or repeats no message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-chat-restart-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    let emu = await startEmulator({ dataDir: dir });
    const port = emu.port;
    const identity = identityClient(emu);
    const [adaId, graceId] = [await identity.createUser(), await identity.createUser()];
    // Tokens come from the emulator that is running now.
    const tokenFor = (user: CommunicationUserIdentifier) => async () => (await identityClient(emu).getToken(user, ['chat'])).token;
    const options = (user: CommunicationUserIdentifier): Partial<SessionOptions> => ({ token: tokenFor(user) });
    const ada = await sessionFor(emu, adaId, 'Ada', options(adaId));
    const grace = await sessionFor(emu, graceId, 'Grace', options(graceId));
    cleanup.push(() => emu.close());
    const received: string[] = [];
    const states: ConnectionState[] = [];
    grace.on('messageReceived', (e) => received.push(e.message.content));
    grace.on('stateChanged', (e) => states.push(e.state));
    const snapshots: string[] = [];
    grace.subscribe(() => {
      const { state, connectionError } = grace.getSnapshot();
      snapshots.push(`${state}:${connectionError?.code ?? '-'}`);
    });
    const thread = await ada.chat.createThread({ topic: 'restart', participants: [graceId] });
    for (let i = 0; i < 5; i++) await thread.send(`before ${i}`);
    await until(() => received.length === 5, 'received.length === 5', 8_000);

    await emu.close();
    await until(() => grace.state === 'reconnecting', "grace.state === 'reconnecting'", 8_000);
    emu = await startEmulator({ dataDir: dir, port });
    await until(() => grace.state === 'connected', "grace.state === 'connected'", 8_000);
    for (let i = 0; i < 5; i++) await thread.send(`after ${i}`);
    await until(() => received.length >= 10, 'received.length >= 10', 8_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few more rounds: nothing repeats
    expect(received).toEqual([0, 1, 2, 3, 4].map((i) => `before ${i}`).concat([0, 1, 2, 3, 4].map((i) => `after ${i}`)));
    expect(states).toEqual(['reconnecting', 'connected']);
    // One snapshot per change: the state and its connectionError move together.
    expect(snapshots).toEqual(['reconnecting:NETWORK_ERROR', 'connected:-']);
  });
});

describe('dispose()', () => {
  it('stops polling and ends iterators with DISPOSED', async () => {
    const emu = await emulator();
    const identity = identityClient(emu);
    const ada = await sessionFor(emu, await identity.createUser(), 'Ada');
    const thread = await ada.chat.createThread({ topic: 'bye' });
    await thread.send('one');
    const iterator = thread.messages()[Symbol.asyncIterator]();
    await iterator.next();
    // Every request from now on waits, so a poll round is in flight when dispose runs.
    emu.faults.inject({ path: '/chat/**', delayMs: 5_000, times: 100 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    await ada.dispose();
    await expect(thread.send('after')).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(collect(thread.messages())).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(() => ada.chat).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    expect(Date.now() - started).toBeLessThan(1_000);
    emu.faults.clear();
  });
});

describe('chat realtime in Node', () => {
  it("'auto' polls (no push in Node): chatRealtimeChanged says so and the snapshot follows", async () => {
    const emu = await emulator();
    const user = emu.createUser();
    const session = await sessionFor(emu, user, 'Ada', {
      chat: { realtime: 'auto', pollIntervalMs: 50, idlePollIntervalMs: 100 },
    });
    expect(session.getSnapshot().chatRealtime).toBe('off');
    expect(session.chat.realtime).toBe('off');
    const changed = session.waitFor('chatRealtimeChanged', { timeoutMs: 5_000 });
    session.on('messageReceived', () => undefined);
    expect((await changed).realtime).toBe('poll');
    expect(session.getSnapshot().chatRealtime).toBe('poll');
    expect(session.chat.realtime).toBe('poll');
  });
});
