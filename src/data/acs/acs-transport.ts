import { createIdentifierFromRawId, getIdentifierRawId } from '@azure/communication-common';
import { SessionError, disposedError } from '../../errors.js';
import type { Unsubscribe } from '../../events/types.js';
import { fromAcsError } from '../../internal/from-acs-error.js';
import { backgroundTimer, type BackgroundTimer } from '../../internal/timers.js';
import { KEEP_ALIVE_FRAME } from '../frame.js';
import type { DataReliability, DataTransport, TransportMessage, TransportSendOptions } from '../transport.js';
import type { DataChannelFeaturePort, DataChannelReceiverPort, DataChannelSenderPort } from './ports.js';

/**
 * Options for {@link createAcsDataTransport}.
 * @example
 * ```ts
 * createAcsDataTransport(feature, { channelIds: { durable: 900, lossy: 901 }, bitrateKbps: { durable: 48 } });
 * ```
 */
export interface AcsDataTransportOptions {
  /** The ACS channel ids used per reliability; app ids must be below 1024. Default durable 1000, lossy 1001. */
  channelIds?: Partial<Record<DataReliability, number>> | undefined;
  /** Bitrate asked of each sender (`bitrateInKbps`) and paced under, in kbit/s. Default durable 64, lossy 512 (the ACS caps). */
  bitrateKbps?: Partial<Record<DataReliability, number>> | undefined;
  /** Priority of the lossy sender. `High` is capped at 200 kbps by ACS. Default `Normal`. */
  lossyPriority?: 'Normal' | 'High' | undefined;
  /** A frame goes out on every used sender after this many idle ms, so remote receivers (closed after 2 idle minutes) stay open. Default 60 000. */
  keepAliveMs?: number | undefined;
  /** Frames that arrive before anyone calls `onMessage` are kept, up to this many. Default 256. */
  earlyFrameLimit?: number | undefined;
}

/**
 * The transport {@link createAcsDataTransport} returns: a {@link DataTransport} that must be closed
 * with the call.
 * @example
 * ```ts
 * const transport: AcsDataTransport = createAcsDataTransport(feature);
 * call.on('stateChanged', () => call.state === 'Disconnected' && transport.close());
 * ```
 */
export interface AcsDataTransport extends DataTransport {
  /** The per-reliability bitrate caps the senders were opened with. */
  readonly bitrateKbps: Readonly<Record<DataReliability, number>>;
  /** Stops listening for receivers, detaches every receiver, closes both senders and stops the keep-alive timers. Idempotent. */
  close(): void;
}

/**
 * ACS accepts at most this many participants per sender; sends to more are split.
 * @example
 * ```ts
 * const sends = Math.ceil(recipients.length / MAX_RECIPIENTS_PER_SEND);
 * ```
 */
export const MAX_RECIPIENTS_PER_SEND = 64;
const DEFAULT_CHANNEL_IDS: Record<DataReliability, number> = { durable: 1000, lossy: 1001 };
const DEFAULT_BITRATES: Record<DataReliability, number> = { durable: 64, lossy: 512 };

interface SenderState {
  readonly sender: DataChannelSenderPort;
  /** Sends on one ACS sender run one after another: `setParticipants` + `sendMessage` are a pair. */
  chain: Promise<void>;
  participantsKey: string;
  keepAlive: BackgroundTimer | undefined;
}

/**
 * A {@link DataTransport} over the ACS DataChannel call feature: one sender per reliability on app
 * channel ids below 1024, a receiver for each remote sender on those ids.
 *
 * Create it the moment the call object exists (`callAgent.on('callsUpdated')`, `startCall`, `join`):
 * ACS drops messages that arrive while no `dataChannelReceiverCreated` listener is attached. It
 * drains receivers on `messageReady`, splits sends to more than 64 recipients into several sends,
 * refuses frames over the senders' runtime `maxMessageSize`, and sends a 1-byte keep-alive on
 * a used sender after `keepAliveMs` idle so remote receivers do not close. Only types are imported
 * from `@azure/communication-calling`; the SDK is never loaded by this module.
 *
 * @throws SessionError `INVALID_OPTIONS` (channel ids out of range or equal, bad numbers); `NOT_SUPPORTED` when the feature will not open a sender.
 * @example
 * ```ts
 * import { Features } from '@azure/communication-calling';
 * const call = callAgent.join({ groupId });
 * const data = createCallData(createAcsDataTransport(call.feature(Features.DataChannel)));
 * ```
 */
