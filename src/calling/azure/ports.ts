/**
 * The narrow ports through which the azure provider reaches `@azure/communication-calling`. Each
 * is a `Pick<>` of the SDK type, with members that hand out other SDK objects re-typed to the
 * ports of those objects; the `Satisfies` checks at the end make the real SDK types prove they
 * fit, so an SDK upgrade that changes a signature fails to compile. Unit tests implement these
 * with hand-written fakes. Types only: nothing here loads the SDK.
 * @internal
 */
import type {
  AddPhoneNumberOptions,
  Call,
  CallInfo,
  CallAgent,
  CallAgentOptions,
  CallClient,
  CallClientOptions,
  CallEndReason as SdkCallEndReason,
  CollectionUpdatedEvent,
  ConnectionStateChangedEvent,
  DataChannelCallFeature,
  DataChannelReceiver,
  DataChannelSender,
  DataChannelSenderOpenOptions,
  DeviceManager,
  Features,
  GroupLocator,
  IncomingCall,
  PropertyChangedEvent,
  RemoteParticipant,
  RoomLocator,
  StartCallOptions as SdkStartCallOptions,
  TeamsMeetingIdLocator,
  TeamsMeetingLinkLocator,
  VideoDeviceInfo,
} from '@azure/communication-calling';
import type * as CallingSdk from '@azure/communication-calling';
import type {
  CommunicationIdentifier,
  CommunicationTokenCredential,
  CommunicationUserIdentifier,
  MicrosoftTeamsUserIdentifier,
  PhoneNumberIdentifier,
} from '@azure/communication-common';

/** A remote participant. */
export interface RemoteParticipantPort extends Pick<RemoteParticipant, 'identifier' | 'displayName' | 'state' | 'isMuted' | 'isSpeaking'> {
  on(event: 'stateChanged' | 'isMutedChanged' | 'isSpeakingChanged' | 'displayNameChanged', listener: PropertyChangedEvent): void;
  off(event: 'stateChanged' | 'isMutedChanged' | 'isSpeakingChanged' | 'displayNameChanged', listener: PropertyChangedEvent): void;
}

/** A data-channel receiver. */
export type DataChannelReceiverPort = Pick<DataChannelReceiver, 'channelId' | 'senderParticipantIdentifier' | 'readMessage' | 'on' | 'off'>;

/** A data-channel sender. */
export type DataChannelSenderPort = Pick<DataChannelSender, 'channelId' | 'maxMessageSize' | 'setParticipants' | 'sendMessage' | 'close'>;

/** The DataChannel call feature. */
export interface DataChannelPort {
  createDataChannelSender(options: DataChannelSenderOpenOptions): DataChannelSenderPort;
  on(event: 'dataChannelReceiverCreated', listener: (receiver: DataChannelReceiverPort) => void): void;
  off(event: 'dataChannelReceiverCreated', listener: (receiver: DataChannelReceiverPort) => void): void;
}

/** The factory `Features.DataChannel`. */
export type DataChannelFactory = (typeof Features)['DataChannel'];

/** The call events the provider listens to (all payload-less). */
export type CallPropertyEvent = 'stateChanged' | 'isMutedChanged' | 'isScreenSharingOnChanged' | 'isLocalVideoStartedChanged';

/** A call (outgoing or accepted). Video streams are opaque: the provider only passes them back. */
export interface CallPort extends Pick<
  Call,
  | 'id'
  | 'state'
  | 'callEndReason'
  | 'direction'
  | 'isMuted'
  | 'isScreenSharingOn'
  | 'isLocalVideoStarted'
  | 'mute'
  | 'unmute'
  | 'hold'
  | 'resume'
  | 'sendDtmf'
  | 'hangUp'
  | 'startScreenSharing'
  | 'stopScreenSharing'
  | 'removeParticipant'
