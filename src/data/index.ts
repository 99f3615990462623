/**
 * acs-session/data: any payload over a call — typed channels by topic, chunking, RPC, files and
 * paced sending over a {@link DataTransport} (the ACS DataChannel feature, the emulator's relay, or
 * your own). It becomes `call.data` on calls; this entry keeps it out of the main bundle.
 * @packageDocumentation
 */
export { CallData, createCallData } from './call-data.js';
export type { CallDataEvents, ChannelOptions, DataErrorEvent, IncomingFileEvent } from './call-data.js';
export { CallDataChannel } from './channel.js';
export type { ChannelEvents, ChannelMessageEvent, ChannelSendOptions } from './channel.js';
export type { Codec, CodecName } from './codec.js';
export type { FileSource, SendFileOptions } from './files.js';
export { IncomingFile } from './incoming-file.js';
export type { FileProgress, IncomingFileState } from './incoming-file.js';
export type { CallDataOptions } from './options.js';
export type { DataParticipant, DataRecipient } from './participant.js';
export type { RpcContext, RpcErrorDetails, RpcHandler, RpcRequestOptions } from './rpc.js';
export type { DataReliability, DataTransport, TransportMessage, TransportSendOptions } from './transport.js';
export { createAcsDataTransport, MAX_RECIPIENTS_PER_SEND } from './acs/acs-transport.js';
export type { AcsDataTransport, AcsDataTransportOptions } from './acs/acs-transport.js';
export type { DataChannelFeaturePort, DataChannelReceiverPort, DataChannelSenderPort } from './acs/ports.js';
export { createMemoryNetwork } from './memory-transport.js';
export type { MemoryNetwork, MemoryNetworkOptions, MemoryTransport } from './memory-transport.js';
export type { EventStream } from '../events/event-stream.js';
export type { TypedEventSource } from '../events/event-source.js';
export type {
  AnyEvent,
  ErrorEvent,
  EventIterator,
  EventMap,
  EventMapWithError,
  EventsOptions,
  Listener,
  OverflowPolicy,
  Unsubscribe,
  WaitForOptions,
} from '../events/types.js';
export type { AbortSignalLike } from '../internal/abort.js';
