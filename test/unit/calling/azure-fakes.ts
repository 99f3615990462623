// Hand-written typed fakes of the calling SDK ports (src/calling/azure/ports.ts). Each class
// `implements` its port, so a port change (and, through the ports' Satisfies checks, an SDK
// signature change) breaks these fakes at compile time.
import type {
  AddPhoneNumberOptions,
  CallAgentOptions,
  CallClientOptions,
  CallDirection,
  CallEndReason,
  CallState,
  DataChannelCallFeature,
  DataChannelMessage,
  DataChannelReceiver,
  DataChannelSender,
  DataChannelSenderOpenOptions,
  DtmfTone,
  HangUpOptions,
  RemoteParticipantState,
  VideoDeviceInfo,
} from '@azure/communication-calling';
import {
  type CommunicationIdentifier,
  type CommunicationIdentifierKind,
  type CommunicationTokenCredential,
  type CommunicationUserIdentifier,
  getIdentifierKind,
  type MicrosoftTeamsUserIdentifier,
  type PhoneNumberIdentifier,
} from '@azure/communication-common';
import type {
  CallAgentPort,
  CallClientPort,
  CallingSdkPort,
  CallPort,
  DeviceManagerPort,
  IncomingCallPort,
  RemoteParticipantPort,
} from '../../../src/calling/azure/ports.js';

type AnyListener = (...args: never[]) => void;

/** Listener bookkeeping shared by the fakes: `emit` and a count for leak checks. */
class Listeners {
  readonly #byEvent = new Map<string, Set<AnyListener>>();

  on(event: string, listener: AnyListener): void {
    let set = this.#byEvent.get(event);
    if (!set) this.#byEvent.set(event, (set = new Set()));
    set.add(listener);
  }

  off(event: string, listener: AnyListener): void {
    this.#byEvent.get(event)?.delete(listener);
  }

