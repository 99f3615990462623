import { createTestCallDataPair } from '../../../src/testing/index.js';
import type { DataReliability, DataTransport, TransportMessage, TransportSendOptions } from '../../../src/data/transport.js';
import type { CallData } from '../../../src/data/call-data.js';
import type { DataErrorEvent } from '../../../src/data/call-data.js';

/** A payload whose bytes depend on their position and a seed, so misplaced chunks show. */
export function pattern(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** Lets every queued microtask and zero-delay frame run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Collects a CallData's dataError events. */
export function collectDataErrors(data: CallData): DataErrorEvent[] {
  const errors: DataErrorEvent[] = [];
  data.on('dataError', (event) => errors.push(event));
  return errors;
}

/**
 * A transport in front of another that drops the frames `drop` picks (by the sender's count of
 * frames per reliability), for deterministic loss.
 */
export function droppingTransport(
  inner: DataTransport,
  drop: (index: number, reliability: DataReliability, bytes: Uint8Array) => boolean,
): DataTransport & { sent: number } {
  const counts: Record<DataReliability, number> = { durable: 0, lossy: 0 };
  const wrapper = {
    sent: 0,
    get maxMessageSize() {
      return inner.maxMessageSize;
    },
    send(bytes: Uint8Array, options: TransportSendOptions): Promise<void> {
      const index = counts[options.reliability]++;
      wrapper.sent++;
      if (drop(index, options.reliability, bytes)) return Promise.resolve();
      return inner.send(bytes, options);
    },
    onMessage(listener: (message: TransportMessage) => void) {
      return inner.onMessage(listener);
    },
    close() {
      inner.close?.();
    },
  };
  return wrapper;
}

/** Byte equality that stays fast for megabytes (deep `toEqual` walks element by element). */
export function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array): boolean {
  return (
    actual !== undefined &&
    Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.length), Buffer.from(expected.buffer, expected.byteOffset, expected.length)) === 0
  );
}

const open: CallData[] = [];

/** Keeps `data` to be closed by {@link closeAll} after the test. Returns what it was given. */
export function closeLater<T extends CallData[]>(...data: T): T {
  open.push(...data);
  return data;
}

/** `createTestCallDataPair`, closed by {@link closeAll} after the test. */
export function pair(...args: Parameters<typeof createTestCallDataPair>): ReturnType<typeof createTestCallDataPair> {
  const created = createTestCallDataPair(...args);
  open.push(...created);
  return created;
}

/** Closes every CallData made with {@link pair} or kept with {@link closeLater}; call it in `afterEach`. */
export function closeAll(): void {
  for (const data of open.splice(0)) data.close();
}
