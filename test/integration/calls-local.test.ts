import type { CommunicationUserIdentifier } from '@azure/communication-common';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession, type Session, type SessionEvent } from '../../src/index.js';
import { dataTransportOf } from '../../src/calling/call.js';
import { identityClient } from '../support/emulatorClients.js';

// The local calling provider end to end: real sessions (token fetchers backed by the real identity
// client) talking through the emulator's call service over WSS.
let emu: Emulator;
let identity: CommunicationIdentityClient;
const sessions: Session[] = [];

beforeAll(async () => {
  emu = await startEmulator({ calling: { ringTimeoutMs: 300 } });
  identity = identityClient(emu);
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await emu.close();
});

async function user(): Promise<CommunicationUserIdentifier> {
  return identity.createUser();
}

async function sessionFor(who: CommunicationUserIdentifier, displayName: string): Promise<Session & { log: SessionEvent[] }> {
  const session = await createSession({
    endpoint: emu.endpoint,
    token: async () => (await identity.getToken(who, ['chat', 'voip'])).token,
    displayName,
    calling: { ...emulatorClientOptions(emu) },
  });
  sessions.push(session);
  const log: SessionEvent[] = [];
  const stop = new AbortController();
  void (async () => {
    for await (const event of session.events({ signal: stop.signal })) log.push(event);
  })();
  return Object.assign(session, { log });
}

