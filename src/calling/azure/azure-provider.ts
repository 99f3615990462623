import type { ConnectionState, ConnectionStateChangedReason, DtmfTone as SdkDtmfTone, PropertyChangedEvent } from '@azure/communication-calling';
import { type CommunicationIdentifier, getIdentifierRawId } from '@azure/communication-common';
import { SessionError, isSessionError } from '../../errors.js';
import type { Unsubscribe } from '../../events/types.js';
import { raceWithSignal } from '../../internal/abort.js';
import { type CallEndReason, endReasonFromCodes } from '../end-reason.js';
import { identifierFromRawId, type ResolvedPerson } from '../person.js';
import type {
  CallingProvider,
  ProviderCall,
  ProviderCallSink,
  ProviderCallView,
  ProviderContext,
  ProviderDataTransport,
  ProviderIncomingCall,
  ProviderStartOptions,
} from '../provider.js';
import type { AcceptCallOptions, AddParticipantOptions, CallLocator, CallState, DtmfTone, ParticipantState, StartVideoOptions } from '../types.js';
import { createAcsDataTransport, type AcsDataTransport } from '../../data/acs/acs-transport.js';
import type {
  CallAgentPort,
  CallClientPort,
  CallPort,
  CallPropertyEvent,
  CallingSdkPort,
  IncomingCallPort,
  MediaOptionsPort,
  RemoteParticipantPort,
} from './ports.js';

/** Options of the azure provider. @internal */
export interface AzureProviderOptions {
  iceServers?: { urls: string[]; username?: string; credential?: string }[] | undefined;
  /** Loads the SDK (the app's `calling.loadSdk`, or fakes in tests). Default: the package by name, hidden from bundlers. */
  loadSdk?: (() => Promise<object>) | undefined;
  /** Opens the ACS DataChannel for `call.data` on every call; default `true`. */
  dataChannel?: boolean | undefined;
}

const CALL_EVENTS: readonly CallPropertyEvent[] = ['stateChanged', 'isMutedChanged', 'isScreenSharingOnChanged', 'isLocalVideoStartedChanged'];
const PARTICIPANT_EVENTS = ['stateChanged', 'isMutedChanged', 'isSpeakingChanged', 'displayNameChanged'] as const;
const TONES: Readonly<Record<DtmfTone, SdkDtmfTone>> = {
  '0': 'Num0',
  '1': 'Num1',
  '2': 'Num2',
  '3': 'Num3',
  '4': 'Num4',
  '5': 'Num5',
  '6': 'Num6',
  '7': 'Num7',
  '8': 'Num8',
  '9': 'Num9',
  '*': 'Star',
  '#': 'Pound',
  A: 'A',
  B: 'B',
  C: 'C',
  D: 'D',
};

/**
 * The azure provider: `@azure/communication-calling`, loaded with `import()` when the first call
 * API is used; one `CallClient` and one `CallAgent` per session on the session's shared credential,
 * both disposed with the session. The SDK's payload-less `…Changed` events are read into whole
 * views for the generic call object.
 * @internal
 */
export class AzureProvider implements CallingProvider {
  readonly name = 'azure' as const;
  readonly #context: ProviderContext;
  readonly #options: AzureProviderOptions;
  #sdk: CallingSdkPort | undefined;
  #client: CallClientPort | undefined;
  #agent: CallAgentPort | undefined;
  #connecting: Promise<CallAgentPort> | undefined;
  readonly #calls = new Set<AzureCall>();
  /** Data transports of calls the agent listed before the provider took them (accepted calls). */
  readonly #earlyData = new Map<CallPort, AcsDataTransport>();
  readonly #incoming = new Set<AzureIncoming>();
  readonly #agentTeardown: Unsubscribe[] = [];
  #disposed = false;

  constructor(context: ProviderContext, options: AzureProviderOptions = {}) {
    this.#context = context;
    this.#options = options;
  }

  async connect(signal: AbortSignal | undefined): Promise<void> {
    await this.#ready(signal);
  }

