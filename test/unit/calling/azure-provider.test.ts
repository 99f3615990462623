import type { CommunicationTokenCredential } from '@azure/communication-common';
import { describe, expect, it, vi } from 'vitest';
import { AzureProvider, type AzureProviderOptions } from '../../../src/calling/azure/azure-provider.js';
import { type EmitCallEvent, dataTransportOf } from '../../../src/calling/call.js';
import { createCallData } from '../../../src/data/call-data.js';
import { encodeMessage, topicId } from '../../../src/data/frame.js';
import type { TransportMessage } from '../../../src/data/transport.js';
import { SessionCallsImpl } from '../../../src/calling/calls.js';
import { createCallingProvider } from '../../../src/calling/create-provider.js';
import type { CallEvents } from '../../../src/calling/events.js';
import type { ProviderContext } from '../../../src/calling/provider.js';
import { FakeCall, FakeIncomingCall, FakeReceiver, FakeRemoteParticipant, fakeSdk } from './azure-fakes.js';

const credential: CommunicationTokenCredential = {
  getToken: async () => ({ token: 'jwt', expiresOnTimestamp: Date.now() + 3_600_000 }),
  dispose: () => undefined,
};
const ADA = '8:acs:r_ada';
const GRACE = '8:acs:r_grace';

type CallEvent = CallEvents[keyof CallEvents];

function setup({
  data = {},
  chatThread,
  ...options
}: Omit<AzureProviderOptions, 'loadSdk' | 'dataChannel'> & { data?: false | object; chatThread?: (threadId: string) => undefined } = {}) {
  const fake = fakeSdk();
  const loadSdk = vi.fn(async () => fake.sdk);
  const events: CallEvent[] = [];
  const tokenRejected = vi.fn();
  const connectivity = vi.fn();
  const reportError = vi.fn();
  let provider: AzureProvider | undefined;
  const emit: EmitCallEvent = (event) => events.push(event);
  const calls = new SessionCallsImpl({
    calling: { provider: 'azure', iceServers: undefined, ca: undefined, loadSdk: undefined, data },
    chatThread,
    createProvider: async (context: ProviderContext) => (provider = new AzureProvider(context, { ...options, loadSdk, dataChannel: data !== false })),
    emit,
    hasListener: () => false,
    context: {
      endpoint: 'https://r.communication.azure.com',
      displayName: 'Ada',
      selfRawId: () => ADA,
      credential,
      getToken: async () => 'jwt',
      reportError,
      tokenRejected,
      connectivity,
    },
  });
  const agent = () => {
    const made = fake.clients[0]?.agent;
    if (!made) throw new Error('no agent yet');
    return made;
  };
  return { fake, loadSdk, events, calls, agent, tokenRejected, connectivity, reportError, provider: () => provider };
}

const types = (events: CallEvent[]) => events.map((e) => e.type);

/** A connected provider and one call joined on it, with the fake SDK call under it. */
async function joined(options: Parameters<typeof setup>[0] = {}) {
  const harness = setup(options);
  await harness.calls.connect();
  const fakeCall = harness.agent().nextCall;
  const call = await harness.calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
  return { ...harness, fakeCall, call };
}