export function createAcsDataTransport(feature: DataChannelFeaturePort, options: AcsDataTransportOptions = {}): AcsDataTransport {
  return new AcsChannelTransport(feature, options);
}

class AcsChannelTransport implements AcsDataTransport {
  readonly bitrateKbps: Record<DataReliability, number>;
  readonly #feature: DataChannelFeaturePort;
  readonly #channelIds: Record<DataReliability, number>;
  readonly #senders: Record<DataReliability, SenderState>;
  readonly #receivers = new Map<DataChannelReceiverPort, () => void>();
  readonly #listeners = new Set<(message: TransportMessage) => void>();
  readonly #early: TransportMessage[] = [];
  readonly #keepAliveMs: number;
  readonly #earlyFrameLimit: number;
  #closed = false;

  constructor(feature: DataChannelFeaturePort, options: AcsDataTransportOptions) {
    this.#feature = feature;
    this.#channelIds = { ...DEFAULT_CHANNEL_IDS, ...definedOnly(options.channelIds) };
    this.bitrateKbps = { ...DEFAULT_BITRATES, ...definedOnly(options.bitrateKbps) };
    this.#keepAliveMs = options.keepAliveMs ?? 60_000;
    this.#earlyFrameLimit = options.earlyFrameLimit ?? 256;
    validate(this.#channelIds, this.bitrateKbps, this.#keepAliveMs, this.#earlyFrameLimit);
    // Listen before anything else: a remote may already be sending.
    feature.on('dataChannelReceiverCreated', this.#onReceiver);
    const open = (reliability: DataReliability): SenderState => ({
      sender: feature.createDataChannelSender({
        channelId: this.#channelIds[reliability],
        reliability: reliability === 'durable' ? 'Durable' : 'Lossy',
        priority: reliability === 'lossy' ? (options.lossyPriority ?? 'Normal') : 'Normal',
        bitrateInKbps: this.bitrateKbps[reliability],
      }),
      chain: Promise.resolve(),
      participantsKey: '',
      keepAlive: undefined,
    });
    let durable: SenderState | undefined;
    try {
      durable = open('durable');
      this.#senders = { durable, lossy: open('lossy') };
    } catch (error) {
      // No transport after all: leave nothing open or attached on the call.
      durable?.sender.close();
      feature.off('dataChannelReceiverCreated', this.#onReceiver);
      throw new SessionError('NOT_SUPPORTED', 'The DataChannel feature would not open a sender', { cause: error });
    }
  }

  /** The smaller of the two senders' runtime limits (ACS: 32 768). */
  get maxMessageSize(): number {
    return Math.min(this.#senders.durable.sender.maxMessageSize, this.#senders.lossy.sender.maxMessageSize);
  }

  send(bytes: Uint8Array, { to, reliability }: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(disposedError('The ACS data transport'));
    const state = this.#senders[reliability];
    if (!state) return Promise.reject(new SessionError('INVALID_ARGUMENT', `Unknown reliability ${String(reliability)}`));
    if (!(bytes instanceof Uint8Array) || bytes.length === 0)
      return Promise.reject(new SessionError('INVALID_ARGUMENT', 'ACS refuses empty data-channel messages'));
    const limit = state.sender.maxMessageSize;
    if (bytes.length > limit)
      return Promise.reject(new SessionError('DATA_TOO_LARGE', `A ${bytes.length}-byte frame is over the sender's maxMessageSize (${limit})`));
    const groups = recipientGroups(to);
    this.#armKeepAlive(state, reliability);
    return this.#enqueue(state, groups, bytes);
  }

  onMessage(listener: (message: TransportMessage) => void): Unsubscribe {
    const wrapped = (message: TransportMessage) => listener(message);
    this.#listeners.add(wrapped);
    if (this.#early.length > 0) {
      const early = this.#early.splice(0);
      for (const message of early) wrapped(message);
    }
    return () => this.#listeners.delete(wrapped);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#feature.off('dataChannelReceiverCreated', this.#onReceiver);
    for (const detach of [...this.#receivers.values()]) detach();
    this.#receivers.clear();
    for (const state of Object.values(this.#senders)) {
      state.keepAlive?.cancel();
      state.keepAlive = undefined;
      state.sender.close();
    }
    this.#listeners.clear();
    this.#early.length = 0;
  }

  #enqueue(state: SenderState, groups: readonly (readonly string[])[], bytes: Uint8Array): Promise<void> {
    const run = state.chain.then(async () => {
      if (this.#closed) throw disposedError('The ACS data transport');
      for (const group of groups) {
        const key = group.join('\n');
        try {
          if (key !== state.participantsKey) {
            state.sender.setParticipants(group.map((rawId) => createIdentifierFromRawId(rawId)));
            state.participantsKey = key;
          }
          await state.sender.sendMessage(bytes);
        } catch (error) {
          throw fromAcsError(error, { operation: 'Sending a data-channel message' });
        }
      }
    });
    // The chain carries on after a failed send; the caller sees the failure.
    state.chain = run.catch(() => undefined);
    return run;
  }

  /** (Re)starts the idle countdown of a sender; when it runs out, a keep-alive frame goes to everyone. */
  #armKeepAlive(state: SenderState, reliability: DataReliability): void {
    state.keepAlive?.cancel();
    state.keepAlive = backgroundTimer(() => {
      state.keepAlive = undefined;
      if (this.#closed) return;
      this.#armKeepAlive(state, reliability);
      this.#enqueue(state, [[]], KEEP_ALIVE_FRAME).catch(() => undefined);
    }, this.#keepAliveMs);
  }

  readonly #onReceiver = (receiver: DataChannelReceiverPort): void => {
    if (this.#closed || this.#receivers.has(receiver)) return;
    const reliability = receiver.channelId === this.#channelIds.durable ? 'durable' : receiver.channelId === this.#channelIds.lossy ? 'lossy' : undefined;
    if (!reliability) return; // another part of the app owns that channel id
    let from: string;
    try {
      from = getIdentifierRawId(receiver.senderParticipantIdentifier);
    } catch {
      return;
    }
    const drain = () => {
      for (let message = receiver.readMessage(); message; message = receiver.readMessage()) {
        const { data } = message;
        if (data.length === KEEP_ALIVE_FRAME.length && data[0] === KEEP_ALIVE_FRAME[0]) continue;
        this.#deliver({ bytes: data, from, reliability });
      }
    };
    const detach = () => {
      receiver.off('messageReady', drain);
      receiver.off('close', detach);
      this.#receivers.delete(receiver);
    };
    receiver.on('messageReady', drain);
    receiver.on('close', detach);
    this.#receivers.set(receiver, detach);
    drain(); // messages may have queued before we attached
  };

  #deliver(message: TransportMessage): void {
    if (this.#listeners.size === 0) {
      if (this.#early.length < this.#earlyFrameLimit) this.#early.push(message);
      return;
    }
    for (const listener of [...this.#listeners]) listener(message);
  }
}

/** Recipients in groups of at most 64; one empty group (everyone) when there are none. */
function recipientGroups(to: readonly string[] | undefined): (readonly string[])[] {
  if (!to || to.length === 0) return [[]];
  const groups: string[][] = [];
  for (let start = 0; start < to.length; start += MAX_RECIPIENTS_PER_SEND) groups.push(to.slice(start, start + MAX_RECIPIENTS_PER_SEND));
  return groups;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function validate(channelIds: Record<DataReliability, number>, bitrates: Record<DataReliability, number>, keepAliveMs: number, earlyFrameLimit: number): void {
  const problems: string[] = [];
  for (const [reliability, id] of Object.entries(channelIds)) {
    if (!Number.isInteger(id) || id < 1 || id > 1023)
      problems.push(`channelIds.${reliability} must be an integer from 1 to 1023 (ACS assigns 1024 and up itself)`);
  }
  if (channelIds.durable === channelIds.lossy)
    problems.push('channelIds.durable and channelIds.lossy must differ (a second sender on a channel id closes the first)');
  for (const [reliability, kbps] of Object.entries(bitrates)) {
    if (!(kbps > 0) || !Number.isFinite(kbps)) problems.push(`bitrateKbps.${reliability} must be a positive number`);
  }
  if (!(keepAliveMs > 0) || keepAliveMs >= 120_000) problems.push('keepAliveMs must be positive and under 120 000 (ACS closes idle receivers after 2 minutes)');
  if (!Number.isInteger(earlyFrameLimit) || earlyFrameLimit < 0) problems.push('earlyFrameLimit must be 0 or a positive integer');
  if (problems.length > 0) throw new SessionError('INVALID_OPTIONS', `Invalid ACS data transport options: ${problems.join('; ')}`);
}
