import type { DataChannelCallFeature, DataChannelReceiver, DataChannelSender } from '@azure/communication-calling';

/**
 * The part of the ACS DataChannel call feature (`call.feature(Features.DataChannel)`) the ACS
 * transport uses. Written as a `Pick<>` of the real type, so an SDK change that breaks us fails to compile.
 * @example
 * ```ts
 * const feature: DataChannelFeaturePort = call.feature(Features.DataChannel);
 * ```
 */
export type DataChannelFeaturePort = Pick<DataChannelCallFeature, 'createDataChannelSender' | 'on' | 'off'>;

/**
 * The part of an ACS `DataChannelSender` the transport uses.
 * @example
 * ```ts
 * const sender: DataChannelSenderPort = feature.createDataChannelSender({ channelId: 1000, reliability: 'Durable' });
 * ```
 */
export type DataChannelSenderPort = Pick<DataChannelSender, 'channelId' | 'maxMessageSize' | 'setParticipants' | 'sendMessage' | 'close'>;

/**
 * The part of an ACS `DataChannelReceiver` the transport uses.
 * @example
 * ```ts
 * feature.on('dataChannelReceiverCreated', (receiver: DataChannelReceiverPort) => receiver.readMessage());
 * ```
 */
export type DataChannelReceiverPort = Pick<DataChannelReceiver, 'channelId' | 'senderParticipantIdentifier' | 'on' | 'off' | 'readMessage'>;
