import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { createUsers } from '../support/emulatorClients.js';
import type { PushSessionAction, PushSessionInput, PushSessionRecord } from './pages/session-push-page.js';
import { type BrowserFixture, type WatchedPage, startBrowserFixture } from './support/browser-fixture.js';

// session.chat with realtime 'push' and 'auto' in Chromium, on the emulator's notification service.
let fx: BrowserFixture;
let emu: Emulator;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['session-push-page.ts'] });
  emu = fx.emu;
}, 60_000);

afterAll(() => fx?.close());

type Opened = WatchedPage;

async function open(input: PushSessionInput, name: string): Promise<Opened> {
  const opened = await fx.newPage({ name });
  await opened.page.evaluate((args) => globalThis.openPushSession?.(args), input);
  return opened;
}

const recordOf = (o: Opened): Promise<PushSessionRecord> => o.page.evaluate(() => globalThis.pushSessionRecord?.() ?? { events: [], modes: [], arrivals: {} });
const act = (o: Opened, action: PushSessionAction): Promise<string> =>
  o.page.evaluate((a) => globalThis.pushSessionAct?.(a) ?? Promise.reject(new Error('no page')), action);

async function until(what: string, o: Opened, check: (r: PushSessionRecord) => boolean, timeoutMs = 15_000): Promise<PushSessionRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await recordOf(o);
    if (check(r)) return r;
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms: ${JSON.stringify(r)}\n${o.diagnostics.slice(-40).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('session.chat realtime in Chromium', () => {
  it("'push' delivers messages and typing by push, each once, and dispose closes the socket", async () => {
    const [alice, bob] = await createUsers(emu, 2);
    if (!alice || !bob) throw new Error('users');
    const a = await open({ endpoint: emu.endpoint, token: alice.token, realtime: 'push' }, 'alice');
    const b = await open({ endpoint: emu.endpoint, token: bob.token, realtime: 'push' }, 'bob');
    await until('both push', a, (r) => r.modes.includes('push'));
    await until('both push', b, (r) => r.modes.includes('push'));

    const threadId = await act(a, { kind: 'create', peerId: bob.user.communicationUserId });
    await until('bob added', b, (r) => r.events.includes('threadCreated:added'));
    await act(a, { kind: 'send', threadId, content: 'one' });
    await act(a, { kind: 'typing', threadId });
    await act(a, { kind: 'send', threadId, content: 'two' });
    const got = await until('messages and typing', b, (r) => r.events.includes('messageReceived:two') && r.events.some((e) => e.startsWith('typingReceived')));
    expect(got.events.filter((e) => e.startsWith('messageReceived'))).toEqual(['messageReceived:one', 'messageReceived:two']);
    expect(got.events).toContain(`typingReceived:${alice.user.communicationUserId}`);
    // Push only: the poller never ran.
    expect(got.modes).toEqual(['off', 'push']);
    const mine = await recordOf(a);
    expect(mine.events.filter((e) => e.startsWith('messageReceived'))).toEqual(['messageReceived:one', 'messageReceived:two']);

    expect(emu.notifications.socketCount).toBe(2);
    await Promise.all([a.page.evaluate(() => globalThis.closePushSession?.()), b.page.evaluate(() => globalThis.closePushSession?.())]);
    const deadline = Date.now() + 5_000;
    while (emu.notifications.socketCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emu.notifications.socketCount).toBe(0);
    await a.page.close();
    await b.page.close();
  });

  it("'auto' polls while the socket is cut and returns to push; every message arrives once, in order", async () => {
    const [alice, bob] = await createUsers(emu, 2);
    if (!alice || !bob) throw new Error('users');
    const a = await open({ endpoint: emu.endpoint, token: alice.token, realtime: 'auto' }, 'alice');
    const b = await open({ endpoint: emu.endpoint, token: bob.token, realtime: 'auto' }, 'bob');
    const threadId = await act(a, { kind: 'create', peerId: bob.user.communicationUserId });
    await until('bob on push', b, (r) => r.modes.includes('push') && r.events.includes('threadCreated:added'));
    await act(a, { kind: 'send', threadId, content: 'm1' });
    await until('m1', b, (r) => r.events.includes('messageReceived:m1'));

    emu.notifications.setAvailable(false);
    await until('bob polling', b, (r) => r.modes[r.modes.length - 1] === 'poll', 10_000);
    await act(a, { kind: 'send', threadId, content: 'm2' });
    await act(a, { kind: 'send', threadId, content: 'm3' });
    await until('m3 by polling', b, (r) => r.events.includes('messageReceived:m3'));

    emu.notifications.setAvailable(true);
    await until('bob back on push', b, (r) => r.modes[r.modes.length - 1] === 'push' && r.modes.length >= 3, 60_000);
    await act(a, { kind: 'send', threadId, content: 'm4' });
    const final = await until('m4', b, (r) => r.events.includes('messageReceived:m4'));
    expect(final.events.filter((e) => e.startsWith('messageReceived'))).toEqual([
      'messageReceived:m1',
      'messageReceived:m2',
      'messageReceived:m3',
      'messageReceived:m4',
    ]);
    expect(final.modes.filter((m) => m !== 'off')).toEqual(['push', 'poll', 'push']);
    // The switch is visible as an event, with the snapshot already updated when it fires.
    expect(final.events.filter((e) => e.startsWith('chatRealtimeChanged'))).toEqual([
      'chatRealtimeChanged:push:push',
      'chatRealtimeChanged:poll:poll',
      'chatRealtimeChanged:push:push',
    ]);
    await Promise.all([a.page.evaluate(() => globalThis.closePushSession?.()), b.page.evaluate(() => globalThis.closePushSession?.())]);
    await a.page.close();
    await b.page.close();
  }, 120_000);
  it("'auto' tries push again after the ACS client gave up its socket (refused tokens), and returns to push", async () => {
    const [alice, bob] = await createUsers(emu, 2);
    if (!alice || !bob) throw new Error('users');
    const a = await open({ endpoint: emu.endpoint, token: alice.token, realtime: 'auto' }, 'alice');
    const b = await open({ endpoint: emu.endpoint, token: bob.token, realtime: 'auto' }, 'bob');
    // Bob is on push before the thread exists, so its creation reaches him by push, not by his first catch-up.
    await until('bob on push', b, (r) => r.modes.includes('push'));
    const threadId = await act(a, { kind: 'create', peerId: bob.user.communicationUserId });
    await until('bob added', b, (r) => r.events.includes('threadCreated:added'));

    // Every allocation is refused with 401 and the sockets are cut: the client reconnects, asks for
    // fresh tokens, is refused again, and after its last token retry its signaling client stops for good.
    const refused = emu.faults.inject({ method: 'POST', path: '/v4/a', status: 401, times: 10_000 });
    emu.notifications.setAvailable(false);
    emu.notifications.setAvailable(true);
    await until('bob polling', b, (r) => r.modes[r.modes.length - 1] === 'poll', 10_000);
    const deadline = Date.now() + 30_000;
    while (10_000 - refused.remaining < 8 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const refusedCount = 10_000 - refused.remaining;
    refused.cancel();
    await act(a, { kind: 'send', threadId, content: 'polled' });
    await until('polled', b, (r) => r.events.includes('messageReceived:polled'));

    const back = await until('bob back on push', b, (r) => r.modes[r.modes.length - 1] === 'push' && r.modes.length >= 3, 60_000);
    expect(refusedCount, 'allocations refused before the fault was lifted').toBeGreaterThanOrEqual(8);
    await act(a, { kind: 'send', threadId, content: 'pushed' });
    const final = await until('pushed', b, (r) => r.events.includes('messageReceived:pushed'));
    expect(final.events.filter((e) => e.startsWith('messageReceived'))).toEqual(['messageReceived:polled', 'messageReceived:pushed']);
    expect(back.modes.filter((m) => m !== 'off')).toEqual(['push', 'poll', 'push']);
    // Polling read the thread whose creation came by push: the creation's system messages are not news.
    expect(final.events.filter((e) => e.startsWith('participantsAdded') || e.startsWith('threadUpdated'))).toEqual([]);
    await Promise.all([a.page.evaluate(() => globalThis.closePushSession?.()), b.page.evaluate(() => globalThis.closePushSession?.())]);
    await a.page.close();
    await b.page.close();
  }, 150_000);
});
