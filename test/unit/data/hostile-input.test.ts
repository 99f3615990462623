import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallData } from '../../../src/data/call-data.js';
import { frameMessage, topicId } from '../../../src/data/frame.js';
import { createTestCallDataPair } from '../../../src/testing/index.js';
import { seededRandom } from '../../support/random.js';
import { pattern, sameBytes, settle } from './support.js';

const open: CallData[] = [];
afterEach(() => {
  for (const data of open.splice(0)) data.close();
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

describe('hostile input', () => {
  it('survives 100 000 random and mutated frames: nothing thrown, memory bounded, real traffic intact', async () => {
    const random = seededRandom(1234);
    const [a, b] = createTestCallDataPair({ maxMessageSize: 512, data: { maxPartialMessages: 8 } });
    open.push(a, b);
    let dataErrors = 0;
    b.on('dataError', () => dataErrors++);
    const received: Uint8Array[] = [];
    // Well-formed frames from the hostile senders are delivered too (nothing tells them apart); count the real ones.
    b.channel<Uint8Array>('real', { codec: 'binary' }).on('message', ({ value, from }) => {
      if (from.rawId === a.self.rawId) received.push(value);
    });
    b.channel('json').on('message', () => undefined);
    b.handle('echo', (payload) => payload);
    const sender = a.channel<Uint8Array>('real', { codec: 'binary' });

    // Material to mutate: frames of every kind the helper produces.
    const samples = [
      ...frameMessage(topicId('real'), 3, pattern(2_000), 512),
      ...frameMessage(topicId('json'), 0, new TextEncoder().encode('{"a":1}'), 512),
      ...frameMessage(0, 0, Uint8Array.of(0, ...new TextEncoder().encode('{"i":1,"m":"echo","p":1}')), 512),
      ...frameMessage(1, 0, new TextEncoder().encode('{"t":"offer","i":1,"n":"f","y":"","s":10}'), 512),
      Uint8Array.of(0x13, 1, 0, 1, 2, 3),
    ];
    const senders = ['8:acs:mallory', '8:acs:trudy', '8:acs:eve'];
    const payloads: Uint8Array[] = [];
    const heapBefore = process.memoryUsage().heapUsed;
    let maxPartials = 0;
    const thrown: unknown[] = [];
    for (let i = 0; i < 100_000; i++) {
      const from = senders[i % senders.length]!;
      const reliability = random() < 0.5 ? 'durable' : 'lossy';
      const frame = random() < 0.3 ? randomBytes(Math.floor(random() * 600), random) : mutate(samples[Math.floor(random() * samples.length)]!, random);
      try {
        b.deliverRaw(frame, { from, reliability });
      } catch (error) {
        thrown.push(error);
      }
      if (i % 5_000 === 0) {
        const payload = pattern(1 + Math.floor(random() * 3_000), i);
        payloads.push(payload);
        await sender.send(payload);
        maxPartials = Math.max(maxPartials, b.pendingWork.partialMessages);
      }
    }
    await settle();
    expect(thrown).toEqual([]);
    expect(received.length).toBe(payloads.length);
    received.forEach((value, i) => expect(sameBytes(value, payloads[i]!)).toBe(true));
    expect(dataErrors).toBeGreaterThan(10_000);
    // Bounded by maxPartialMessages per (reliability-independent) sender: 3 hostile + 1 real.
    expect(b.pendingWork.partialMessages).toBeLessThanOrEqual(8 * 4);
    expect(maxPartials).toBeLessThanOrEqual(8 * 4);
    globalThis.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
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
