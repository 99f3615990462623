import type { CommunicationUserIdentifier } from '@azure/communication-common';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataTransportOf } from '../../src/calling/call.js';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { type Call, type CallingOptions, type CallIncomingFileEvent, createSession, type FileProgress, type Session } from '../../src/index.js';
import { identityClient } from '../support/emulatorClients.js';
import { until } from '../support/until.js';

// `call.data` as an app uses it: two Node sessions in a 1:1 call on the local provider, everything
// going through the emulator's call service over WSS.
let emu: Emulator;
let identity: CommunicationIdentityClient;
const sessions: Session[] = [];

beforeAll(async () => {
  emu = await startEmulator();
  identity = identityClient(emu);
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await emu.close();
});

async function sessionFor(who: CommunicationUserIdentifier, calling: CallingOptions = {}): Promise<Session> {
  const session = await createSession({
    endpoint: emu.endpoint,
    token: async () => (await identity.getToken(who, ['chat', 'voip'])).token,
    calling: { ...emulatorClientOptions(emu), ...calling },
  });
  sessions.push(session);
  return session;
}

/** Ada calls Grace, Grace accepts: both sides' calls, connected. */
async function oneToOne(
  calling: CallingOptions = {},
): Promise<{ ada: Session; grace: Session; adaCall: Call; graceCall: Call; a: CommunicationUserIdentifier; b: CommunicationUserIdentifier }> {
  const [a, b] = await Promise.all([identity.createUser(), identity.createUser()]);
  const [ada, grace] = await Promise.all([sessionFor(a, calling), sessionFor(b, calling)]);
  await grace.calls.connect();
  const ringing = grace.waitFor('incomingCall', { timeoutMs: 5_000 });
  const adaCall = await ada.calls.start([b]);
  const graceCall = await (await ringing).incomingCall.accept();
  await until(() => adaCall.state === 'connected' && graceCall.state === 'connected', 'both connected');
  return { ada, grace, adaCall, graceCall, a, b };
}

describe('call.data on the local provider', () => {
  it('carries 1 000 small messages in order, an RPC round trip with a typed remote error, and a 1 MB file with progress on both sides', async () => {
    const { grace, adaCall, graceCall, a, b } = await oneToOne();

    // 1 000 small ordered messages, sent without waiting: nothing lost, nothing twice, in order.
    const received: number[] = [];
    graceCall.data.channel<{ n: number }>('counter').on('message', ({ value, from }) => {
      expect(from.rawId).toBe(a.communicationUserId);
      received.push(value.n);
    });
    const counter = adaCall.data.channel<{ n: number }>('counter');
    await Promise.all(Array.from({ length: 1_000 }, (_, n) => counter.send({ n })));
    await until(() => received.length >= 1_000, '1 000 messages');
    expect(received).toEqual([...Array(1_000).keys()]);

    // RPC: a result, and a handler's error arriving as a typed error.
    graceCall.data.handle('sum', async (payload: number[], { from }) => {
      if (from.rawId !== a.communicationUserId) throw new Error('unexpected caller');
      if (payload.length === 0) throw Object.assign(new Error('nothing to add'), { code: 'EMPTY' });
      return payload.reduce((x, y) => x + y, 0);
    });
    expect(await adaCall.data.request('sum', [1, 2, 3], { to: b, timeoutMs: 5_000 })).toBe(6);
    await expect(adaCall.data.request('sum', [], { to: b, timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'RPC_REMOTE_ERROR' });
    await expect(adaCall.data.request('nope', {}, { to: b, timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });

    // A 1 MB file, accepted by a listener on the session stream (not on call.data).
    const file = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 256);
    const offered = new Promise<CallIncomingFileEvent>((resolve) => grace.once('incomingFile', resolve));
    const sent: FileProgress[] = [];
    const sending = adaCall.data.sendFile(file, { name: 'scan.bin', type: 'application/octet-stream', to: b, onProgress: (p) => sent.push(p) });
    const { call, file: incoming } = await offered;
    expect(call).toBe(graceCall);
    expect({ name: incoming.name, type: incoming.type, size: incoming.size, from: incoming.from.rawId }).toEqual({
      name: 'scan.bin',
      type: 'application/octet-stream',
      size: file.length,
      from: a.communicationUserId,
    });
    const got: number[] = [];
    incoming.onProgress(({ transferred }) => got.push(transferred));
    const [bytes] = await Promise.all([incoming.bytes(), sending]);
    // Buffer.equals: a deep equality over a million elements takes the test runner seconds.
    expect(bytes.length).toBe(file.length);
    expect(Buffer.from(bytes).equals(Buffer.from(file))).toBe(true);
    for (const progress of [sent.map((p) => p.transferred), got]) {
      expect(progress.length).toBeGreaterThan(10);
      expect(progress.every((n, i) => i === 0 || n > progress[i - 1]!)).toBe(true);
      expect(progress.at(-1)).toBe(file.length);
    }
  });

  it('reports frames a remote garbled as dataError on the session stream, with the call', async () => {
    const { grace, adaCall, graceCall, a } = await oneToOne();
    const dropped = grace.waitFor('dataError', { timeoutMs: 5_000 });
    await dataTransportOf(adaCall).send(new Uint8Array([0xff, 0xff, 0xff]), { reliability: 'durable' });
    const event = await dropped;
    expect(event.call).toBe(graceCall);
    expect(event.error.code).toBe('DATA_INVALID_FRAME');
    expect(event.from?.rawId).toBe(a.communicationUserId);
  });

  it('refuses a file nobody listens for, and closes call.data when the call ends (pending work fails, nothing left)', async () => {
    const { adaCall, graceCall, b } = await oneToOne();
    // The refusal comes back while the file is still being sent (its second piece waits for it).
    async function* slowFile() {
      yield new Uint8Array(1_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      yield new Uint8Array(1_000);
    }
    await expect(adaCall.data.sendFile(slowFile(), { name: 'x.bin', to: b })).rejects.toMatchObject({ code: 'TRANSFER_CANCELLED' });

    graceCall.data.handle('slow', () => new Promise(() => undefined));
    const pending = adaCall.data.request('slow', {}, { to: b, timeoutMs: 30_000 });
    const failed = expect(pending).rejects.toMatchObject({ code: 'DISPOSED' }); // handled before it rejects
    await adaCall.hangUp();
    await failed;
    expect(adaCall.data.closed).toBe(true);
    await until(() => graceCall.state === 'disconnected', 'grace sees the end');
    expect(graceCall.data.closed).toBe(true);
    expect(() => adaCall.data.channel('late')).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('calling: { data: false } leaves call.data out, and says so', async () => {
    const { adaCall } = await oneToOne({ data: false });
    expect(() => adaCall.data).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
  });

  it('bad calling.data limits fail createSession with INVALID_OPTIONS', async () => {
    const who = await identity.createUser();
    await expect(sessionFor(who, { data: { maxMessageBytes: -1 } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('calling.data: Invalid call data options: maxMessageBytes must be a positive integer'),
    });
  });
});