  emit<A extends unknown[]>(event: string, ...args: A): void {
    for (const listener of [...(this.#byEvent.get(event) ?? [])]) Reflect.apply(listener, undefined, args);
  }

  get count(): number {
    let total = 0;
    for (const set of this.#byEvent.values()) total += set.size;
    return total;
  }
}

export class FakeRemoteParticipant implements RemoteParticipantPort {
  readonly events = new Listeners();
  readonly identifier: CommunicationIdentifierKind;
  displayName?: string;
  state: RemoteParticipantState = 'Connected';
  isMuted = false;
  isSpeaking = false;

  constructor(who: string | CommunicationIdentifierKind, displayName?: string) {
    this.identifier = typeof who === 'string' ? { kind: 'communicationUser', communicationUserId: who } : who;
    if (displayName !== undefined) this.displayName = displayName;
  }

  on(event: string, listener: () => void): void {
    this.events.on(event, listener);
  }
  off(event: string, listener: () => void): void {
    this.events.off(event, listener);
  }
}

export class FakeReceiver implements DataChannelReceiver {
  readonly events = new Listeners();
  readonly senderParticipantIdentifier: CommunicationIdentifierKind = { kind: 'communicationUser', communicationUserId: '8:acs:r_grace' };
  readonly #queued: Uint8Array[];
  #sequence = 0;
  constructor(
    readonly channelId: number,
    queued: Uint8Array[] = [],
  ) {
    this.#queued = [...queued];
  }
  on(event: string, listener: () => void): void {
    this.events.on(event, listener);
  }
  off(event: string, listener: () => void): void {
    this.events.off(event, listener);
  }
  readMessage(): DataChannelMessage | undefined {
    const data = this.#queued.shift();
    return data && { sequenceNumber: this.#sequence++, data };
  }
  /** A message arrives: queued, then `messageReady`, as the SDK does. */
  arrive(data: Uint8Array): void {
    this.#queued.push(data);
    this.events.emit('messageReady');
  }
}

export class FakeDataChannel implements DataChannelCallFeature {
  readonly name = 'DataChannel';
  readonly events = new Listeners();
  /** What the senders sent, in order. */
  readonly sent: Uint8Array[] = [];
  /** Makes createDataChannelSender throw, as an SDK that cannot open one would. */
  refuseSenders = false;
  createDataChannelSender(options: DataChannelSenderOpenOptions): DataChannelSender {
    if (this.refuseSenders) throw new Error('DataChannel is not available on this call');
    return {
      channelId: options.channelId ?? 1024,
      maxMessageSize: 32_768,
      setParticipants: () => undefined,
      sendMessage: async (message: Uint8Array) => {
        this.sent.push(message);
      },
      close: () => undefined,
    };
  }
  on(event: 'dataChannelReceiverCreated', listener: (receiver: DataChannelReceiver) => void): void {
    this.events.on(event, listener);
  }
  off(event: 'dataChannelReceiverCreated', listener: (receiver: DataChannelReceiver) => void): void {
    this.events.off(event, listener);
  }
  dispose(): void {}
}

export class FakeCall implements CallPort {
  readonly events = new Listeners();
  readonly dataChannel = new FakeDataChannel();
  readonly calls: string[] = [];
  state: CallState = 'Connecting';
  callEndReason?: CallEndReason;
  direction: CallDirection = 'Outgoing';
  isMuted = false;
  isScreenSharingOn = false;
  isLocalVideoStarted = false;
  remoteParticipants: FakeRemoteParticipant[] = [];
  localVideoStreams: object[] = [];
  info: { threadId: string | undefined } = { threadId: undefined };

  constructor(readonly id: string) {}

  /** Sets the state and fires the SDK's payload-less stateChanged. */
  moveTo(state: CallState, reason?: CallEndReason): void {
    this.state = state;
    if (reason) this.callEndReason = reason;
    this.events.emit('stateChanged');
  }

  join(participant: FakeRemoteParticipant): void {
    this.remoteParticipants = [...this.remoteParticipants, participant];
    this.events.emit('remoteParticipantsUpdated', { added: [participant], removed: [] });
  }

  leave(participant: FakeRemoteParticipant): void {
    this.remoteParticipants = this.remoteParticipants.filter((p) => p !== participant);
    this.events.emit('remoteParticipantsUpdated', { added: [], removed: [participant] });
  }

  async mute(): Promise<void> {
    this.isMuted = true;
    this.events.emit('isMutedChanged');
  }
  async unmute(): Promise<void> {
    this.isMuted = false;
    this.events.emit('isMutedChanged');
  }
  async hold(): Promise<void> {
    this.moveTo('LocalHold');
  }
  async resume(): Promise<void> {
    this.moveTo('Connected');
  }
  async sendDtmf(tone: DtmfTone): Promise<void> {
    this.calls.push(`dtmf:${tone}`);
  }
  async hangUp(options?: HangUpOptions): Promise<void> {
    this.calls.push(`hangUp:${options?.forEveryone === true}`);
    this.moveTo('Disconnected', { code: 0, subCode: 0 });
  }
  async startScreenSharing(): Promise<void> {
    this.isScreenSharingOn = true;
    this.events.emit('isScreenSharingOnChanged');
  }
  async stopScreenSharing(): Promise<void> {
    this.isScreenSharingOn = false;
    this.events.emit('isScreenSharingOnChanged');
  }
  /** What addParticipant was given, in order. */
  readonly added: { identifier: CommunicationIdentifier; options: AddPhoneNumberOptions | undefined }[] = [];
  addParticipant(identifier: CommunicationUserIdentifier | MicrosoftTeamsUserIdentifier): FakeRemoteParticipant;
  addParticipant(identifier: PhoneNumberIdentifier, options?: AddPhoneNumberOptions): FakeRemoteParticipant;
  addParticipant(identifier: CommunicationIdentifier, options?: AddPhoneNumberOptions): FakeRemoteParticipant {
    this.added.push({ identifier, options });
    // As the SDK: the leg exists at once, connecting, and is announced as added.
    const participant = new FakeRemoteParticipant(getIdentifierKind(identifier));
    participant.state = 'Connecting';
    this.join(participant);
    return participant;
  }
  async removeParticipant(identifier: CommunicationIdentifier): Promise<void> {
    this.calls.push(`remove:${JSON.stringify(identifier)}`);
  }
  async startVideo(stream: object): Promise<void> {
    this.localVideoStreams = [stream];
    this.isLocalVideoStarted = true;
    this.events.emit('isLocalVideoStartedChanged');
  }
  async stopVideo(stream: object): Promise<void> {
    this.localVideoStreams = this.localVideoStreams.filter((s) => s !== stream);
    this.isLocalVideoStarted = false;
    this.events.emit('isLocalVideoStartedChanged');
  }
  feature(): FakeDataChannel {
    return this.dataChannel;
  }
  on(event: string, listener: AnyListener): void {
    this.events.on(event, listener);
  }
  off(event: string, listener: AnyListener): void {
    this.events.off(event, listener);
  }

  /** Every listener on the call, its participants and its data channel. */
  get listenerCount(): number {
    return this.events.count + this.dataChannel.events.count + this.remoteParticipants.reduce((n, p) => n + p.events.count, 0);
  }
}

export class FakeIncomingCall implements IncomingCallPort {
  readonly events = new Listeners();
  rejected = false;
  constructor(
    readonly id: string,
    readonly callerInfo: { identifier: CommunicationIdentifierKind | undefined; displayName?: string },
    readonly answer: FakeCall,
  ) {}
  /** Runs inside accept(), before it resolves: what the SDK does with the new call meanwhile. */
  beforeAnswer: (() => void) | undefined;
  async accept(): Promise<FakeCall> {
    this.answer.direction = 'Incoming';
    this.beforeAnswer?.();
    return this.answer;
  }
  async reject(): Promise<void> {
    this.rejected = true;
  }
  end(code: number, subCode: number): void {
    this.events.emit('callEnded', { callEndReason: { code, subCode } });
  }
  on(event: 'callEnded', listener: (args: { callEndReason: CallEndReason }) => void): void {
    this.events.on(event, listener);
  }
  off(event: 'callEnded', listener: (args: { callEndReason: CallEndReason }) => void): void {
    this.events.off(event, listener);
  }
}

export class FakeCallAgent implements CallAgentPort {
  readonly events = new Listeners();
  connectionState: 'Connected' | 'Disconnected' = 'Connected';
  disposed = false;
  readonly started: { participants: CommunicationIdentifier[]; options: unknown }[] = [];
  readonly joined: unknown[] = [];
  nextCall = new FakeCall('call-1');
  /** Runs in a microtask right after startCall/join returned: the SDK doing things before the caller resumes. */
  afterCallMade: ((call: FakeCall) => void) | undefined;

  constructor(
    readonly credential: CommunicationTokenCredential,
    readonly options: CallAgentOptions | undefined,
    private readonly log: string[],
  ) {}

  startCall(participants: CommunicationIdentifier[], options?: unknown): FakeCall {
    this.started.push({ participants, options });
    return this.#made(this.nextCall);
  }
  join(locator: unknown): FakeCall {
    this.joined.push(locator);
    return this.#made(this.nextCall);
  }
  #made(call: FakeCall): FakeCall {
    const after = this.afterCallMade;
    if (after) queueMicrotask(() => after(call));
    return call;
  }
  on(event: string, listener: AnyListener): void {
    this.events.on(event, listener);
  }
  off(event: string, listener: AnyListener): void {
    this.events.off(event, listener);
  }
  async dispose(): Promise<void> {
    this.disposed = true;
    this.log.push('agent.dispose');
  }
}

export const CAMERAS: VideoDeviceInfo[] = [
  { id: 'cam-front', name: 'Front', deviceType: 'UsbCamera' },
  { id: 'cam-back', name: 'Back', deviceType: 'UsbCamera' },
];

/** The SDK module fake: records every client and agent it made. */
export function fakeSdk() {
  const log: string[] = [];
  const clients: FakeCallClient[] = [];
  let agentGate: Promise<void> = Promise.resolve();

  class FakeCallClient implements CallClientPort {
    agent: FakeCallAgent | undefined;
    disposed = false;
    constructor(readonly options?: CallClientOptions) {
      clients.push(this);
      log.push('new CallClient');
    }
    async createCallAgent(credential: CommunicationTokenCredential, options?: CallAgentOptions): Promise<FakeCallAgent> {
      await agentGate;
      this.agent = new FakeCallAgent(credential, options, log);
      this.agent.connectionState = result.agentState;
      log.push('createCallAgent');
      return this.agent;
    }
    async getDeviceManager(): Promise<DeviceManagerPort> {
      return { getCameras: async () => CAMERAS };
    }
    async dispose(): Promise<void> {
      this.disposed = true;
      log.push('client.dispose');
    }
  }

  class FakeLocalVideoStream {
    constructor(readonly source: VideoDeviceInfo) {}
  }

  const sdk: CallingSdkPort = {
    CallClient: FakeCallClient,
    LocalVideoStream: FakeLocalVideoStream,
    Features: { DataChannel: { callApiCtor: FakeDataChannel } },
  };
  const result = {
    sdk,
    log,
    clients,
    /** The connection state new agents start in. */
    agentState: 'Connected' as 'Connected' | 'Disconnected',
    /** Holds createCallAgent until the returned function is called. */
    holdAgent(): () => void {
      let release!: () => void;
      agentGate = new Promise((resolve) => (release = resolve));
      return release;
    },
  };
  return result;
}