describe('azure provider', () => {
  it('loads the SDK only on first use, and makes one CallClient and one CallAgent however many callers race', async () => {
    const { calls, loadSdk, fake, agent } = setup({ iceServers: [{ urls: ['turn:turn.example.com'], username: 'u', credential: 'p' }] });
    expect(loadSdk).not.toHaveBeenCalled();
    await Promise.all([calls.connect(), calls.connect(), calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })]);
    expect(loadSdk).toHaveBeenCalledTimes(1);
    expect(fake.clients).toHaveLength(1);
    expect(fake.log.filter((l) => l === 'createCallAgent')).toHaveLength(1);
    expect(fake.clients[0]?.options).toEqual({
      networkConfiguration: { turn: { iceServers: [{ urls: ['turn:turn.example.com'], username: 'u', credential: 'p' }] } },
    });
    expect(agent().credential).toBe(credential);
    expect(agent().options).toEqual({ displayName: 'Ada' });
    await calls.dispose();
  });

  it("turns the SDK's payload-less events into payload-carrying call and participant events", async () => {
    const { calls, events, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.start([GRACE, { phoneNumber: '+15551234567' }], { alternateCallerId: '+15550001111', audio: { muted: true } });
    expect(agent().started[0]).toEqual({
      participants: [
        { kind: 'communicationUser', communicationUserId: GRACE, rawId: GRACE },
        { kind: 'phoneNumber', phoneNumber: '+15551234567', rawId: '4:+15551234567' },
      ],
      options: { audioOptions: { muted: true }, alternateCallerId: { phoneNumber: '+15550001111' } },
    });
    expect(call.id).toBe('call-1');
    expect(types(events)).toEqual(['callStarted']);

    fakeCall.moveTo('Ringing');
    const grace = new FakeRemoteParticipant(GRACE, 'Grace');
    fakeCall.join(grace);
    fakeCall.moveTo('Connected');
    expect(events.slice(1)).toMatchObject([
      { type: 'callStateChanged', state: 'ringing', previous: 'connecting' },
      { type: 'participantJoined', participant: { rawId: GRACE, displayName: 'Grace', state: 'connected', isMuted: false } },
      { type: 'callStateChanged', state: 'connected', previous: 'ringing' },
    ]);

    grace.isMuted = true;
    grace.events.emit('isMutedChanged');
    grace.isSpeaking = true;
    grace.events.emit('isSpeakingChanged');
    expect(events.slice(4)).toMatchObject([
      { type: 'participantUpdated', changes: ['isMuted'], participant: { isMuted: true }, previous: { isMuted: false } },
      { type: 'participantUpdated', changes: ['isSpeaking'], participant: { isSpeaking: true } },
    ]);
    expect(call.participants[GRACE]).toMatchObject({ isMuted: true, isSpeaking: true, identifier: { kind: 'communicationUser' } });

    await call.mute();
    expect(call.isMuted).toBe(true);
    await call.sendDtmf('#');
    await call.removeParticipant(GRACE);
    expect(fakeCall.calls).toEqual(['dtmf:Pound', `remove:${JSON.stringify({ kind: 'communicationUser', communicationUserId: GRACE, rawId: GRACE })}`]);

    fakeCall.leave(grace);
    expect(events.at(-1)).toMatchObject({ type: 'participantLeft', participant: { rawId: GRACE } });
    expect(grace.events.count).toBe(0);
    await calls.dispose();
  });

  it("reports the SDK's initial None state as connecting, without a state change", async () => {
    const { calls, events, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    fakeCall.state = 'None';
    const call = await calls.join({ roomId: 'r' });
    expect(call.state).toBe('connecting');
    fakeCall.moveTo('Connecting');
    fakeCall.moveTo('Connected');
    expect(types(events)).toEqual(['callStarted', 'callStateChanged']);
    expect(events.at(-1)).toMatchObject({ state: 'connected', previous: 'connecting' });
    await calls.dispose();
  });

  it('maps the end reason and removes every listener when a call ends', async () => {
    const { calls, events, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.start([GRACE]);
    const grace = new FakeRemoteParticipant(GRACE);
    fakeCall.join(grace);
    expect(fakeCall.listenerCount).toBeGreaterThan(0);
    fakeCall.moveTo('Disconnected', { code: 487, subCode: 10004 });
    expect(call.state).toBe('disconnected');
    expect(call.endReason).toEqual({ kind: 'notAnswered', code: 487, subCode: 10004, message: 'Nobody answered the call in time.' });
    expect(events.at(-1)).toMatchObject({ type: 'callEnded', reason: { kind: 'notAnswered' } });
    expect(fakeCall.listenerCount).toBe(0);
    expect(calls.list()).toEqual([]);
    await calls.dispose();
  });

  it('addParticipant rings ACS users, Teams users and phones (with alternateCallerId) into the running call', async () => {
    const { calls, events, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.start([GRACE]);
    fakeCall.join(new FakeRemoteParticipant(GRACE));
    fakeCall.moveTo('Connected');
    await call.addParticipant('8:acs:r_alan');
    await call.addParticipant({ microsoftTeamsUserId: 'f00d' });
    await call.addParticipant({ phoneNumber: '+15551234567' }, { alternateCallerId: '+15550001111' });
    expect(fakeCall.added).toEqual([
      { identifier: { kind: 'communicationUser', communicationUserId: '8:acs:r_alan', rawId: '8:acs:r_alan' }, options: undefined },
      { identifier: expect.objectContaining({ kind: 'microsoftTeamsUser', microsoftTeamsUserId: 'f00d' }), options: undefined },
      {
        identifier: { kind: 'phoneNumber', phoneNumber: '+15551234567', rawId: '4:+15551234567' },
        options: { alternateCallerId: { phoneNumber: '+15550001111' } },
      },
    ]);
    expect(call.participants['8:acs:r_alan']).toMatchObject({ state: 'connecting' });
    expect(call.participants['4:+15551234567']).toMatchObject({ state: 'connecting' });
    expect(events.filter((e) => e.type === 'participantJoined')).toHaveLength(4);
    // Refused before the SDK sees it: a phone without a caller id, someone already there, a bot.
    await expect(call.addParticipant({ phoneNumber: '+15557654321' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call.addParticipant(GRACE)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call.addParticipant({ teamsAppId: 'bot' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(fakeCall.added).toHaveLength(3);
    // The SDK throws synchronously; its codes are kept.
    fakeCall.addParticipant = () => {
      throw Object.assign(new Error('Participant limit reached'), { code: 403, subCode: 10131 });
    };
    await expect(call.addParticipant('8:acs:r_bob')).rejects.toMatchObject({ code: 'CALL_FAILED', acsCode: '403', acsSubCode: 10131 });
    await call.hangUp();
    await expect(call.addParticipant('8:acs:r_bob')).rejects.toMatchObject({ code: 'CALL_ENDED' });
    await calls.dispose();
  });

  it('hangUp resolves once disconnected, with forEveryone passed through', async () => {
    const { calls, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.join({ roomId: 'room-1' });
    expect(agent().joined).toEqual([{ roomId: 'room-1' }]);
    fakeCall.moveTo('Connected');
    await call.hangUp({ forEveryone: true });
    expect(fakeCall.calls).toEqual(['hangUp:true']);
    expect(call.endReason?.kind).toBe('hungUp');
    await expect(call.mute()).rejects.toMatchObject({ code: 'CALL_ENDED' });
    await calls.dispose();
  });

  it('starts, joins and accepts with video from the first camera when asked', async () => {
    const { calls, agent } = setup();
    await calls.connect();
    await calls.start([GRACE], { video: true });
    expect(agent().started[0]?.options).toEqual({ videoOptions: { localVideoStreams: [{ source: expect.objectContaining({ id: 'cam-front' }) }] } });
    agent().nextCall = new FakeCall('call-2');
    await calls.join({ roomId: 'r' }, { video: true, audio: { muted: true } });
    expect(agent().joined).toEqual([{ roomId: 'r' }]);
    await calls.dispose();
  });

  it('video on a chosen camera, screen sharing, hold', async () => {
    const { calls, fakeCall, call } = await joined();
    await call.startVideo({ cameraId: 'cam-back' });
    expect(fakeCall.localVideoStreams).toEqual([{ source: expect.objectContaining({ id: 'cam-back' }) }]);
    expect(call.getSnapshot().isVideoOn).toBe(true);
    await expect(call.startVideo({ cameraId: 'nope' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await call.stopVideo();
    expect(call.getSnapshot().isVideoOn).toBe(false);
    await call.startScreenShare();
    expect(call.getSnapshot().isScreenSharing).toBe(true);
    await call.hold();
    expect(call.state).toBe('localHold');
    await call.resume();
    expect(call.state).toBe('connected');
    await calls.dispose();
  });

  it('rings incoming calls, accepts one, and reports one that ended while ringing', async () => {
    const { calls, events, agent } = setup();
    await calls.connect();
    const answered = new FakeCall('call-in');
    const first = new FakeIncomingCall('call-in', { identifier: { kind: 'communicationUser', communicationUserId: GRACE }, displayName: 'Grace' }, answered);
    agent().events.emit('incomingCall', { incomingCall: first });
    const ring = events.at(-1);
    if (ring?.type !== 'incomingCall') throw new Error('expected incomingCall');
    expect(ring.incomingCall.caller).toMatchObject({ rawId: GRACE, displayName: 'Grace' });
    const call = await ring.incomingCall.accept();
    expect(call.direction).toBe('incoming');
    expect(first.events.count).toBe(0);

    const second = new FakeIncomingCall('call-2', { identifier: { kind: 'phoneNumber', phoneNumber: '+15551234567' } }, new FakeCall('call-2'));
    agent().events.emit('incomingCall', { incomingCall: second });
    second.end(487, 0);
    expect(events.at(-1)).toMatchObject({ type: 'incomingCallEnded', reason: { kind: 'cancelled' }, incomingCall: { caller: { rawId: '4:+15551234567' } } });
    expect(second.events.count).toBe(0);
    expect(calls.incoming()).toEqual([]);
    await calls.dispose();
  });

  it("feeds the agent's connection state to the session: Disconnected is a lost connection, invalidToken also a rejected token", async () => {
    const { calls, agent, tokenRejected, connectivity, reportError } = setup();
    await calls.connect();
    expect(connectivity).toHaveBeenCalledExactlyOnceWith(true); // the agent came up Connected
    agent().connectionState = 'Disconnected';
    agent().events.emit('connectionStateChanged', { newValue: 'Disconnected', oldValue: 'Connected', reason: 'connectionIssue' });
    expect(connectivity).toHaveBeenLastCalledWith(false, expect.objectContaining({ code: 'NETWORK_ERROR', retryable: true }));
    expect(tokenRejected).not.toHaveBeenCalled();
    agent().connectionState = 'Connected';
    agent().events.emit('connectionStateChanged', { newValue: 'Connected', oldValue: 'Disconnected' });
    expect(connectivity).toHaveBeenLastCalledWith(true);
    agent().events.emit('connectionStateChanged', { newValue: 'Disconnected', oldValue: 'Connected', reason: 'invalidToken' });
    expect(tokenRejected).toHaveBeenCalledTimes(1);
    expect(connectivity).toHaveBeenNthCalledWith(4, false, expect.objectContaining({ code: 'UNAUTHORIZED' }));
    // The state is the session's to show; nothing goes out as an error event.
    expect(reportError).not.toHaveBeenCalled();
    await calls.dispose();
    expect(agent().events.count).toBe(0);
  });

  it('after invalidToken (the agent disposed itself) drops the dead agent and client and makes new ones once the token settled', async () => {
    const { calls, fake, agent, connectivity, reportError } = setup();
    await calls.connect();
    const dead = agent();
    dead.connectionState = 'Disconnected';
    dead.events.emit('connectionStateChanged', { newValue: 'Disconnected', oldValue: 'Connected', reason: 'invalidToken' });
    expect(connectivity).toHaveBeenLastCalledWith(false, expect.objectContaining({ code: 'UNAUTHORIZED' }));
    await vi.waitFor(() => expect(fake.clients).toHaveLength(2));
    expect(dead.events.count).toBe(0);
    expect(dead.disposed).toBe(true);
    expect(fake.log.filter((l) => l === 'createCallAgent')).toHaveLength(2);
    await vi.waitFor(() => expect(connectivity).toHaveBeenLastCalledWith(true));
    // Calls go through the new agent.
    const fresh = fake.clients[1]?.agent;
    await calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    expect(fresh?.joined).toHaveLength(1);
    expect(reportError).not.toHaveBeenCalled();
    await calls.dispose();
    expect(fresh?.events.count).toBe(0);
  });

  it('reports an agent that comes up already Disconnected (no change event follows)', async () => {
    const { calls, fake, connectivity } = setup();
    fake.agentState = 'Disconnected';
    await calls.connect();
    expect(connectivity).toHaveBeenCalledExactlyOnceWith(false, expect.objectContaining({ code: 'NETWORK_ERROR' }));
    await calls.dispose();
  });

  it('call.data listens on the ACS DataChannel from the moment the call exists, and closes with the call', async () => {
    const { calls, fakeCall, call } = await joined();
    expect(fakeCall.dataChannel.events.count).toBe(1); // dataChannelReceiverCreated, before any channel is opened
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    // A remote's message already waiting in its receiver when the receiver is announced...
    const receiver = new FakeReceiver(1000, [encodeMessage(topicId('notes'), 0, json({ n: 1 }))]);
    fakeCall.dataChannel.events.emit('dataChannelReceiverCreated', receiver);
    // ...and one more after; a receiver on another app's channel id is left alone.
    receiver.arrive(encodeMessage(topicId('notes'), 1, json({ n: 2 })));
    const foreign = new FakeReceiver(7);
    fakeCall.dataChannel.events.emit('dataChannelReceiverCreated', foreign);
    expect(foreign.events.count).toBe(0);

    const got: unknown[] = [];
    call.data.channel<{ n: number }>('notes').on('message', ({ value, from }) => got.push({ value, from: from.rawId }));
    await new Promise((resolve) => setTimeout(resolve, 0)); // held messages are handed over right after the channel opens
    expect(got).toEqual([
      { value: { n: 1 }, from: '8:acs:r_grace' },
      { value: { n: 2 }, from: '8:acs:r_grace' },
    ]);
    expect(dataTransportOf(call).maxMessageSize).toBe(32_768);

    fakeCall.moveTo('Disconnected', { code: 0, subCode: 0 });
    expect(call.data.closed).toBe(true);
    expect(receiver.events.count).toBe(0);
    expect(fakeCall.dataChannel.events.count).toBe(0);
    await calls.dispose();
    expect(fakeCall.listenerCount).toBe(0);
  });

  it('a participant leaving the call fails the requests waiting on them at once (the DataChannel has no membership of its own)', async () => {
    const { calls, fakeCall, call } = await joined();
    const grace = new FakeRemoteParticipant(GRACE);
    fakeCall.join(grace);
    const pending = call.data.request('slow', {}, { to: GRACE, timeoutMs: 60_000 });
    fakeCall.leave(grace);
    await expect(pending).rejects.toMatchObject({ code: 'PARTICIPANT_LEFT' });
    await calls.dispose();
  });

  it('what a remote sends the moment the call exists waits until the app could listen: an RPC request and a file offer', async () => {
    const { calls, agent, events } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    // Grace's side, outside the session: a CallData whose frames are captured.
    const toAda: Uint8Array[] = [];
    let graceReceives: (message: TransportMessage) => void = () => undefined;
    const grace = createCallData({
      maxMessageSize: 32_768,
      send: async (bytes) => {
        toAda.push(bytes);
      },
      onMessage: (listener) => {
        graceReceives = listener;
        return () => undefined;
      },
    });
    const answer = grace.request<number>('plusOne', 41, { to: ADA, timeoutMs: 5_000 });
    const file = new Uint8Array(50_000).map((_, i) => i % 256);
    const sending = grace.sendFile(file, { name: 'early.bin', to: ADA });
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The SDK announces Grace's receiver, with all of it already queued, before join() has returned to the app.
    agent().afterCallMade = () => fakeCall.dataChannel.events.emit('dataChannelReceiverCreated', new FakeReceiver(1000, toAda.splice(0)));

    const call = await calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    // Only now can the app register what it handles.
    call.data.handle('plusOne', (n: number) => n + 1);
    const received = new Promise<Uint8Array>((resolve) => call.data.on('incomingFile', ({ file: incoming }) => resolve(incoming.bytes())));
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const bytes of fakeCall.dataChannel.sent.splice(0)) graceReceives({ bytes, from: ADA, reliability: 'durable' });
    expect(await answer).toBe(42);
    expect(Buffer.from(await received).equals(Buffer.from(file))).toBe(true);
    await sending;
    expect(events.filter((e) => e.type === 'dataError')).toEqual([]);
    grace.close();
    await calls.dispose();
  });

  it("a throwing call.data listener is reported as the session's error", async () => {
    const { calls, reportError, fakeCall, call } = await joined();
    call.data.channel('notes').on('message', () => {
      throw new Error('app bug');
    });
    const receiver = new FakeReceiver(1000);
    fakeCall.dataChannel.events.emit('dataChannelReceiverCreated', receiver);
    await new Promise((resolve) => setTimeout(resolve, 0));
    receiver.arrive(encodeMessage(topicId('notes'), 0, new TextEncoder().encode('1')));
    expect(reportError).toHaveBeenCalledWith(expect.objectContaining({ code: 'LISTENER_FAILED' }), expect.stringContaining('message'));
    await calls.dispose();
  });

  it('an accepted call hears data sent before accept() resolved: the transport opens when the agent lists the call', async () => {
    const { calls, agent, events } = setup();
    await calls.connect();
    const answer = new FakeCall('call-7');
    const incoming = new FakeIncomingCall('call-7', { identifier: { kind: 'communicationUser', communicationUserId: GRACE } }, answer);
    const note = encodeMessage(topicId('notes'), 0, new TextEncoder().encode(JSON.stringify('sent at once')));
    incoming.beforeAnswer = () => {
      agent().events.emit('callsUpdated', { added: [answer], removed: [] });
      answer.dataChannel.events.emit('dataChannelReceiverCreated', new FakeReceiver(1000, [note]));
    };
    agent().events.emit('incomingCall', { incomingCall: incoming });
    const ring = events.find((e) => e.type === 'incomingCall');
    if (ring?.type !== 'incomingCall') throw new Error('no ring');
    const call = await ring.incomingCall.accept();
    const got = await new Promise((resolve) => call.data.channel('notes').on('message', ({ value }) => resolve(value)));
    expect(got).toBe('sent at once');
    await calls.dispose();
    expect(answer.dataChannel.events.count).toBe(0);
    expect(agent().events.count).toBe(0);
  });

  it("a Teams meeting joined by id and passcode gets call.chat once the SDK's call info has the thread id", async () => {
    const chatThread = vi.fn((_threadId: string) => undefined);
    const { calls, agent } = setup({ chatThread });
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.join({ meetingId: '123 456 789', passcode: 'abc' });
    expect(call.chat).toBeUndefined();
    expect(chatThread).not.toHaveBeenCalled(); // no thread id yet: nothing to look up
    fakeCall.info.threadId = '19:meeting_abc@thread.v2';
    fakeCall.moveTo('Connected');
    void call.chat;
    expect(chatThread).toHaveBeenCalledWith('19:meeting_abc@thread.v2');
    await calls.dispose();
  });

  it('a call whose DataChannel the SDK will not open goes on without call.data, which says why, and leaves nothing attached', async () => {
    const { calls, agent } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    fakeCall.dataChannel.refuseSenders = true;
    const call = await calls.join({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    expect(call.state).toBe('connecting');
    expect(() => call.data).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED', message: expect.stringContaining('DataChannel') }));
    expect(fakeCall.dataChannel.events.count).toBe(0);
    await calls.dispose();
  });

  it('calling: { data: false } opens no DataChannel and call.data says why', async () => {
    const { calls, fakeCall, call } = await joined({ data: false });
    expect(fakeCall.dataChannel.events.count).toBe(0);
    expect(() => call.data).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED', message: expect.stringContaining('data: false') }));
    await calls.dispose();
  });

  it('dispose ends live calls, removes every listener, disposes the agent before the client, and leaves no agent', async () => {
    const { calls, events, agent, fake } = setup();
    await calls.connect();
    const fakeCall = agent().nextCall;
    const call = await calls.start([GRACE]);
    fakeCall.join(new FakeRemoteParticipant(GRACE));
    await calls.dispose();
    expect(call.state).toBe('disconnected');
    expect(events.at(-1)).toMatchObject({ type: 'callEnded', reason: { kind: 'hungUp' } });
    expect(fakeCall.listenerCount).toBe(0);
    expect(agent().events.count).toBe(0);
    expect(fake.log.slice(-2)).toEqual(['agent.dispose', 'client.dispose']);
    await expect(calls.connect()).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('an agent still being created when the session is disposed is disposed as soon as it exists', async () => {
    const { calls, fake } = setup();
    const release = fake.holdAgent();
    const connecting = calls.connect();
    await vi.waitFor(() => expect(fake.clients).toHaveLength(1));
    const disposed = calls.dispose();
    release();
    await expect(connecting).rejects.toMatchObject({ code: 'DISPOSED' });
    await disposed;
    expect(fake.clients[0]?.agent?.disposed).toBe(true);
    expect(fake.clients[0]?.disposed).toBe(true);
    expect(fake.clients[0]?.agent?.events.count).toBe(0);
  });

  it('a missing SDK is CALLING_UNAVAILABLE, and the next use tries again', async () => {
    const fake = fakeSdk();
    const loadSdk = vi.fn<() => Promise<typeof fake.sdk>>().mockRejectedValueOnce(new Error('Cannot find package')).mockResolvedValue(fake.sdk);
    const calls = new SessionCallsImpl({
      calling: { provider: 'azure', iceServers: undefined, ca: undefined, loadSdk: undefined, data: {} },
      createProvider: async (context) => new AzureProvider(context, { loadSdk }),
      emit: () => undefined,
      hasListener: () => false,
      context: {
        endpoint: 'https://r',
        displayName: undefined,
        selfRawId: () => ADA,
        credential,
        getToken: async () => 'jwt',
        reportError: () => undefined,
        tokenRejected: () => undefined,
        connectivity: () => undefined,
      },
    });
    await expect(calls.connect()).rejects.toMatchObject({ code: 'CALLING_UNAVAILABLE' });
    await calls.connect();
    expect(fake.clients).toHaveLength(1);
    await calls.dispose();
  });

  it('refuses Azure calls in Node with CALLING_UNSUPPORTED_RUNTIME, before loading anything', async () => {
    const context: ProviderContext = {
      endpoint: 'https://r',
      displayName: undefined,
      selfRawId: () => ADA,
      credential,
      getToken: async () => 'jwt',
      reportError: () => undefined,
      tokenRejected: () => undefined,
      connectivity: () => undefined,
      incoming: () => undefined,
      signal: new AbortController().signal,
    };
    await expect(
      createCallingProvider({ provider: 'azure', iceServers: undefined, ca: undefined, loadSdk: undefined, data: {} }, context),
    ).rejects.toMatchObject({
      code: 'CALLING_UNSUPPORTED_RUNTIME',
    });
  });
});

describe('calling.loadSdk', () => {
  it("takes the app's loader (module or default export) and refuses something that is not the SDK", async () => {
    const fake = fakeSdk();
    const context = {
      endpoint: 'https://r',
      displayName: undefined,
      selfRawId: () => ADA,
      credential,
      getToken: async () => 'jwt',
      reportError: () => undefined,
      tokenRejected: () => undefined,
      connectivity: () => undefined,
    };
    const make = (loadSdk: () => Promise<object>) =>
      new SessionCallsImpl({
        calling: { provider: 'azure', iceServers: undefined, ca: undefined, loadSdk: undefined, data: {} },
        createProvider: async (c) => new AzureProvider(c, { loadSdk }),
        emit: () => undefined,
        hasListener: () => false,
        context,
      });
    const viaDefault = make(async () => ({ default: fake.sdk }));
    await viaDefault.connect();
    expect(fake.clients).toHaveLength(1);
    await viaDefault.dispose();
    const wrong = make(async () => ({ CallClient: 'nope' }));
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'CALLING_UNAVAILABLE', message: /did not return/ });
    await wrong.dispose();
  });
});
