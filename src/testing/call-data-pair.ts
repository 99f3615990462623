import { CallData } from '../data/call-data.js';
import { createMemoryNetwork, type MemoryNetworkOptions, type MemoryTransport } from '../data/memory-transport.js';
import type { CallDataOptions } from '../data/options.js';
import { participantFromRawId, type DataParticipant } from '../data/participant.js';
import type { DataReliability } from '../data/transport.js';

/**
 * Options for {@link createTestCallDataPair}: the in-memory network's (loss and reordering apply to
 * lossy channels only), the raw ids of the two sides, and the options of both `CallData`.
 * @example
 * ```ts
 * createTestCallDataPair({ maxMessageSize: 1024, latencyMs: 2, loss: 0.1, reorder: 0.1, data: { rpcTimeoutMs: 500 } });
 * ```
 */
export interface TestCallDataPairOptions extends MemoryNetworkOptions {
  /** Raw ids of the two participants. Default `['8:acs:test_a', '8:acs:test_b']`. */
  ids?: readonly [string, string] | undefined;
  /** Options of both `CallData` objects. */
  data?: CallDataOptions | undefined;
}

/**
 * A {@link CallData} joined to an in-memory network, with its participant and a way to feed it
 * arbitrary frames.
 * @example
 * ```ts
 * const [a, b] = createTestCallDataPair();
 * b.deliverRaw(Uint8Array.of(1, 2, 3), { from: a.self.rawId }); // reported as a dataError
 * ```
 */
export class TestCallData extends CallData {
  /** This side's participant: what the other side sees as `from`. */
  readonly self: DataParticipant;
  readonly #transport: MemoryTransport;

  /** @internal */
  constructor(transport: MemoryTransport, options: CallDataOptions | undefined) {
    super(transport, options);
    this.#transport = transport;
    this.self = participantFromRawId(transport.self);
  }

  /**
   * Hands `bytes` to this side's receiver as a frame from `from`, synchronously: for testing how your
   * code (and the helper) copes with odd input.
   * @example
   * ```ts
   * b.deliverRaw(new Uint8Array(100).fill(0xff), { from: '8:acs:mallory', reliability: 'lossy' });
   * ```
   */
  deliverRaw(bytes: Uint8Array, options: { from: string; reliability?: DataReliability | undefined }): void {
    this.#transport.deliverRaw(bytes, options);
  }
}

/**
 * Two connected `CallData` objects over an in-memory network, for unit tests of your data logic
 * without a call. Close both when done (`a.close(); b.close()`).
 * @throws SessionError `INVALID_OPTIONS` for out-of-range network or data options.
 * @example
 * ```ts
 * const [a, b] = createTestCallDataPair({ maxMessageSize: 1024, loss: 0.1 });
 * const received = b.channel<string>('chat', { codec: 'text' }).messages();
 * await a.channel<string>('chat', { codec: 'text' }).send('hello');
 * expect((await received.next()).value?.value).toBe('hello');
 * ```
 */
export function createTestCallDataPair(options: TestCallDataPairOptions = {}): [TestCallData, TestCallData] {
  const { ids = ['8:acs:test_a', '8:acs:test_b'], data, ...networkOptions } = options;
  const network = createMemoryNetwork(networkOptions);
  return [new TestCallData(network.connect(ids[0]), data), new TestCallData(network.connect(ids[1]), data)];
}