  async start(targets: readonly ResolvedPerson[], options: ProviderStartOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    const agent = await this.#ready(undefined);
    const identifiers: CommunicationIdentifier[] = targets.map((t) => t.identifier);
    const media = await this.mediaOptions(options);
    const call = sdkCall('start the call', () =>
      agent.startCall(identifiers, {
        ...media,
        ...(options.alternateCallerId !== undefined && { alternateCallerId: { phoneNumber: options.alternateCallerId } }),
      }),
    );
    return this.#track(call, sink);
  }

  async join(locator: CallLocator, options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    const agent = await this.#ready(undefined);
    const media = await this.mediaOptions(options);
    const call = sdkCall('join the call', () => agent.join(locator, media));
    return this.#track(call, sink);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const call of [...this.#calls]) call.release();
    for (const incoming of [...this.#incoming]) incoming.release();
    for (const teardown of this.#agentTeardown.splice(0)) teardown();
    for (const transport of this.#earlyData.values()) transport.close();
    this.#earlyData.clear();
    const agent = this.#agent;
    const client = this.#client;
    this.#agent = undefined;
    this.#client = undefined;
    // The agent first: it hangs up its calls and stops its signaling; then the client.
    try {
      await agent?.dispose();
    } finally {
      await client?.dispose();
    }
  }

  /** @internal */
  forget(call: AzureCall): void {
    this.#calls.delete(call);
  }

  /** @internal */
  forgetIncoming(incoming: AzureIncoming): void {
    this.#incoming.delete(incoming);
  }

  /** @internal */
  track(call: CallPort, sink: ProviderCallSink): ProviderCall {
    return this.#track(call, sink);
  }

  /** @internal Starts video on the chosen (or first) camera. */
  async startVideo(call: CallPort, options: StartVideoOptions): Promise<void> {
    await call.startVideo(await this.#cameraStream(options.cameraId));
  }

  /** @internal The SDK's media options for start, join and accept: muted audio, video from the first camera. */
  async mediaOptions(options: AcceptCallOptions): Promise<MediaOptionsPort> {
    const media: MediaOptionsPort = {};
    if (options.audio?.muted !== undefined) media.audioOptions = { muted: options.audio.muted };
    if (options.video) media.videoOptions = { localVideoStreams: [await this.#cameraStream(undefined)] };
    return media;
  }

  async #cameraStream(cameraId: string | undefined): Promise<object> {
    const sdk = this.#sdk;
    const client = this.#client;
    if (!sdk || !client) throw new SessionError('DISPOSED', 'The calling provider has been disposed');
    const cameras = await (await client.getDeviceManager()).getCameras();
    const camera = cameraId === undefined ? cameras[0] : cameras.find((c) => c.id === cameraId);
    if (!camera) {
      throw new SessionError(
        cameraId === undefined ? 'CALL_FAILED' : 'INVALID_ARGUMENT',
        cameraId === undefined ? 'No camera was found' : `No camera has the id ${cameraId}`,
      );
    }
    return new sdk.LocalVideoStream(camera);
  }

  #ready(signal: AbortSignal | undefined): Promise<CallAgentPort> {
    if (this.#disposed) return Promise.reject(new SessionError('DISPOSED', 'The calling provider has been disposed'));
    if (!this.#connecting) {
      const attempt = this.#createAgent();
      this.#connecting = attempt;
      attempt.catch(() => {
        if (this.#connecting === attempt) this.#connecting = undefined;
      });
    }
    return raceWithSignal(this.#connecting, signal, () => new SessionError('ABORTED', 'The operation was aborted', { cause: signal?.reason }));
  }

  async #createAgent(): Promise<CallAgentPort> {
    let loaded: object;
    try {
      loaded = await (this.#options.loadSdk ?? loadCallingSdk)();
    } catch (error) {
      throw new SessionError(
        'CALLING_UNAVAILABLE',
        'Could not load @azure/communication-calling; install it (npm install @azure/communication-calling) to use Azure calls',
        { cause: error },
      );
    }
    const sdk = asCallingSdk(loaded);
    if (this.#disposed) throw new SessionError('DISPOSED', 'The calling provider has been disposed');
    const { iceServers } = this.#options;
    const client = new sdk.CallClient(iceServers ? { networkConfiguration: { turn: { iceServers } } } : undefined);
    let agent: CallAgentPort;
    try {
      const { displayName } = this.#context;
      agent = await client.createCallAgent(this.#context.credential, displayName === undefined ? undefined : { displayName });
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw agentError(error);
    }
    if (this.#disposed) {
      // The session went away while the agent was being created: it must not outlive dispose().
      await agent.dispose().catch(() => undefined);
      await client.dispose().catch(() => undefined);
      throw new SessionError('DISPOSED', 'The calling provider has been disposed');
    }
    this.#sdk = sdk;
    this.#client = client;
    this.#agent = agent;
    const onIncoming = ({ incomingCall }: { incomingCall: IncomingCallPort }) => this.#ring(incomingCall);
    const onConnection = ({ newValue, reason }: { newValue: ConnectionState; reason?: ConnectionStateChangedReason }) => {
      if (reason === 'invalidToken') this.#context.tokenRejected();
      this.#reportConnection(newValue, reason);
      // After `invalidToken` the agent has disposed itself (after 10 failed token fetches): nothing
      // would ever bring it back. Drop it, and make a new one once the session has a token again.
      if (newValue === 'Disconnected' && reason === 'invalidToken' && this.#agent === agent) this.#replaceAgent();
    };
    agent.on('incomingCall', onIncoming);
    agent.on('connectionStateChanged', onConnection);
    this.#agentTeardown.push(
      () => agent.off('incomingCall', onIncoming),
      () => agent.off('connectionStateChanged', onConnection),
    );
    if (this.#options.dataChannel !== false) {
      // An accepted call exists (and can receive) before accept() resolves: its data transport is
      // opened the moment the agent lists it, and handed to the call when the provider takes it.
      const dataChannel = sdk.Features.DataChannel;
      const onCalls = ({ added, removed }: { added: CallPort[]; removed: CallPort[] }) => {
        for (const call of added) {
          if (this.#earlyData.has(call) || [...this.#calls].some((tracked) => tracked.is(call))) continue;
          try {
            this.#earlyData.set(call, createAcsDataTransport(call.feature(dataChannel)));
          } catch {
            // AzureCall tries again and says why if it still cannot.
          }
        }
        for (const call of removed) {
          this.#earlyData.get(call)?.close();
          this.#earlyData.delete(call);
        }
      };
      agent.on('callsUpdated', onCalls);
      this.#agentTeardown.push(() => agent.off('callsUpdated', onCalls));
    }
    // An agent can come up already Disconnected (offline, signaling unreachable): no change event
    // follows. One that comes up Connected (a replacement after invalidToken) brings the session back.
    this.#reportConnection(agent.connectionState, undefined);
    return agent;
  }

  /**
   * Drops a dead agent (and its client: one agent per client) and creates a new one after the
   * session's token refresh, which `invalidToken` asked for, has settled. Its `Connected` brings the
   * session back; a failure is reported, and the next call API tries again.
   */
  #replaceAgent(): void {
    for (const teardown of this.#agentTeardown.splice(0)) teardown();
    const agent = this.#agent;
    const client = this.#client;
    this.#agent = undefined;
    this.#client = undefined;
    this.#connecting = undefined;
    void (async () => {
      try {
        await agent?.dispose();
        await client?.dispose();
      } catch {
        // Dead already; nothing more to release.
      }
      if (this.#disposed) return;
      try {
        await this.#context.getToken(this.#context.signal);
        await this.#ready(undefined);
      } catch (error) {
        if (!this.#disposed) this.#context.reportError(error, 'calling');
      }
    })();
  }

  /** The agent's connection feeds the session state: while it is Disconnected no call can ring here. */
  #reportConnection(state: ConnectionState, reason: ConnectionStateChangedReason | undefined): void {
    if (state === 'Connected') {
      this.#context.connectivity(true);
      return;
    }
    this.#context.connectivity(
      false,
      reason === 'invalidToken'
        ? new SessionError('UNAUTHORIZED', 'The call agent was disconnected: ACS refused the token', { retryable: true })
        : new SessionError('NETWORK_ERROR', 'The call agent lost its connection to ACS', { retryable: true }),
    );
  }

  #track(call: CallPort, sink: ProviderCallSink): ProviderCall {
    const sdk = this.#sdk;
    if (!sdk || this.#disposed) throw new SessionError('DISPOSED', 'The calling provider has been disposed');
    const early = this.#earlyData.get(call);
    this.#earlyData.delete(call);
    const tracked = new AzureCall(call, sink, this, this.#options.dataChannel === false ? undefined : sdk.Features.DataChannel, early);
    this.#calls.add(tracked);
    return tracked;
  }

  #ring(incomingCall: IncomingCallPort): void {
    if (this.#disposed) return;
    const incoming = new AzureIncoming(incomingCall, this);
    this.#incoming.add(incoming);
    this.#context.incoming(incoming);
  }
}

/** One call of the azure provider: SDK listeners in, whole views out. */
class AzureCall implements ProviderCall {
  readonly #call: CallPort;
  readonly #sink: ProviderCallSink;
  readonly #provider: AzureProvider;
  readonly #teardown: Unsubscribe[] = [];
  readonly #participantTeardown = new Map<RemoteParticipantPort, Unsubscribe>();
  #released = false;
  readonly dataTransport: ProviderDataTransport | undefined;
  readonly dataUnavailable: SessionError | undefined;
  readonly #departures = new Set<(rawId: string) => void>();

  constructor(
    call: CallPort,
    sink: ProviderCallSink,
    provider: AzureProvider,
    dataChannelFactory: Parameters<CallPort['feature']>[0] | undefined,
    openedEarly: AcsDataTransport | undefined,
  ) {
    this.#call = call;
    this.#sink = sink;
    this.#provider = provider;
    // The data transport first: it listens for receivers at once, and ACS drops messages that
    // arrive on a channel before anyone listens for its receiver.
    if (dataChannelFactory) {
      try {
        this.dataTransport = this.#dataTransport(openedEarly ?? createAcsDataTransport(call.feature(dataChannelFactory)));
      } catch (error) {
        // The call goes on without `call.data`, which then says why.
        this.dataUnavailable = new SessionError('NOT_SUPPORTED', 'The calling SDK would not open a DataChannel on this call', { cause: error });
      }
    }
    const onChange: PropertyChangedEvent = () => this.#changed();
    for (const event of CALL_EVENTS) {
      call.on(event, onChange);
      this.#teardown.push(() => call.off(event, onChange));
    }
    const onParticipants = ({ added, removed }: { added: RemoteParticipantPort[]; removed: RemoteParticipantPort[] }) => {
      for (const participant of added) this.#watch(participant);
      for (const participant of removed) this.#unwatch(participant);
      this.#changed();
      for (const participant of removed) this.#left(participant);
    };
    call.on('remoteParticipantsUpdated', onParticipants);
    this.#teardown.push(() => call.off('remoteParticipantsUpdated', onParticipants));
    for (const participant of call.remoteParticipants) this.#watch(participant);
    this.#changed();
  }

  get id(): string {
    return this.#call.id;
  }

  /** A Teams meeting's chat thread id, once the SDK knows it (joins by meeting id and passcode carry none in the locator). */
  get threadId(): string | undefined {
    return this.#call.info.threadId;
  }

  /** Whether this wraps `call`. */
  is(call: CallPort): boolean {
    return this.#call === call;
  }

  mute(muted: boolean): Promise<void> {
    return muted ? this.#call.mute() : this.#call.unmute();
  }
  hold(held: boolean): Promise<void> {
    return held ? this.#call.hold() : this.#call.resume();
  }
  startVideo(options: StartVideoOptions): Promise<void> {
    return this.#provider.startVideo(this.#call, options);
  }
  async stopVideo(): Promise<void> {
    const stream = this.#call.localVideoStreams[0];
    if (stream) await this.#call.stopVideo(stream);
  }
  startScreenShare(): Promise<void> {
    return this.#call.startScreenSharing();
  }
  stopScreenShare(): Promise<void> {
    return this.#call.stopScreenSharing();
  }
  sendDtmf(tone: DtmfTone): Promise<void> {
    return this.#call.sendDtmf(TONES[tone]);
  }
  hangUp(forEveryone: boolean): Promise<void> {
    return this.#call.hangUp({ forEveryone });
  }
  removeParticipant(person: ResolvedPerson): Promise<void> {
    return this.#call.removeParticipant(person.identifier);
  }
  async addParticipant(person: ResolvedPerson, options: AddParticipantOptions): Promise<void> {
    const id = person.identifier;
    // The SDK adds synchronously and reports the leg through remoteParticipantsUpdated.
    if (id.kind !== 'phoneNumber' && id.kind !== 'communicationUser' && id.kind !== 'microsoftTeamsUser') {
      throw new SessionError('NOT_SUPPORTED', `An ACS call can add ACS users, Teams users and phone numbers, not ${id.kind} identities`);
    }
    const { alternateCallerId } = options;
    sdkCall('add the participant', () =>
      id.kind === 'phoneNumber'
        ? this.#call.addParticipant(id, alternateCallerId === undefined ? {} : { alternateCallerId: { phoneNumber: alternateCallerId } })
        : this.#call.addParticipant(id),
    );
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const teardown of this.#teardown.splice(0)) teardown();
    for (const teardown of this.#participantTeardown.values()) teardown();
    this.#participantTeardown.clear();
    this.dataTransport?.close();
    this.#provider.forget(this);
  }

  /**
   * The ACS transport plus the departures the DataChannel feature cannot know (it has no
   * membership): a participant removed from the call is reported, so requests to it and files from
   * it fail at once instead of timing out.
   */
  #dataTransport(acs: AcsDataTransport): ProviderDataTransport {
    const departures = this.#departures;
    return {
      get maxMessageSize() {
        return acs.maxMessageSize;
      },
      bitrateKbps: acs.bitrateKbps,
      send: (bytes, options) => acs.send(bytes, options),
      onMessage: (listener) => acs.onMessage(listener),
      onParticipantLeft: (listener) => {
        departures.add(listener);
        return () => departures.delete(listener);
      },
      close: () => {
        departures.clear();
        acs.close();
      },
    };
  }

  #left(participant: RemoteParticipantPort): void {
    let rawId: string;
    try {
      rawId = getIdentifierRawId(participant.identifier);
    } catch {
      return;
    }
    for (const listener of [...this.#departures]) listener(rawId);
  }

  #watch(participant: RemoteParticipantPort): void {
    if (this.#participantTeardown.has(participant)) return;
    const onChange: PropertyChangedEvent = () => this.#changed();
    for (const event of PARTICIPANT_EVENTS) participant.on(event, onChange);
    this.#participantTeardown.set(participant, () => {
      for (const event of PARTICIPANT_EVENTS) participant.off(event, onChange);
    });
  }

  #unwatch(participant: RemoteParticipantPort): void {
    this.#participantTeardown.get(participant)?.();
    this.#participantTeardown.delete(participant);
  }

  #changed(): void {
    if (this.#released) return;
    const call = this.#call;
    if (call.state === 'Disconnected') {
      const reason = call.callEndReason;
      const ended: CallEndReason = endReasonFromCodes(reason?.code ?? 0, reason?.subCode ?? 0);
      this.release();
      this.#sink.ended(ended);
      return;
    }
    const view: ProviderCallView = {
      // 'None' is the SDK's state before it starts connecting: to the app the call is connecting.
      state: call.state === 'None' ? 'connecting' : (camel(call.state) as CallState),
      isMuted: call.isMuted,
      isVideoOn: call.isLocalVideoStarted,
      isScreenSharing: call.isScreenSharingOn,
      participants: call.remoteParticipants.map((p) => ({
        rawId: getIdentifierRawId(p.identifier),
        displayName: p.displayName,
        state: camel(p.state) as ParticipantState,
        isMuted: p.isMuted,
        isSpeaking: p.isSpeaking,
      })),
    };
    this.#sink.update(view);
  }
}

/** A call ringing the agent. */
class AzureIncoming implements ProviderIncomingCall {
  readonly id: string;
  readonly caller: ResolvedPerson;
  readonly #incoming: IncomingCallPort;
  readonly #provider: AzureProvider;
  readonly #listeners: ((reason: CallEndReason) => void)[] = [];
  readonly #onEnded: (args: { callEndReason: { code: number; subCode?: number } }) => void;
  #done = false;

  constructor(incoming: IncomingCallPort, provider: AzureProvider) {
    this.#incoming = incoming;
    this.#provider = provider;
    this.id = incoming.id;
    const identifier = incoming.callerInfo.identifier;
    const rawId = identifier ? getIdentifierRawId(identifier) : 'unknown';
    this.caller = { identifier: identifierFromRawId(rawId), rawId, displayName: incoming.callerInfo.displayName };
    this.#onEnded = ({ callEndReason }) => {
      if (this.#done) return;
      this.release();
      const reason = endReasonFromCodes(callEndReason.code, callEndReason.subCode ?? 0);
      for (const listener of this.#listeners.splice(0)) listener(reason);
    };
    incoming.on('callEnded', this.#onEnded);
  }

  async accept(options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall> {
    let call: CallPort;
    try {
      call = await this.#incoming.accept(await this.#provider.mediaOptions(options));
    } catch (error) {
      throw callError('accept the call', error);
    }
    this.release();
    return this.#provider.track(call, sink);
  }

  async reject(): Promise<void> {
    try {
      await this.#incoming.reject();
    } catch (error) {
      throw callError('decline the call', error);
    }
  }

  onEnded(listener: (reason: CallEndReason) => void): void {
    this.#listeners.push(listener);
  }

  release(): void {
    if (this.#done) return;
    this.#done = true;
    this.#incoming.off('callEnded', this.#onEnded);
    this.#provider.forgetIncoming(this);
  }
}

// A name in a variable and the ignore hints keep bundlers from following this import: an app that
// never calls must not ship (or fail to resolve) the 7 MB optional peer. Apps that bundle pass
// `calling.loadSdk`.
const SDK_PACKAGE = '@azure/communication-calling';
function loadCallingSdk(): Promise<object> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ SDK_PACKAGE) as Promise<object>;
}

/** Checks that what `loadSdk` returned is the calling SDK module (or its default export). */
function asCallingSdk(loaded: object): CallingSdkPort {
  const candidates: unknown[] = [loaded, (loaded as { default?: unknown }).default];
  for (const candidate of candidates) if (isCallingSdk(candidate)) return candidate;
  throw new SessionError(
    'CALLING_UNAVAILABLE',
    'calling.loadSdk did not return the @azure/communication-calling module (expected CallClient, LocalVideoStream and Features)',
  );
}

function isCallingSdk(value: unknown): value is CallingSdkPort {
  if (typeof value !== 'object' || value === null) return false;
  const { CallClient, LocalVideoStream, Features } = value as Record<string, unknown>;
  return (
    typeof CallClient === 'function' && typeof LocalVideoStream === 'function' && typeof Features === 'object' && Features !== null && 'DataChannel' in Features
  );
}

function sdkCall<T>(what: string, create: () => T): T {
  try {
    return create();
  } catch (error) {
    throw callError(what, error);
  }
}

function callError(what: string, error: unknown): SessionError {
  if (isSessionError(error)) return error;
  const { code, subCode } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; subCode?: unknown };
  return new SessionError('CALL_FAILED', `Could not ${what}`, {
    cause: error,
    ...(typeof code === 'number' && { acsCode: String(code) }),
    ...(typeof subCode === 'number' && { acsSubCode: subCode }),
  });
}

function agentError(error: unknown): SessionError {
  const failed = callError('create the call agent', error);
  // 401/403 from agent creation mean the token was refused.
  return failed.acsCode === '401' || failed.acsCode === '403'
    ? new SessionError('UNAUTHORIZED', 'ACS refused the token when creating the call agent', {
        cause: error,
        acsCode: failed.acsCode,
        acsSubCode: failed.acsSubCode,
      })
    : failed;
}

function camel(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}
