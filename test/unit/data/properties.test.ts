import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallData } from '../../../src/data/call-data.js';
import { MAX_CHUNK_HEADER, decodeFrame, messageHeaderLength } from '../../../src/data/frame.js';
import { createMemoryNetwork } from '../../../src/data/memory-transport.js';
import { createTestCallDataPair } from '../../../src/testing/index.js';
import { seededRandom } from '../../support/random.js';
import { closeAll, closeLater, collectDataErrors, droppingTransport, pattern, sameBytes, settle } from './support.js';

// Property tests with a seeded PRNG: each case draws its sizes and values from its seed, so a
// failure names the seed that reproduces it.

const MiB = 1024 * 1024;
const MAX_SIZE = 5 * MiB;

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

type Random = () => number;

/** The id a test wrote into the first 4 bytes of a value (a received value may be a view into a frame). */
const idOf = (value: Uint8Array) => new DataView(value.buffer, value.byteOffset, value.length).getUint32(0);

/** A size from 0 to `max`, log-uniform, so that small, medium and large values all come up. */
function logSize(random: Random, max: number): number {
  return Math.min(max, Math.floor(Math.exp(random() * Math.log(max + 2))) - 1);
}

/** The sizes where framing changes for a frame size: one frame or two, chunk counts whose varint grows. */
function edgeSizes(maxFrame: number): number[] {
  const single = maxFrame - messageHeaderLength(0);
  const chunk = maxFrame - MAX_CHUNK_HEADER;
  const sizes = [0, 1, single - 1, single, single + 1, maxFrame, maxFrame + 1];
  for (const count of [2, 127, 128, 129]) sizes.push(chunk * count - 1, chunk * count, chunk * count + 1);
  return sizes.filter((size) => size >= 0 && size <= MAX_SIZE);
}

/** A string of about `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
function randomText(random: Random, bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  const alphabet = ['a', 'Z', ' ', '"', '\\', '\n', 'é', 'ß', '€', '中', '🙂', '𝄞'];
  while (length < bytes) {
    const char = alphabet[Math.floor(random() * alphabet.length)]!;
    parts.push(char);
    length += new TextEncoder().encode(char).length;
  }
  return parts.join('');
}

/** A JSON value of about `bytes` bytes once encoded: nested arrays and objects of strings, numbers, booleans and nulls. */
function randomJson(random: Random, bytes: number, depth = 0): unknown {
  if (bytes < 16 || depth > 4) {
    const pick = random();
    return pick < 0.25 ? Math.round(random() * 1e6) / 100 : pick < 0.5 ? randomText(random, bytes) : pick < 0.75 ? random() < 0.5 : null;
  }
  const parts = 1 + Math.floor(random() * 4);
  const share = Math.floor(bytes / parts);
  if (random() < 0.5) return Array.from({ length: parts }, () => randomJson(random, share, depth + 1));
  return Object.fromEntries(Array.from({ length: parts }, (_, i) => [`k${i}${randomText(random, 2)}`, randomJson(random, share, depth + 1)]));
}