function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('local calling provider', () => {
  it('picks the local provider for the emulator endpoint', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    expect(ada.calls.provider).toBe('local');
  });

  it('three sessions in a group call: join, mute, leave, hang up for everyone', async () => {
    const [a, b, c] = await Promise.all([user(), user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    const alan = await sessionFor(c, 'Alan');
    const groupId = crypto.randomUUID();

    const adaCall = await ada.calls.join({ groupId });
    expect(adaCall.id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => adaCall.state === 'connected', 'ada connected');
    const graceCall = await grace.calls.join({ groupId });
    expect(graceCall.id).toBe(adaCall.id);
    await until(() => Object.keys(adaCall.participants).length === 1, 'ada sees grace');
    expect(adaCall.participants[b.communicationUserId]).toMatchObject({ displayName: 'Grace', state: 'connected', isMuted: false, isSpeaking: false });
    expect(ada.log.some((e) => e.type === 'participantJoined' && e.participant.rawId === b.communicationUserId)).toBe(true);

    const alanCall = await alan.calls.join({ groupId });
    await until(() => Object.keys(graceCall.participants).length === 2, 'grace sees two');

    await graceCall.mute();
    expect(graceCall.isMuted).toBe(true);
    await until(() => adaCall.participants[b.communicationUserId]?.isMuted === true, 'ada sees grace muted');
    const update = ada.log.find((e) => e.type === 'participantUpdated');
    expect(update).toMatchObject({ changes: ['isMuted'], participant: { isMuted: true }, previous: { isMuted: false } });
    await graceCall.unmute();
    await until(() => adaCall.participants[b.communicationUserId]?.isMuted === false, 'ada sees grace unmuted');

    await alanCall.hangUp();
    expect(alanCall.state).toBe('disconnected');
    expect(alanCall.endReason).toMatchObject({ kind: 'hungUp', code: 0, subCode: 0 });
    await until(() => adaCall.participants[c.communicationUserId] === undefined, 'alan left');
    expect(ada.log.some((e) => e.type === 'participantLeft' && e.participant.rawId === c.communicationUserId)).toBe(true);
    expect(adaCall.state).toBe('connected');

    await adaCall.hangUp({ forEveryone: true });
    expect(adaCall.endReason?.kind).toBe('hungUp');
    await until(() => graceCall.state === 'disconnected', 'grace ended');
    expect(graceCall.endReason).toMatchObject({ kind: 'endedForEveryone', code: 0, subCode: 4097 });
    expect(grace.log.find((e) => e.type === 'callEnded')).toMatchObject({ reason: { kind: 'endedForEveryone' } });
    expect(grace.calls.list()).toEqual([]);
    expect(emu.activeCallCount).toBe(0);
  });

  it('a 1:1 call rings every session of the callee; the one that accepts gets the call, the other stops ringing', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const graceLaptop = await sessionFor(b, 'Grace');
    const gracePhone = await sessionFor(b, 'Grace');
    await Promise.all([graceLaptop.calls.connect(), gracePhone.calls.connect()]);

    const ringLaptop = graceLaptop.waitFor('incomingCall', { timeoutMs: 5_000 });
    const ringPhone = gracePhone.waitFor('incomingCall', { timeoutMs: 5_000 });
    const call = await ada.calls.start([b]);
    expect(call.direction).toBe('outgoing');
    const [laptop, phone] = await Promise.all([ringLaptop, ringPhone]);
    expect(laptop.incomingCall.caller).toMatchObject({ rawId: a.communicationUserId, displayName: 'Ada' });
    expect(laptop.incomingCall.id).toBe(call.id);
    await until(() => call.state === 'ringing', 'caller ringing');
    expect(call.participants[b.communicationUserId]?.state).toBe('ringing');

    const stopped = gracePhone.waitFor('incomingCallEnded', { timeoutMs: 5_000 });
    const accepted = await laptop.incomingCall.accept();
    expect(accepted.direction).toBe('incoming');
    expect((await stopped).reason.kind).toBe('answeredElsewhere');
    expect(gracePhone.calls.incoming()).toEqual([]);
    await until(() => call.state === 'connected' && accepted.state === 'connected', 'both connected');
    expect(accepted.participants[a.communicationUserId]?.displayName).toBe('Ada');
    await expect(phone.incomingCall.accept()).rejects.toMatchObject({ code: 'CALL_ENDED' });

    await accepted.hangUp();
    await until(() => call.state === 'disconnected', 'caller ended');
    expect(call.endReason?.kind).toBe('hungUp');
    const states = ada.log.filter((e) => e.type === 'callStateChanged').map((e) => (e.type === 'callStateChanged' ? e.state : ''));
    expect(states).toEqual(['ringing', 'connected', 'disconnected']);
  });

  it('a declined call ends as declined on the caller', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    await grace.calls.connect();
    const ring = grace.waitFor('incomingCall', { timeoutMs: 5_000 });
    const call = await ada.calls.start([{ id: b.communicationUserId, displayName: 'Grace' }]);
    const { incomingCall } = await ring;
    const ended = grace.waitFor('incomingCallEnded', { timeoutMs: 5_000 });
    await incomingCall.reject();
    expect((await ended).reason.kind).toBe('declined');
    await until(() => call.state === 'disconnected', 'caller ended');
    expect(call.endReason).toMatchObject({ kind: 'declined', code: 603, subCode: 0 });
  });

  it('an unanswered call ends as notAnswered on both sides after the ring timeout', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    await grace.calls.connect();
    const ended = grace.waitFor('incomingCallEnded', { timeoutMs: 5_000 });
    const call = await ada.calls.start([b]);
    expect((await ended).reason).toMatchObject({ kind: 'notAnswered', code: 487, subCode: 10004 });
    await until(() => call.state === 'disconnected', 'caller ended');
    expect(call.endReason?.kind).toBe('notAnswered');
    expect(ada.log.find((e) => e.type === 'callEnded')).toMatchObject({ reason: { kind: 'notAnswered' } });
  });

  it('calling someone with no session online ends as unreachable', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const call = await ada.calls.start([b]);
    await until(() => call.state === 'disconnected', 'caller ended');
    expect(call.endReason).toMatchObject({ kind: 'unreachable', code: 480, subCode: 10037 });
  });

  it('a PSTN call rings the simulated phone, which answers, receives DTMF and hangs up', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    await expect(ada.calls.start([{ phoneNumber: '+15551234567' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const call = await ada.calls.start(['4:+15551234567'], { alternateCallerId: '+15550001111' });
    const ring = await emu.phones.waitForRing('+15551234567', { timeoutMs: 5_000 });
    expect(ring).toMatchObject({ callId: call.id, from: '+15550001111', state: 'ringing' });
    await until(() => call.participants['4:+15551234567']?.state === 'ringing', 'phone ringing');
    expect(call.participants['4:+15551234567']?.identifier).toMatchObject({ kind: 'phoneNumber', phoneNumber: '+15551234567' });
    emu.phones.answer('+15551234567');
    await until(() => call.state === 'connected', 'connected');
    await call.sendDtmf('1');
    await call.sendDtmf('#');
    expect(emu.phones.get('+15551234567')?.dtmf).toBe('1#');
    emu.phones.hangUp('+15551234567');
    await until(() => call.state === 'disconnected', 'ended');
    expect(call.endReason?.kind).toBe('hungUp');
    expect(emu.phones.list()).toEqual([]);
  });

  it('operations without media fail with NOT_SUPPORTED; Teams meetings too', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    const call = await ada.calls.join({ groupId: crypto.randomUUID() });
    await expect(call.startVideo()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(call.startScreenShare()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(ada.calls.join({ meetingLink: 'https://teams.microsoft.com/l/meetup-join/x' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(ada.calls.join({ groupId: 'not-a-guid' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await call.hold();
    expect(call.state).toBe('localHold');
    await call.resume();
    expect(call.state).toBe('connected');
  });

  it('removeParticipant ends the removed one with reason removed', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    const groupId = crypto.randomUUID();
    const adaCall = await ada.calls.join({ groupId });
    const graceCall = await grace.calls.join({ groupId });
    await until(() => adaCall.participants[b.communicationUserId] !== undefined, 'grace in');
    await adaCall.removeParticipant(b);
    await until(() => graceCall.state === 'disconnected', 'grace removed');
    expect(graceCall.endReason).toMatchObject({ kind: 'removed', code: 0, subCode: 5000 });
    expect(adaCall.state).toBe('connected');
  });

  it('relays data frames to everyone or to listed participants, within 32 768 bytes, and reports who left', async () => {
    const [a, b, c] = await Promise.all([user(), user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    const alan = await sessionFor(c, 'Alan');
    const groupId = crypto.randomUUID();
    const adaCall = await ada.calls.join({ groupId });
    const graceCall = await grace.calls.join({ groupId });
    const alanCall = await alan.calls.join({ groupId });
    await until(() => Object.keys(adaCall.participants).length === 2, 'all in');
    const got: { who: string; from: string; size: number; reliability: string }[] = [];
    dataTransportOf(graceCall).onMessage((m) => got.push({ who: 'grace', from: m.from, size: m.bytes.length, reliability: m.reliability }));
    dataTransportOf(alanCall).onMessage((m) => got.push({ who: 'alan', from: m.from, size: m.bytes.length, reliability: m.reliability }));
    const left: string[] = [];
    dataTransportOf(adaCall).onParticipantLeft?.((rawId) => left.push(rawId));
    const transport = dataTransportOf(adaCall);
    expect(transport.maxMessageSize).toBe(32_768);
    await transport.send(new Uint8Array(32_768), { reliability: 'durable' });
    await transport.send(new Uint8Array([1]), { reliability: 'lossy', to: [c.communicationUserId] });
    await until(() => got.length === 3, 'frames');
    expect(got).toEqual([
      { who: 'grace', from: a.communicationUserId, size: 32_768, reliability: 'durable' },
      { who: 'alan', from: a.communicationUserId, size: 32_768, reliability: 'durable' },
      { who: 'alan', from: a.communicationUserId, size: 1, reliability: 'lossy' },
    ]);
    await expect(transport.send(new Uint8Array(32_769), { reliability: 'durable' })).rejects.toMatchObject({ code: 'DATA_TOO_LARGE' });
    await expect(transport.send(new Uint8Array(0), { reliability: 'durable' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await alanCall.hangUp();
    await until(() => left.length === 1, 'alan reported as left');
    expect(left).toEqual([c.communicationUserId]);
  });

  it('refuses a token without the voip scope with FORBIDDEN, and a revoked one with UNAUTHORIZED', async () => {
    const who = await user();
    const chatOnly = await createSession({
      endpoint: emu.endpoint,
      token: (await identity.getToken(who, ['chat'])).token,
      calling: { ...emulatorClientOptions(emu) },
    });
    sessions.push(chatOnly);
    await expect(chatOnly.calls.connect()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const revoked = await createSession({
      endpoint: emu.endpoint,
      token: (await identity.getToken(who, ['voip'])).token,
      calling: { ...emulatorClientOptions(emu) },
    });
    sessions.push(revoked);
    await identity.revokeTokens(who);
    await expect(revoked.calls.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('dispose ends live calls with callEnded and leaves the emulator with no call', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    const events: string[] = [];
    ada.on('callEnded', (e) => events.push(e.reason.kind));
    const call = await ada.calls.join({ groupId: crypto.randomUUID() });
    await ada.dispose();
    expect(call.state).toBe('disconnected');
    expect(events).toEqual(['hungUp']);
    await until(() => emu.activeCallCount === 0, 'service empty');
    await expect(ada.calls.join({ groupId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('local provider when the call service goes away', () => {
  it('reconnects by itself once the emulator is back, so the session rings again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'acs-calls-'));
    try {
      let current = await startEmulator({ dataDir });
      const port = current.port;
      const [a, b] = [await identityClient(current).createUser(), await identityClient(current).createUser()];
      const open = (who: CommunicationUserIdentifier) =>
        createSession({
          endpoint: current.endpoint,
          token: async () => (await identityClient(current).getToken(who, ['voip'])).token,
          calling: { ...emulatorClientOptions(current) },
        });
      const ada = await open(a);
      const grace = await open(b);
      sessions.push(ada, grace);
      await grace.calls.connect();
      await current.close();
      current = await startEmulator({ dataDir, port });
      // Grace did nothing since the restart; her session must ring all the same.
      const ring = grace.waitFor('incomingCall', { timeoutMs: 10_000 });
      // Until her socket is back the call service finds no session of hers: unreachable; try again.
      let call = await ada.calls.start([b]);
      for (let i = 0; i < 100; i++) {
        const settled = call;
        await until(() => settled.state === 'ringing' || settled.state === 'disconnected', 'the call rings or ends');
        if (call.state === 'ringing') break;
        expect(call.endReason?.kind).toBe('unreachable');
        await new Promise((r) => setTimeout(r, 50));
        call = await ada.calls.start([b]);
      }
      expect((await ring).incomingCall.caller.rawId).toBe(a.communicationUserId);
      await call.hangUp();
      await current.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ends live calls as connectionLost and refuses new ones with CALLING_UNAVAILABLE', async () => {
    const other = await startEmulator();
    const who = await identityClient(other).createUser();
    const session = await createSession({
      endpoint: other.endpoint,
      token: async () => (await identityClient(other).getToken(who, ['voip'])).token,
      calling: { ...emulatorClientOptions(other) },
    });
    sessions.push(session);
    const call = await session.calls.join({ groupId: crypto.randomUUID() });
    const ended = session.waitFor('callEnded', { timeoutMs: 5_000 });
    await other.close();
    expect((await ended).reason).toMatchObject({ kind: 'connectionLost' });
    expect(call.state).toBe('disconnected');
    await expect(session.calls.join({ groupId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'CALLING_UNAVAILABLE', retryable: true });
  });
});