> {
  readonly remoteParticipants: ReadonlyArray<RemoteParticipantPort>;
  readonly localVideoStreams: ReadonlyArray<object>;
  /** Its `threadId` is a Teams meeting's chat thread, once the SDK knows it. */
  readonly info: Pick<CallInfo, 'threadId'>;
  addParticipant(identifier: CommunicationUserIdentifier | MicrosoftTeamsUserIdentifier): RemoteParticipantPort;
  addParticipant(identifier: PhoneNumberIdentifier, options?: AddPhoneNumberOptions): RemoteParticipantPort;
  startVideo(stream: object): Promise<void>;
  stopVideo(stream: object): Promise<void>;
  feature(factory: DataChannelFactory): DataChannelPort;
  on(event: CallPropertyEvent, listener: PropertyChangedEvent): void;
  on(event: 'remoteParticipantsUpdated', listener: (args: { added: RemoteParticipantPort[]; removed: RemoteParticipantPort[] }) => void): void;
  off(event: CallPropertyEvent, listener: PropertyChangedEvent): void;
  off(event: 'remoteParticipantsUpdated', listener: (args: { added: RemoteParticipantPort[]; removed: RemoteParticipantPort[] }) => void): void;
}

/** Media options of start, join and accept; video streams are opaque (made by `LocalVideoStream`). */
export interface MediaOptionsPort {
  audioOptions?: { muted?: boolean };
  videoOptions?: { localVideoStreams?: object[] };
}

/** A call ringing this agent. */
export interface IncomingCallPort extends Pick<IncomingCall, 'id' | 'callerInfo' | 'reject'> {
  accept(options?: MediaOptionsPort): Promise<CallPort>;
  on(event: 'callEnded', listener: (args: { callEndReason: SdkCallEndReason }) => void): void;
  off(event: 'callEnded', listener: (args: { callEndReason: SdkCallEndReason }) => void): void;
}

/** The call agent: one per session. */
export interface CallAgentPort extends Pick<CallAgent, 'connectionState' | 'dispose'> {
  startCall(participants: CommunicationIdentifier[], options?: MediaOptionsPort & Pick<SdkStartCallOptions, 'alternateCallerId'>): CallPort;
  join(locator: GroupLocator | RoomLocator | TeamsMeetingLinkLocator | TeamsMeetingIdLocator, options?: MediaOptionsPort): CallPort;
  on(event: 'incomingCall', listener: (args: { incomingCall: IncomingCallPort }) => void): void;
  on(event: 'connectionStateChanged', listener: ConnectionStateChangedEvent): void;
  on(event: 'callsUpdated', listener: (args: { added: CallPort[]; removed: CallPort[] }) => void): void;
  off(event: 'incomingCall', listener: (args: { incomingCall: IncomingCallPort }) => void): void;
  off(event: 'connectionStateChanged', listener: ConnectionStateChangedEvent): void;
  off(event: 'callsUpdated', listener: (args: { added: CallPort[]; removed: CallPort[] }) => void): void;
}

/** The device manager (cameras for video). */
export type DeviceManagerPort = Pick<DeviceManager, 'getCameras'>;

/** The call client: one per session. */
export interface CallClientPort extends Pick<CallClient, 'dispose'> {
  createCallAgent(credential: CommunicationTokenCredential, options?: CallAgentOptions): Promise<CallAgentPort>;
  getDeviceManager(): Promise<DeviceManagerPort>;
}

/** What the provider takes from the SDK module. */
export interface CallingSdkPort {
  CallClient: new (options?: CallClientOptions) => CallClientPort;
  LocalVideoStream: new (source: VideoDeviceInfo) => object;
  Features: { DataChannel: DataChannelFactory };
}

// The real SDK types must satisfy the ports: a signature change in the SDK fails here.
type Satisfies<Port, Real extends Port> = Real;
export type SdkFitsPorts = [
  Satisfies<RemoteParticipantPort, RemoteParticipant>,
  Satisfies<DataChannelReceiverPort, DataChannelReceiver>,
  Satisfies<DataChannelSenderPort, DataChannelSender>,
  Satisfies<DataChannelPort, DataChannelCallFeature>,
  Satisfies<CallPort, Call>,
  Satisfies<IncomingCallPort, IncomingCall>,
  Satisfies<CallAgentPort, CallAgent>,
  Satisfies<DeviceManagerPort, DeviceManager>,
  Satisfies<CallClientPort, CallClient>,
  Satisfies<CallingSdkPort, typeof CallingSdk>,
];

/** Re-exported for fakes. */
export type { CollectionUpdatedEvent };