describe('property: any value arrives intact over small frames', () => {
  // 64 is the smallest frame the helper accepts; 100 makes chunk sizes that are not powers of two.
  for (const [maxMessageSize, seed] of [
    [64, 1],
    [100, 2],
    [1_024, 3],
    [4_096, 4],
  ] as const) {
    it(`payloads from 0 bytes to 5 MB, every codec, three topics at once, ${maxMessageSize}-byte frames (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const [a, b] = createTestCallDataPair({ maxMessageSize });
      closeLater(a, b);
      const errors = collectDataErrors(b);

      // Byte sizes: the framing edges for this frame size, random ones, and the 5 MB maximum.
      const sizes = [...edgeSizes(maxMessageSize), ...Array.from({ length: 8 }, () => logSize(random, MAX_SIZE)), MAX_SIZE];
      const binary = sizes.map((size, i) => pattern(size, seed * 1_000 + i));
      // Text and JSON are built value by value, so they stay smaller: 256 KiB at most.
      const textSizes = [0, 1, ...Array.from({ length: 6 }, () => logSize(random, MiB / 4)), MiB / 4];
      const texts = textSizes.map((size) => randomText(random, size));
      const jsons = textSizes.map((size) => randomJson(random, size));

      const got = { binary: [] as Uint8Array[], text: [] as string[], json: [] as unknown[] };
      b.channel<Uint8Array>('binary', { codec: 'binary' }).on('message', ({ value }) => got.binary.push(value));
      b.channel<string>('text', { codec: 'text' }).on('message', ({ value }) => got.text.push(value));
      b.channel('json').on('message', ({ value }) => got.json.push(value));
      const binarySender = a.channel<Uint8Array>('binary', { codec: 'binary' });
      const textSender = a.channel<string>('text', { codec: 'text' });
      const jsonSender = a.channel('json');
      // All at once: the three topics take turns frame by frame, each keeps its own order.
      await Promise.all([
        ...binary.map((value) => binarySender.send(value)),
        ...texts.map((value) => textSender.send(value)),
        ...jsons.map((value) => jsonSender.send(value)),
      ]);
      await vi.waitFor(() => expect(got.binary.length + got.text.length + got.json.length).toBe(binary.length + texts.length + jsons.length));

      expect(errors).toEqual([]);
      got.binary.forEach((value, i) => expect(sameBytes(value, binary[i]!), `binary value ${i} (${binary[i]!.length} bytes)`).toBe(true));
      got.text.forEach((value, i) => expect(value === texts[i], `text value ${i}`).toBe(true));
      got.json.forEach((value, i) => expect(JSON.stringify(value) === JSON.stringify(jsons[i]), `json value ${i}`).toBe(true));
      expect(b.pendingWork.partialMessages).toBe(0);
    }, 60_000);
  }

  it('never hands the transport a frame over its maxMessageSize', async () => {
    const random = seededRandom(5);
    for (const maxMessageSize of [64, 65, 99, 100, 257, 1_000]) {
      const network = createMemoryNetwork({ maxMessageSize });
      const largest = { frame: 0 };
      const spy = droppingTransport(network.connect('8:acs:a'), (_index, _reliability, bytes) => {
        largest.frame = Math.max(largest.frame, bytes.length);
        return false;
      });
      const a = createCallData(spy);
      const b = createCallData(network.connect('8:acs:b'));
      closeLater(a, b);
      const got: Uint8Array[] = [];
      b.channel<Uint8Array>('x', { codec: 'binary' }).on('message', ({ value }) => got.push(value));
      const payloads = [...edgeSizes(maxMessageSize).filter((size) => size < 100_000), ...Array.from({ length: 10 }, () => logSize(random, 100_000))].map(
        (size, i) => pattern(size, i),
      );
      const sender = a.channel<Uint8Array>('x', { codec: 'binary' });
      for (const payload of payloads) await sender.send(payload);
      await settle();
      expect(largest.frame, `maxMessageSize ${maxMessageSize}`).toBeLessThanOrEqual(maxMessageSize);
      expect(got.length).toBe(payloads.length);
      got.forEach((value, i) => expect(sameBytes(value, payloads[i]!)).toBe(true));
    }
  });

  it('lossy values of random sizes arrive whole and exactly once when frames are reordered', async () => {
    for (const seed of [11, 12, 13]) {
      const random = seededRandom(seed);
      const [a, b] = createTestCallDataPair({ maxMessageSize: 128, reorder: 0.5, random: seededRandom(seed + 100), data: { maxPartialMessages: 64 } });
      closeLater(a, b);
      const got = new Map<number, Uint8Array[]>();
      b.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' }).on('message', ({ value }) => {
        const id = idOf(value);
        got.set(id, [...(got.get(id) ?? []), value]);
      });
      const sender = a.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' });
      const payloads = Array.from({ length: 40 }, (_, id) => {
        const payload = pattern(4 + logSize(random, 20_000), seed * 100 + id);
        new DataView(payload.buffer).setUint32(0, id);
        return payload;
      });
      for (const payload of payloads) await sender.send(payload);
      await vi.waitFor(() => expect(got.size, `seed ${seed}`).toBe(payloads.length));
      await settle();
      payloads.forEach((payload, id) => {
        expect(got.get(id)?.length, `seed ${seed}, value ${id} delivered once`).toBe(1);
        expect(sameBytes(got.get(id)?.[0], payload), `seed ${seed}, value ${id}`).toBe(true);
      });
    }
  });
});

describe('property: lossy loss drops whole values, never parts', () => {
  for (const seed of [21, 22, 23]) {
    it(`delivers exactly the values that lost no frame and reports each partly lost one (seed ${seed})`, async () => {
      vi.useFakeTimers();
      const random = seededRandom(seed);
      const network = createMemoryNetwork({ maxMessageSize: 128, reorder: 0.3, random: seededRandom(seed + 100) });
      // Which frames of which value were lost, decoded from what the sender handed over.
      const lost = new Map<number, { lost: number; frames: number }>();
      const a = createCallData(
        droppingTransport(network.connect('8:acs:a'), (_index, _reliability, bytes) => {
          const frame = decodeFrame(bytes);
          if (typeof frame === 'string' || (frame.kind !== 1 && frame.kind !== 2)) throw new Error('unexpected frame');
          const drop = random() < 0.05;
          const entry = lost.get(frame.seq) ?? { lost: 0, frames: 0 };
          lost.set(frame.seq, { lost: entry.lost + (drop ? 1 : 0), frames: entry.frames + 1 });
          return drop;
        }),
      );
      const b = createCallData(network.connect('8:acs:b'), { reassemblyTimeoutMs: { lossy: 1_000 }, maxPartialMessages: 64 });
      closeLater(a, b);
      const errors = collectDataErrors(b);
      const got: Uint8Array[] = [];
      b.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' }).on('message', ({ value }) => got.push(value));
      const sender = a.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' });
      const payloads = Array.from({ length: 60 }, (_, seq) => {
        const payload = pattern(4 + logSize(random, 3_000), seed * 100 + seq);
        new DataView(payload.buffer).setUint32(0, seq);
        return payload;
      });
      // Not awaited one by one: the send queue yields to the event loop, whose timers are fake here.
      const sends = payloads.map((payload) => sender.send(payload));
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all(sends);
      // Before the timeout: every value that lost nothing has arrived, intact and once; no part of any other.
      const intact = payloads.filter((_, seq) => lost.get(seq)!.lost === 0);
      const bySeq = (values: Uint8Array[]) => [...values].sort((x, y) => idOf(x) - idOf(y));
      expect(got.length).toBe(intact.length);
      bySeq(got).forEach((value, i) => expect(sameBytes(value, intact[i]!)).toBe(true));
      const partlyLost = [...lost.values()].filter((entry) => entry.lost > 0 && entry.lost < entry.frames).length;
      expect(partlyLost, 'the seed loses some frames of some multi-frame values').toBeGreaterThan(0);
      expect(b.pendingWork.partialMessages).toBe(partlyLost);
      // After it: each partly lost value is reported once and nothing is held.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(errors.map((event) => event.error.code)).toEqual(Array(partlyLost).fill('DATA_INCOMPLETE'));
      expect(b.pendingWork.partialMessages).toBe(0);
      expect(got.length).toBe(intact.length);
    });
  }
});
