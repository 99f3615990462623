/**
 * acs-session: one typed session facade over the Azure Communication Services client libraries.
 * @packageDocumentation
 */
export { SessionError, SessionErrorCodes, isSessionError } from './errors.js';
export type { SessionErrorCode, SessionErrorOptions } from './errors.js';

export { createSession } from './session/create-session.js';
export type {
  ConnectionState,
  Session,
  SessionEvent,
  SessionEvents,
  SessionOptions,
  SessionState,
  SessionTokens,
  StateChangedEvent,
  ChatRealtime,
  ChatRealtimeChangedEvent,
  StateChangeReason,
  WaitForStateOptions,
} from './session/types.js';

export type {
  AddParticipantsOptions,
  Chat,
  ChatAttachment,
  ChatMessage,
  ChatMessageType,
  ChatParticipant,
  ChatParticipants,
  ChatReadReceipt,
  ChatRequestOptions,
  ChatThread,
  ChatThreadProperties,
  ChatThreadState,
  ChatThreadSummary,
  CreateThreadOptions,
  EditMessageOptions,
  ListMessagesOptions,
  SendMessageOptions,
  UpdateThreadOptions,
} from './chat/types.js';
export type {
  ChatEvents,
  MessageDeletedEvent,
  MessageEditedEvent,
  MessageReceivedEvent,
  ParticipantsAddedEvent,
  ParticipantsRemovedEvent,
  ReadReceiptReceivedEvent,
  ThreadCreatedEvent,
  ThreadDeletedEvent,
  ThreadUpdatedEvent,
  TypingReceivedEvent,
} from './chat/events.js';
export type { ChatOptions } from './chat/options.js';
export type { AcsClientOptions } from './chat/clients.js';
export { toIdentifier, toPerson } from './identifiers/identifier.js';
export type { Identifier, Person, PersonId, PersonInput } from './identifiers/identifier.js';

export { createTokenRefresher } from './token/refresher.js';
export { fetchToken } from './token/fetch-token.js';
export type { FetchTokenInit } from './token/fetch-token.js';
export type { GetTokenOptions, TokenRefresher } from './token/refresher.js';
export type { RetryOptions } from './token/backoff.js';
export type {
  SessionUser,
  TokenEvents,
  TokenExpiredEvent,
  TokenFetchContext,
  TokenFetcher,
  TokenFetchReason,
  TokenFetchResult,
  TokenInfo,
  TokenRefreshedEvent,
  TokenRefreshFailedEvent,
  TokenRefresherOptions,
  TokenSource,
} from './token/types.js';

export type { TypedEventSource } from './events/event-source.js';
export type { EventStream } from './events/event-stream.js';
export type {
  AnyEvent,
  ErrorEvent,
  EventMap,
  EventMapWithError,
  EventNames,
  EventIterator,
  EventsOptions,
  Listener,
  OverflowPolicy,
  Unsubscribe,
  WaitForOptions,
} from './events/types.js';
export type { AbortSignalLike } from './internal/abort.js';

export type { CallEndReason, CallEndReasonKind } from './calling/end-reason.js';
export type {
  AcceptCallOptions,
  Call,
  CallLocator,
  CallParticipant,
  CallParticipants,
  CallSnapshot,
  CallState,
  DtmfTone,
  HangUpOptions,
  IncomingCall,
  JoinCallOptions,
  ParticipantState,
  SessionCalls,
  StartCallOptions,
  StartVideoOptions,
} from './calling/types.js';
export type {
  CallDataErrorEvent,
  CallEndedEvent,
  CallEvents,
  CallIncomingFileEvent,
  CallStartedEvent,
  CallStateChangedEvent,
  IncomingCallEndedEvent,
  IncomingCallEvent,
  ParticipantChange,
  ParticipantJoinedEvent,
  ParticipantLeftEvent,
  ParticipantUpdatedEvent,
} from './calling/events.js';
export type { CallingOptions, CallingProviderName, CallingSetting, IceServer } from './calling/options.js';
// `call.data`'s types; the data helper's code is loaded with the first call (and `createCallData` lives in `acs-session/data`).
export type { CallData, CallDataEvents, ChannelOptions, DataErrorEvent, IncomingFileEvent } from './data/call-data.js';
export type { CallDataChannel, ChannelEvents, ChannelMessageEvent, ChannelSendOptions } from './data/channel.js';
export type { Codec, CodecName } from './data/codec.js';
export type { FileSource, SendFileOptions } from './data/files.js';
export type { FileProgress, IncomingFile, IncomingFileState } from './data/incoming-file.js';
export type { CallDataOptions } from './data/options.js';
export type { DataParticipant, DataRecipient } from './data/participant.js';
export type { RpcContext, RpcErrorDetails, RpcHandler, RpcRequestOptions } from './data/rpc.js';
export type { DataReliability } from './data/transport.js';
