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
import { until } from '../support/until.js';

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
    // One trusted CA for chat and calls alike.
    clientOptions: emulatorClientOptions(emu),
  });
  sessions.push(session);
  const log: SessionEvent[] = [];
  const stop = new AbortController();
  void (async () => {
    for await (const event of session.events({ signal: stop.signal })) log.push(event);
  })();
  return Object.assign(session, { log });
}

/** Ada and Grace, each with a session, in one group call, each seeing the other. */
async function adaAndGraceInAGroupCall() {
  const [a, b] = await Promise.all([user(), user()]);
  const ada = await sessionFor(a, 'Ada');
  const grace = await sessionFor(b, 'Grace');
  const groupId = crypto.randomUUID();
  const adaCall = await ada.calls.join({ groupId });
  const graceCall = await grace.calls.join({ groupId });
  await until(() => adaCall.participants[b.communicationUserId] !== undefined && graceCall.participants[a.communicationUserId] !== undefined, 'both in');
  return { a, b, ada, grace, adaCall, graceCall };
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
    const { b, adaCall, graceCall } = await adaAndGraceInAGroupCall();
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

describe('the session state follows the call service', () => {
  it('goes reconnecting while the call-service socket is down and connected once the provider is back', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    await ada.calls.connect();
    const snapshots: string[] = [];
    ada.subscribe(() => {
      const { state, connectionError } = ada.getSnapshot();
      snapshots.push(`${state}:${connectionError?.code ?? '-'}`);
    });
    emu.callService.setAvailable(false);
    try {
      await ada.waitForState('reconnecting', { timeoutMs: 5_000 });
      expect(ada.getSnapshot().connectionError).toMatchObject({ code: 'CALLING_UNAVAILABLE', retryable: true });
      // The provider keeps trying (refused with 503) and the session stays reconnecting meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(ada.state).toBe('reconnecting');
    } finally {
      emu.callService.setAvailable(true);
    }
    await ada.waitForState('connected', { timeoutMs: 5_000 });
    expect(snapshots).toEqual(['reconnecting:CALLING_UNAVAILABLE', 'connected:-']);
    expect(ada.log.filter((e) => e.type === 'stateChanged').map((e) => e.type === 'stateChanged' && `${e.state}/${e.reason}`)).toEqual([
      'reconnecting/connectionLost',
      'connected/connectionRestored',
    ]);
    // Back for real: it rings again.
    const grace = await sessionFor(await user(), 'Grace');
    const ring = ada.waitFor('incomingCall', { timeoutMs: 5_000 });
    const call = await grace.calls.start([ada.user]);
    await ring;
    await call.hangUp();
  });

  it('stays reconnecting until chat and calls are both reachable again', async () => {
    const who = await user();
    const ada = await createSession({
      endpoint: emu.endpoint,
      token: async () => (await identity.getToken(who, ['chat', 'voip'])).token,
      chat: { pollIntervalMs: 50 },
      clientOptions: { ...emulatorClientOptions(emu), retryOptions: { maxRetries: 0 } },
    });
    sessions.push(ada);
    await ada.calls.connect();
    await ada.chat.createThread({ topic: 'reachability' });
    ada.on('messageReceived', () => undefined); // chat polling runs
    const states: string[] = [];
    ada.on('stateChanged', (e) => states.push(e.state));
    const chatDown = emu.faults.inject({ path: '/chat/**', status: 503, times: 10_000 });
    try {
      await ada.waitForState('reconnecting', { timeoutMs: 5_000 });
      expect(ada.getSnapshot().connectionError?.code).toBe('SERVICE_UNAVAILABLE');
      emu.callService.setAvailable(false);
      await until(() => ada.getSnapshot().connectionError?.code === 'CALLING_UNAVAILABLE', 'calls down too');
      emu.callService.setAvailable(true);
      // A join goes through only once the provider's socket is back (and said so).
      const call = await ada.calls.join({ groupId: crypto.randomUUID() });
      await call.hangUp();
      // Calls are back, chat is not: still reconnecting, and the error says why.
      expect(ada.state).toBe('reconnecting');
      expect(ada.getSnapshot().connectionError?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      emu.callService.setAvailable(true);
      chatDown.cancel();
    }
    await ada.waitForState('connected', { timeoutMs: 10_000 });
    expect(ada.getSnapshot().connectionError).toBeUndefined();
    expect(states).toEqual(['reconnecting', 'connected']);
  });
});

describe('a token that stops being good mid-call', () => {
  it('revoked: the call ends as tokenInvalid (495/4507), the session refreshes its token, reconnects and rings again', async () => {
    const { a, ada, grace, adaCall, graceCall } = await adaAndGraceInAGroupCall();
    const refreshed = ada.waitFor('tokenRefreshed', { timeoutMs: 5_000 });

    emu.revokeTokens(a);

    await until(() => adaCall.state === 'disconnected', 'ada ended');
    expect(adaCall.endReason).toMatchObject({ kind: 'tokenInvalid', code: 495, subCode: 4507 });
    expect(ada.log.find((e) => e.type === 'callEnded')).toMatchObject({ reason: { kind: 'tokenInvalid' } });
    await until(() => graceCall.participants[a.communicationUserId] === undefined, 'grace sees ada leave');
    expect(graceCall.state).toBe('connected');
    // The provider reported the refusal: the refresher fetched a token issued after the revocation.
    await refreshed;
    await ada.waitForState('connected', { timeoutMs: 5_000 });
    const states = ada.log.filter((e) => e.type === 'stateChanged').map((e) => e.type === 'stateChanged' && `${e.state}/${e.reason}`);
    expect(states).toContain('reconnecting/connectionLost');
    expect(states.at(-1)).toBe('connected/connectionRestored');
    // With the new token the session is back in the call service: it rings.
    const ring = ada.waitFor('incomingCall', { timeoutMs: 5_000 });
    const call = await grace.calls.start([a]);
    await ring;
    await call.hangUp();
    await graceCall.hangUp();
  });

  it('a ringing session whose token is revoked stops ringing with tokenInvalid', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    await grace.calls.connect();
    const ring = grace.waitFor('incomingCall', { timeoutMs: 5_000 });
    const call = await ada.calls.start([b]);
    await ring;
    const stopped = grace.waitFor('incomingCallEnded', { timeoutMs: 5_000 });
    emu.revokeTokens(b);
    expect((await stopped).reason).toMatchObject({ kind: 'tokenInvalid', code: 495, subCode: 4507 });
    await call.hangUp();
  });

  it('expired on the emulator clock: the call ends as tokenInvalid and the session comes back with a fresh token', async () => {
    const other = await startEmulator();
    try {
      const otherIdentity = identityClient(other);
      const who = await otherIdentity.createUser();
      const session = await createSession({
        endpoint: other.endpoint,
        token: async () => (await otherIdentity.getToken(who, ['voip'])).token,
        clientOptions: emulatorClientOptions(other),
      });
      sessions.push(session);
      const call = await session.calls.join({ groupId: crypto.randomUUID() });
      const ended = session.waitFor('callEnded', { timeoutMs: 5_000 });
      other.advanceClock(25 * 3_600_000);
      expect((await ended).reason).toMatchObject({ kind: 'tokenInvalid', code: 495, subCode: 4507 });
      expect(call.state).toBe('disconnected');
      // A token fetched now is issued on the emulator's (advanced) clock: the provider gets back in.
      await session.waitForState('reconnecting', { timeoutMs: 5_000 });
      expect(session.getSnapshot().connectionError?.code).toBe('UNAUTHORIZED');
      await session.waitForState('connected', { timeoutMs: 5_000 });
      const again = await session.calls.join({ groupId: crypto.randomUUID() });
      expect(again.state).not.toBe('disconnected');
      await again.hangUp();
    } finally {
      await other.close();
    }
  });
});

