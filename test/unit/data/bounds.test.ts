import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallData } from '../../../src/data/call-data.js';
import { encodeChunk, encodeMessage, topicId } from '../../../src/data/frame.js';
import { createMemoryNetwork } from '../../../src/data/memory-transport.js';
import type { DataTransport, TransportSendOptions } from '../../../src/data/transport.js';
import { closeAll, closeLater, collectDataErrors, pair, pattern, settle } from './support.js';

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

const topic = topicId('t');
const mallory = '8:acs:mallory';

describe('reassembly bounds', () => {
  it('keeps at most maxPartialMessages incomplete messages per sender, dropping the oldest', () => {
    const [, b] = pair({ data: { maxPartialMessages: 4 } });
    b.channel('t');
    const errors = collectDataErrors(b);
    for (let seq = 0; seq < 10; seq++) b.deliverRaw(encodeChunk(topic, seq, 0, 2, 20, pattern(10)), { from: mallory });
    expect(b.pendingWork.partialMessages).toBe(4);
    expect(errors.map((e) => e.error.code)).toEqual(Array(6).fill('DATA_INCOMPLETE'));
    expect(errors[0]?.from?.rawId).toBe(mallory);
    // Another sender has its own budget.
    b.deliverRaw(encodeChunk(topic, 0, 0, 2, 20, pattern(10)), { from: '8:acs:other' });
    expect(b.pendingWork.partialMessages).toBe(5);
  });

  it('ignores late chunks of a message it dropped, instead of letting them push out healthy ones', () => {
    const [, b] = pair({ data: { maxPartialMessages: 2 } });
    const received: unknown[] = [];
    b.channel<Uint8Array>('t', { codec: 'binary' }).on('message', ({ value }) => received.push(value));
    b.deliverRaw(encodeChunk(topic, 0, 0, 2, 20, pattern(10)), { from: mallory });
    b.deliverRaw(encodeChunk(topic, 1, 0, 2, 20, pattern(10)), { from: mallory });
    b.deliverRaw(encodeChunk(topic, 2, 0, 2, 20, pattern(10)), { from: mallory }); // drops seq 0
    b.deliverRaw(encodeChunk(topic, 0, 1, 2, 20, pattern(10)), { from: mallory }); // late piece of seq 0
    expect(b.pendingWork.partialMessages).toBe(2);
    b.deliverRaw(encodeChunk(topic, 1, 1, 2, 20, pattern(10)), { from: mallory });
    b.deliverRaw(encodeChunk(topic, 2, 1, 2, 20, pattern(10)), { from: mallory });
    expect(received.length).toBe(2);
  });

  it('drops an incomplete message after the reassembly timeout of its reliability', async () => {
    vi.useFakeTimers();
    const [, b] = pair({ data: { reassemblyTimeoutMs: { durable: 2_000, lossy: 500 } } });
    const errors = collectDataErrors(b);
    b.deliverRaw(encodeChunk(topic, 0, 0, 2, 20, pattern(10)), { from: mallory, reliability: 'durable' });
    b.deliverRaw(encodeChunk(topic, 1, 0, 2, 20, pattern(10)), { from: mallory, reliability: 'lossy' });
    await vi.advanceTimersByTimeAsync(499);
    expect(b.pendingWork.partialMessages).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.pendingWork.partialMessages).toBe(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(b.pendingWork.partialMessages).toBe(0);
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_INCOMPLETE', 'DATA_INCOMPLETE']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a multi-frame message that claims more than maxMessageBytes without holding its chunks', () => {
    const [, b] = pair({ data: { maxMessageBytes: 1_000 } });
    const errors = collectDataErrors(b);
    for (let index = 0; index < 5; index++) b.deliverRaw(encodeChunk(topic, 0, index, 1_000, 10_000_000, pattern(10)), { from: mallory });
    expect(b.pendingWork.partialMessages).toBe(0);
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_TOO_LARGE']);
  });

  it('takes a value of exactly its maxMessageBytes and refuses one byte more, whatever the sender allows', async () => {
    const network = createMemoryNetwork({ maxMessageSize: 256 });
    const a = createCallData(network.connect('8:acs:a'));
    const b = createCallData(network.connect('8:acs:b'), { maxMessageBytes: 5_000 });
    closeLater(a, b);
    const errors = collectDataErrors(b);
    const received: number[] = [];
    b.channel<Uint8Array>('t', { codec: 'binary' }).on('message', ({ value }) => received.push(value.length));
    const sender = a.channel<Uint8Array>('t', { codec: 'binary' });
    await sender.send(pattern(5_000));
    await sender.send(pattern(5_001));
    await sender.send(pattern(4_999));
    await settle();
    expect(received).toEqual([5_000, 4_999]);
    expect(errors.map((e) => [e.error.code, e.from?.rawId])).toEqual([['DATA_TOO_LARGE', '8:acs:a']]);
    expect(b.pendingWork.partialMessages).toBe(0);
  });

  it('reports inconsistent, duplicated and malformed chunks and still delivers the real message', () => {
    const [, b] = pair();
    const received: Uint8Array[] = [];
    b.channel<Uint8Array>('t', { codec: 'binary' }).on('message', ({ value }) => received.push(value));
    const errors = collectDataErrors(b);
    const payload = pattern(25);
    b.deliverRaw(encodeChunk(topic, 7, 0, 3, 25, payload.subarray(0, 10)), { from: mallory });
    b.deliverRaw(encodeChunk(topic, 7, 0, 3, 25, pattern(10, 99)), { from: mallory }); // duplicate: first copy counts
    b.deliverRaw(encodeChunk(topic, 7, 1, 4, 25, payload.subarray(10, 20)), { from: mallory }); // other count
    b.deliverRaw(encodeChunk(topic, 7, 1, 3, 25, payload.subarray(10, 19)), { from: mallory }); // wrong size
    b.deliverRaw(Uint8Array.of(0x12, 1, 2), { from: mallory }); // truncated
    b.deliverRaw(encodeChunk(topic, 7, 2, 3, 25, payload.subarray(20)), { from: mallory });
    b.deliverRaw(encodeChunk(topic, 7, 1, 3, 25, payload.subarray(10, 20)), { from: mallory });
    expect(received).toEqual([payload]);
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_INVALID_FRAME', 'DATA_INVALID_FRAME', 'DATA_INVALID_FRAME']);
  });

  it('reports frames on reserved topics it does not use', () => {
    const [, b] = pair();
    const errors = collectDataErrors(b);
    b.deliverRaw(encodeMessage(5, 0, pattern(3)), { from: mallory });
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_INVALID_FRAME']);
  });
});

describe('send queue', () => {
  /** A transport whose sends stay pending until released, like a congested link. */
  function stalledTransport(): DataTransport & { release(): void; sent: number } {
    const waiting: Array<() => void> = [];
    return {
      maxMessageSize: 1024,
      sent: 0,
      send(_bytes: Uint8Array, _options: TransportSendOptions) {
        this.sent++;
        return new Promise<void>((resolve) => waiting.push(resolve));
      },
      onMessage: () => () => undefined,
      release() {
        for (const resolve of waiting.splice(0)) resolve();
      },
    };
  }

  it('refuses a durable send with DATA_QUEUE_FULL (retryable) past maxQueuedBytes, and takes it again once drained', async () => {
    const transport = stalledTransport();
    const data = createCallData(transport, { maxQueuedBytes: 2_000 });
    closeLater(data);
    const channel = data.channel<Uint8Array>('q', { codec: 'binary' });
    const first = channel.send(new Uint8Array(1_500));
    await expect(channel.send(new Uint8Array(1_000))).rejects.toMatchObject({ code: 'DATA_QUEUE_FULL', retryable: true });
    expect(data.queuedBytes).toBe(1_500);
    while (data.queuedBytes > 0) {
      transport.release();
      await settle(1);
    }
    await first;
    const second = channel.send(new Uint8Array(1_000));
    transport.release();
    await settle(1);
    transport.release();
    await expect(second).resolves.toBeUndefined();
  });

  it('makes room for a lossy send by dropping the oldest lossy message not yet started', async () => {
    const transport = stalledTransport();
    const data = createCallData(transport, { maxQueuedBytes: 2_000 });
    closeLater(data);
    const channel = data.channel<Uint8Array>('q', { codec: 'binary', reliability: 'lossy' });
    const started = channel.send(new Uint8Array(900));
    const dropped = channel.send(new Uint8Array(900));
    const third = channel.send(new Uint8Array(900));
    await expect(dropped).resolves.toBeUndefined(); // lossy sends resolve even when dropped, as on ACS
    expect(data.queuedBytes).toBe(1_800);
    for (let i = 0; i < 4; i++) {
      transport.release();
      await settle(1);
    }
    await Promise.all([started, third]);
    expect(transport.sent).toBe(2);
  });

  it('paces frames under the bitrate cap', async () => {
    vi.useFakeTimers();
    const network = createMemoryNetwork({ maxMessageSize: 1_000, bitrateKbps: { durable: 64 } });
    const sent: number[] = [];
    const transport = network.connect('8:acs:a');
    const data = createCallData(
      {
        get maxMessageSize() {
          return transport.maxMessageSize;
        },
        bitrateKbps: transport.bitrateKbps,
        send: (bytes, options) => {
          sent.push(Date.now());
          return transport.send(bytes, options);
        },
        onMessage: (listener) => transport.onMessage(listener),
      },
      {},
    );
    closeLater(data);
    const start = Date.now();
    // 64 kbit/s = 8 000 bytes/s; 40 000 bytes in ~1 000-byte frames: one second of burst, then ~4 s.
    const done = data.channel<Uint8Array>('p', { codec: 'binary' }).send(new Uint8Array(40_000));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent.length).toBeLessThan(35);
    await vi.advanceTimersByTimeAsync(3_000);
    await done;
    expect(sent.length).toBe(42);
    const elapsed = sent.at(-1)! - start;
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    expect(elapsed).toBeLessThanOrEqual(4_500);
  });

  it('lets a small message on another topic through while a large value is paced out', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ maxMessageSize: 1_000, data: { bitrateKbps: { durable: 64 } } });
    const arrivals: string[] = [];
    b.channel<Uint8Array>('big', { codec: 'binary' }).on('message', () => arrivals.push(`big at ${Date.now() - start}`));
    b.channel<string>('small', { codec: 'text' }).on('message', () => arrivals.push(`small at ${Date.now() - start}`));
    b.handle('ping', () => 'pong');
    const start = Date.now();
    // 80 000 bytes at 8 000 bytes/s: about 9 s on its own.
    const big = a.channel<Uint8Array>('big', { codec: 'binary' }).send(pattern(80_000));
    await vi.advanceTimersByTimeAsync(2_000);
    const small = a.channel<string>('small', { codec: 'text' }).send('hi');
    const reply = a.request('ping', null, { to: b.self });
    await vi.advanceTimersByTimeAsync(1_000);
    await small;
    expect(await reply).toBe('pong');
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]).toMatch(/^small at (2|3)\d\d\d$/);
    await vi.advanceTimersByTimeAsync(10_000);
    await big;
    expect(arrivals).toHaveLength(2);
  });

  it('keeps at most four multi-frame messages in flight per queue, so receivers are not pushed past their partial limit', async () => {
    const [a, b] = pair({ maxMessageSize: 256, latencyMs: 1, data: { maxPartialMessages: 8 } });
    const errors = collectDataErrors(b);
    const received: string[] = [];
    const payloads = Array.from({ length: 12 }, (_, i) => pattern(5_000, i + 1));
    payloads.forEach((_, i) => b.channel<Uint8Array>(`t${i}`, { codec: 'binary' }).on('message', () => received.push(`t${i}`)));
    let maxPartials = 0;
    const watch = setInterval(() => (maxPartials = Math.max(maxPartials, b.pendingWork.partialMessages)), 0);
    await Promise.all(payloads.map((payload, i) => a.channel<Uint8Array>(`t${i}`, { codec: 'binary' }).send(payload)));
    await vi.waitFor(() => expect(received).toHaveLength(12));
    clearInterval(watch);
    expect(errors).toEqual([]);
    expect(maxPartials).toBeLessThanOrEqual(4);
  });

  it('lets bitrateKbps: 0 turn pacing off', async () => {
    vi.useFakeTimers();
    const network = createMemoryNetwork({ maxMessageSize: 1_000, bitrateKbps: { durable: 1 } });
    const data = createCallData(network.connect('8:acs:a'), { bitrateKbps: { durable: 0 } });
    closeLater(data);
    const done = data.channel<Uint8Array>('p', { codec: 'binary' }).send(new Uint8Array(40_000));
    await vi.advanceTimersByTimeAsync(0);
    await expect(done).resolves.toBeUndefined();
  });
});

