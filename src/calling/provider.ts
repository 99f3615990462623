import type { CommunicationTokenCredential } from '@azure/communication-common';
import type { SessionError } from '../errors.js';
import type { CallEndReason } from './end-reason.js';
import type { DataTransport } from '../data/transport.js';
import type { ResolvedPerson } from './person.js';
import type { AcceptCallOptions, AddParticipantOptions, CallLocator, CallState, DtmfTone, ParticipantState, StartVideoOptions } from './types.js';

/**
 * The port between `session.calls` and a calling provider (azure, local). A provider turns its
 * SDK's objects into whole views ({@link ProviderCallView}) pushed to a {@link ProviderCallSink};
 * the generic call object diffs them into events. Providers never import the session: they get
 * what they need in {@link ProviderContext}.
 * @internal
 */
export interface CallingProvider {
  readonly name: 'azure' | 'local';
  /** Connects (CallAgent, socket); idempotent; incoming calls arrive through `context.incoming`. */
  connect(signal: AbortSignal | undefined): Promise<void>;
  start(targets: readonly ResolvedPerson[], options: ProviderStartOptions, sink: ProviderCallSink): Promise<ProviderCall>;
  join(locator: CallLocator, options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall>;
  /** Hangs up whatever is left and releases everything (agent, socket, listeners, timers). */
  dispose(): Promise<void>;
}

/** A provider's frame carrier for `call.data`: a {@link DataTransport} with an end. @internal */
export interface ProviderDataTransport extends DataTransport {
  close(): void;
}

/** What a provider is given by the session. @internal */
export interface ProviderContext {
  endpoint: string;
  displayName: string | undefined;
  /** The session's raw id. */
  selfRawId(): string;
  /** The shared token getter. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** The shared credential (the azure provider gives it to the CallAgent). */
  credential: CommunicationTokenCredential;
  /** A call is ringing. */
  incoming(call: ProviderIncomingCall): void;
  /** Something failed in the background with nobody awaiting it. */
  reportError(error: unknown, source: string): void;
  /** The provider's service said the token is no longer good (e.g. the agent's `invalidToken`). */
  tokenRejected(): void;
  /**
   * The provider's link to its service dropped (`false`: the agent went `Disconnected`, the socket
   * closed; calls cannot ring this session) or is back (`true`). Repeats are harmless.
   */
  connectivity(connected: boolean, error?: SessionError): void;
  /** Fires at session dispose. */
  signal: AbortSignal;
}

/** @internal */
export interface ProviderStartOptions extends AcceptCallOptions {
  alternateCallerId?: string | undefined;
}

/** A remote participant as a provider reports it. @internal */
export interface ProviderParticipant {
  rawId: string;
  displayName: string | undefined;
  state: ParticipantState;
  isMuted: boolean;
  isSpeaking: boolean;
}

/** A whole view of one call. @internal */
export interface ProviderCallView {
  state: CallState;
  isMuted: boolean;
  isVideoOn: boolean;
  isScreenSharing: boolean;
  participants: readonly ProviderParticipant[];
}

/** Where a provider pushes a call's changes. @internal */
export interface ProviderCallSink {
  update(view: ProviderCallView): void;
  ended(reason: CallEndReason): void;
}

/** One call as a provider handles it. @internal */
export interface ProviderCall {
  readonly id: string;
  mute(muted: boolean): Promise<void>;
  hold(held: boolean): Promise<void>;
  startVideo(options: StartVideoOptions): Promise<void>;
  stopVideo(): Promise<void>;
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
  sendDtmf(tone: DtmfTone): Promise<void>;
  hangUp(forEveryone: boolean): Promise<void>;
  removeParticipant(person: ResolvedPerson): Promise<void>;
  /** Rings `person` into the call; `alternateCallerId` was checked for phone numbers. */
  addParticipant(person: ResolvedPerson, options: AddParticipantOptions): Promise<void>;
  /**
   * The frame carrier `call.data` is built on, listening from the moment the provider's call object
   * existed (ACS drops frames nobody listens for yet); `undefined` when the data channel is off.
   * Closed by `call.data` (or by `release()`).
   */
  readonly dataTransport: ProviderDataTransport | undefined;
  /** The call's chat thread id once the provider knows it (azure: a Teams meeting's, from the SDK's call info). */
  readonly threadId?: string | undefined;
  /** Why there is no `dataTransport` although the data channel is on (e.g. the SDK refused to open it). */
  readonly dataUnavailable?: SessionError | undefined;
  /** Releases listeners without hanging up (the call already ended). */
  release(): void;
}

/** A call ringing, as a provider reports it. @internal */
export interface ProviderIncomingCall {
  readonly id: string;
  readonly caller: ResolvedPerson;
  accept(options: AcceptCallOptions, sink: ProviderCallSink): Promise<ProviderCall>;
  reject(): Promise<void>;
  /** Called once when it stops ringing without being accepted here. */
  onEnded(listener: (reason: CallEndReason) => void): void;
}
