import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeFileData, frameMessage, topicId } from '../../../src/data/frame.js';
import { createTestCallDataPair } from '../../../src/testing/index.js';
import { heapUsedAfterGc } from '../../support/heap.js';
import { seededRandom } from '../../support/random.js';
import { closeAll, closeLater, pattern, sameBytes, settle } from './support.js';

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

function randomBytes(length: number, random: () => number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random() * 256;
  return bytes;
}

function mutate(frame: Uint8Array, random: () => number): Uint8Array {
  const copy = frame.slice();
  switch (Math.floor(random() * 5)) {
    case 0: // flip a few bytes, header included
      for (let i = 0; i < 1 + random() * 4; i++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      return copy;
    case 1: // truncate
      return copy.subarray(0, Math.floor(random() * copy.length));
    case 2: // extend with garbage
      return Uint8Array.from([...copy, ...Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256))]);
    case 3: // another version in the first byte
      copy[0] = (Math.floor(random() * 16) << 4) | (copy[0]! & 0x0f);
      return copy;
    default: // a duplicate, unchanged
      return copy;
  }
}

const FRAMES = 100_000;
/** Real traffic goes out after every this many hostile frames. */
const REAL_EVERY = 1_000;

describe('hostile input', () => {
  it('survives 100 000 random and mutated frames: nothing thrown, heap bounded, real traffic intact', async () => {
    const random = seededRandom(1234);
    const [a, b] = createTestCallDataPair({ maxMessageSize: 512, data: { maxPartialMessages: 8 } });
    closeLater(a, b);
    const codes = new Map<string, number>();
    const unattributed: unknown[] = [];
    b.on('dataError', ({ error, from }) => {
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      if (from === undefined) unattributed.push(error);
    });
    const listenerFailures: unknown[] = [];
    b.on('error', (event) => listenerFailures.push(event));
    // Well-formed frames from the hostile senders are delivered too (nothing tells them apart); keep the real ones.
    const fromA =
      <T>(list: T[]) =>
      ({ value, from }: { value: T; from: { rawId: string } }) => {
        if (from.rawId === a.self.rawId) list.push(value);
      };
    const binary: Uint8Array[] = [];
    const json: unknown[] = [];
    const lossy: unknown[] = [];
    b.channel<Uint8Array>('real', { codec: 'binary' }).on('message', fromA(binary));
    b.channel('state').on('message', fromA(json));
    b.channel('cursor', { reliability: 'lossy' }).on('message', fromA(lossy));
    b.channel('json').on('message', () => undefined);
    b.handle('echo', (payload) => payload);
    const files: Promise<Uint8Array>[] = [];
    b.on('incomingFile', ({ file }) => {
      const bytes = file.bytes();
      if (file.from.rawId === a.self.rawId) files.push(bytes);
      else bytes.catch(() => undefined);
    });
    const senders = {
      binary: a.channel<Uint8Array>('real', { codec: 'binary' }),
      json: a.channel('state'),
      lossy: a.channel('cursor', { reliability: 'lossy' }),
    };

    // Material to mutate: frames of every kind the helper produces.
    const utf8 = new TextEncoder();
    const samples = [
      ...frameMessage(topicId('real'), 3, pattern(2_000), 512),
      ...frameMessage(topicId('json'), 0, utf8.encode('{"a":1}'), 512),
      ...frameMessage(0, 0, Uint8Array.of(0, ...utf8.encode('{"i":1,"m":"echo","p":1}')), 512),
      ...frameMessage(0, 1, Uint8Array.of(1, ...utf8.encode('{"i":1,"r":1}')), 512),
      ...frameMessage(1, 0, utf8.encode('{"t":"offer","i":1,"n":"f","y":"","s":10}'), 512),
      ...frameMessage(1, 1, utf8.encode('{"t":"end","i":1,"s":10}'), 512),
      encodeFileData(1, 0, pattern(10)),
      Uint8Array.of(0x10),
    ];
    const hostile = ['8:acs:mallory', '8:acs:trudy', '8:acs:eve'];
    const sent = { binary: [] as Uint8Array[], json: [] as unknown[], lossy: [] as unknown[], rpc: 0 };
    const file = pattern(20_000, 77);
    let fileSent: Promise<void> | undefined;
    const thrown: unknown[] = [];
    let maxPartials = 0;
    let heapAtStart = 0;
    for (let i = 0; i < FRAMES; i++) {
      const from = hostile[i % hostile.length]!;
      const reliability = random() < 0.5 ? 'durable' : 'lossy';
      const frame = random() < 0.3 ? randomBytes(Math.floor(random() * 600), random) : mutate(samples[Math.floor(random() * samples.length)]!, random);
      try {
        b.deliverRaw(frame, { from, reliability });
      } catch (error) {
        thrown.push(error);
      }
      if (i % REAL_EVERY === 0) {
        const round = i / REAL_EVERY;
        switch (round % 4) {
          case 0: {
            const payload = pattern(1 + Math.floor(random() * 3_000), i + 1);
            sent.binary.push(payload);
            await senders.binary.send(payload);
            break;
          }
          case 1: {
            const value = { round, text: 'é'.repeat(Math.floor(random() * 1_500)) };
            sent.json.push(value);
            await senders.json.send(value);
            break;
          }
          case 2: {
            const value = { round, x: random() };
            sent.lossy.push(value);
            await senders.lossy.send(value);
            break;
          }
          default: {
            const payload = { round, pad: 'x'.repeat(Math.floor(random() * 1_000)) };
            expect(await a.request('echo', payload, { to: b.self })).toEqual(payload);
            sent.rpc++;
          }
        }
        if (round === 50) fileSent = a.sendFile(file, { name: 'real.bin', to: b.self });
        maxPartials = Math.max(maxPartials, b.pendingWork.partialMessages);
      }
      // Measured once the bounded caches (dropped messages, ended transfers) had time to fill.
      if (i === FRAMES / 10) heapAtStart = heapUsedAfterGc();
    }
    await fileSent;
    await settle();
    const heapGrowth = heapUsedAfterGc() - heapAtStart;

    expect(thrown).toEqual([]);
    expect(listenerFailures).toEqual([]);
    expect(unattributed).toEqual([]);
    expect(binary.length).toBe(sent.binary.length);
    binary.forEach((value, i) => expect(sameBytes(value, sent.binary[i]!), `binary value ${i}`).toBe(true));
    expect(json).toEqual(sent.json);
    expect(lossy).toEqual(sent.lossy);
    expect(sent.rpc).toBe(25);
    expect(files).toHaveLength(1);
    expect(sameBytes(await files[0], file)).toBe(true);
    // Every code a remote's input can cause, and only those; most frames are refused as malformed.
    expect(
      [...codes.keys()].every((code) => ['DATA_INVALID_FRAME', 'DATA_INCOMPLETE', 'DATA_TOO_LARGE', 'DATA_DECODE_FAILED', 'DATA_QUEUE_FULL'].includes(code)),
    ).toBe(true);
    expect(codes.get('DATA_INVALID_FRAME')).toBeGreaterThan(FRAMES / 10);
    // Bounded by maxPartialMessages per sender: 3 hostile + 1 real.
    expect(maxPartials).toBeLessThanOrEqual(8 * 4);
    expect(b.pendingWork.partialMessages).toBeLessThanOrEqual(8 * 4);
    // 90 000 frames went by since the first measurement, tens of megabytes of them: keeping even a
    // few dozen bytes per frame would show. What may grow is what the test keeps (the real values).
    expect(heapGrowth).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('teardown', () => {
  it('close() leaves no timer, listener, request, transfer or partial message behind', async () => {
    vi.useFakeTimers();
    const [a, b] = createTestCallDataPair({ maxMessageSize: 256, latencyMs: 5, data: { bitrateKbps: { durable: 8 } } });
    const channel = b.channel<number>('t');
    const iterator = channel.messages();
    const next = iterator.next();
    b.on('incomingFile', () => undefined);
    b.handle('never', () => new Promise(() => undefined));
    const request = a.request('never', {}, { to: b.self }).catch((e: unknown) => e);
    const file = a.sendFile(pattern(50_000), { name: 'f', to: b.self }).catch((e: unknown) => e);
    const send = a
      .channel<Uint8Array>('big', { codec: 'binary' })
      .send(pattern(5_000))
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    a.close();
    b.close();
    expect(await request).toMatchObject({ code: 'DISPOSED' });
    expect(await file).toMatchObject({ code: 'DISPOSED' });
    expect(await send).toMatchObject({ code: 'DISPOSED' });
    expect(await next).toEqual({ done: true, value: undefined });
    for (const data of [a, b]) expect(data.pendingWork).toEqual({ partialMessages: 0, requests: 0, transfers: 0, queuedBytes: 0 });
    expect(vi.getTimerCount()).toBe(0);
    expect(() => b.channel('t')).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