describe('reassembly timeout', () => {
  it('keeps a value that takes longer than the timeout to arrive while its chunks keep coming', async () => {
    vi.useFakeTimers();
    // 40 000 bytes paced at 64 kbit/s (8 000 bytes/s): about 4 s after the first second's burst,
    // twice the receiver's timeout, with a chunk every ~125 ms; on an ACS call, any value over ~240 KB.
    const [a, b] = pair({ maxMessageSize: 1_000, data: { bitrateKbps: { durable: 64 }, reassemblyTimeoutMs: { durable: 2_000 } } });
    const errors = collectDataErrors(b);
    const received: Uint8Array[] = [];
    b.channel<Uint8Array>('slow', { codec: 'binary' }).on('message', ({ value }) => received.push(value));
    const payload = pattern(40_000);
    const sent = a.channel<Uint8Array>('slow', { codec: 'binary' }).send(payload);
    await vi.advanceTimersByTimeAsync(6_000);
    await sent;
    expect(errors.map((e) => e.error.code)).toEqual([]);
    expect(received).toEqual([payload]);
  });

  it('drops a value once no chunk of it came for the timeout', async () => {
    vi.useFakeTimers();
    const [, b] = pair({ data: { reassemblyTimeoutMs: { durable: 2_000 } } });
    const errors = collectDataErrors(b);
    b.deliverRaw(encodeChunk(topic, 0, 0, 3, 30, pattern(10)), { from: mallory });
    await vi.advanceTimersByTimeAsync(1_500);
    b.deliverRaw(encodeChunk(topic, 0, 1, 3, 30, pattern(10)), { from: mallory });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(b.pendingWork.partialMessages).toBe(1);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.pendingWork.partialMessages).toBe(0);
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_INCOMPLETE']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