describe('call.addParticipant', () => {
  it('rings a third user into a running 1:1 call; they accept and everyone sees three', async () => {
    const [a, b, c] = await Promise.all([user(), user(), user()]);
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    const alan = await sessionFor(c, 'Alan');
    await Promise.all([grace.calls.connect(), alan.calls.connect()]);
    const graceRing = grace.waitFor('incomingCall', { timeoutMs: 5_000 });
    const adaCall = await ada.calls.start([b]);
    const graceCall = await (await graceRing).incomingCall.accept();
    await until(() => adaCall.state === 'connected', 'ada connected');

    const alanRing = alan.waitFor('incomingCall', { timeoutMs: 5_000 });
    await graceCall.addParticipant(c);
    const { incomingCall } = await alanRing;
    expect(incomingCall).toMatchObject({ id: adaCall.id, caller: { rawId: b.communicationUserId, displayName: 'Grace' } });
    await until(() => adaCall.participants[c.communicationUserId]?.state === 'ringing', 'ada sees alan ringing');
    const alanCall = await incomingCall.accept();
    expect(alanCall.id).toBe(adaCall.id);
    await until(() => adaCall.participants[c.communicationUserId]?.state === 'connected', 'ada sees alan connected');
    await until(() => Object.keys(alanCall.participants).length === 2, 'alan sees both');
    expect(alanCall.participants[a.communicationUserId]).toMatchObject({ displayName: 'Ada', state: 'connected' });
    expect(ada.log.some((e) => e.type === 'participantJoined' && e.participant.rawId === c.communicationUserId)).toBe(true);

    // Someone already there, or someone with no session online, is refused.
    await expect(adaCall.addParticipant(c)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(adaCall.addParticipant(await user())).rejects.toMatchObject({ code: 'CALL_FAILED', acsCode: 'Unreachable' });

    // One leaving a three-way ad-hoc call does not end it for the other two.
    await graceCall.hangUp();
    await until(() => adaCall.participants[b.communicationUserId] === undefined, 'grace left');
    expect(adaCall.state).toBe('connected');
    await adaCall.hangUp();
    await until(() => alanCall.state === 'disconnected', 'alan ended');
    expect(emu.activeCallCount).toBe(0);
  });

  it('adds a phone (with alternateCallerId) that the simulated phone answers', async () => {
    const groupId = crypto.randomUUID();
    const ada = await sessionFor(await user(), 'Ada');
    const call = await ada.calls.join({ groupId });
    await expect(call.addParticipant({ phoneNumber: '+15559870001' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await call.addParticipant({ phoneNumber: '+15559870001' }, { alternateCallerId: '+15550001111' });
    const ring = await emu.phones.waitForRing('+15559870001', { timeoutMs: 5_000 });
    expect(ring).toMatchObject({ callId: call.id, from: '+15550001111', state: 'ringing' });
    await until(() => call.participants['4:+15559870001']?.state === 'ringing', 'phone ringing');
    emu.phones.answer('+15559870001');
    await until(() => call.participants['4:+15559870001']?.state === 'connected', 'phone connected');
    await call.sendDtmf('7');
    expect(emu.phones.get('+15559870001')?.dtmf).toBe('7');
    emu.phones.hangUp('+15559870001');
    await until(() => call.participants['4:+15559870001'] === undefined, 'phone left');
    expect(call.state).toBe('connected');
    await call.hangUp();
  });
});

describe('call.chat', () => {
  it('two sessions join an emulator meeting and talk through call.chat, the meeting thread they were added to', async () => {
    const [a, b] = await Promise.all([user(), user()]);
    const meeting = emu.meetings.create({ organizer: a, topic: 'Stand-up' });
    expect(meeting.threadId).toMatch(/^19:meeting_[A-Za-z0-9_-]+@thread\.v2$/);
    expect(meeting.meetingLink).toBe(
      `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(meeting.threadId)}/0?context=${encodeURIComponent(JSON.stringify({ Tid: emu.resourceId, Oid: a.communicationUserId }))}`,
    );
    const ada = await sessionFor(a, 'Ada');
    const grace = await sessionFor(b, 'Grace');
    const adaCall = await ada.calls.join({ meetingLink: meeting.meetingLink });
    const graceCall = await grace.calls.join({ meetingLink: meeting.meetingLink });
    expect(graceCall.id).toBe(adaCall.id);
    await until(() => adaCall.participants[b.communicationUserId]?.state === 'connected', 'ada sees grace');
    expect(adaCall.chat?.id).toBe(meeting.threadId);
    expect(graceCall.chat?.id).toBe(meeting.threadId);

    // Joining the call made Grace a member of the meeting's chat.
    const members: string[] = [];
    for await (const p of graceCall.chat?.participants.list() ?? []) members.push(p.id.rawId);
    expect(members.sort()).toEqual([a.communicationUserId, b.communicationUserId].sort());
    expect((await graceCall.chat?.properties())?.topic).toBe('Stand-up');
    const received = grace.waitFor('messageReceived', { timeoutMs: 10_000, filter: (e) => e.threadId === meeting.threadId && e.message.type === 'text' });
    const sent = await adaCall.chat?.send('Can everyone hear me?');
    expect((await received).message).toMatchObject({ id: sent?.id, content: 'Can everyone hear me?', sender: { rawId: a.communicationUserId } });
    await graceCall.chat?.send('Loud and clear');
    const seen: string[] = [];
    for await (const m of adaCall.chat?.messages() ?? []) if (m.type === 'text') seen.push(m.content ?? '');
    expect(seen).toEqual(['Loud and clear', 'Can everyone hear me?']);

    await adaCall.hangUp({ forEveryone: true });
    await until(() => graceCall.state === 'disconnected', 'grace ended');
  });

  it('is undefined for calls without a thread; an unknown meeting is CALL_FAILED; chat: false gives no call.chat', async () => {
    const ada = await sessionFor(await user(), 'Ada');
    const group = await ada.calls.join({ groupId: crypto.randomUUID() });
    expect(group.chat).toBeUndefined();
    await group.hangUp();
    await expect(ada.calls.join({ meetingLink: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_nope%40thread.v2/0' })).rejects.toMatchObject({
      code: 'CALL_FAILED',
    });
    const who = await user();
    const meeting = emu.meetings.create({ organizer: who });
    const noChat = await createSession({
      endpoint: emu.endpoint,
      token: async () => (await identity.getToken(who, ['voip'])).token,
      chat: false,
      clientOptions: emulatorClientOptions(emu),
    });
    sessions.push(noChat);
    const call = await noChat.calls.join({ meetingLink: meeting.meetingLink });
    expect(call.chat).toBeUndefined();
    await call.hangUp();
    expect(() => emu.meetings.create({ organizer: 'nobody' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
