import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallData } from '../../../src/data/call-data.js';
import { messageHeaderLength } from '../../../src/data/frame.js';
import { createMemoryNetwork } from '../../../src/data/memory-transport.js';
import { seededRandom } from '../../support/random.js';
import { closeAll, closeLater, collectDataErrors, droppingTransport, pair, pattern, sameBytes, settle } from './support.js';

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

describe('chunking and reassembly', () => {
  const frame = 256;
  const single = frame - messageHeaderLength(0);
  for (const [name, length] of [
    ['0 bytes', 0],
    ['1 byte', 1],
    ['one frame minus one', single - 1],
    ['exactly one frame', single],
    ['one frame plus one', single + 1],
    ['frame size minus one', frame - 1],
    ['frame size', frame],
    ['frame size plus one', frame + 1],
    ['10 MB', 10 * 1024 * 1024],
  ] as const) {
    it(`delivers a ${name} binary value intact`, async () => {
      const [a, b] = pair({ maxMessageSize: length > 1_000_000 ? 32_768 : frame });
      const received = b.channel<Uint8Array>('blob', { codec: 'binary' }).messages();
      const payload = pattern(length);
      await a.channel<Uint8Array>('blob', { codec: 'binary' }).send(payload);
      const { value } = await received.next();
      expect(value?.value.length).toBe(length);
      expect(sameBytes(value?.value, payload)).toBe(true);
      expect(value?.from.rawId).toBe(a.self.rawId);
      expect(value?.topic).toBe('blob');
    });
  }

  it('sends the bytes a value had when send() was called, even if the caller reuses its buffer right after', async () => {
    const [a, b] = pair({ maxMessageSize: 1024 });
    const received: Uint8Array[] = [];
    b.channel<Uint8Array>('reused', { codec: 'binary' }).on('message', ({ value }) => received.push(value));
    const sender = a.channel<Uint8Array>('reused', { codec: 'binary' });
    const buffer = pattern(20_000, 1);
    const first = buffer.slice();
    const sent = [sender.send(buffer)];
    buffer.set(pattern(20_000, 2)); // the next value, written into the same buffer while the first is still queued
    sent.push(sender.send(buffer));
    const second = buffer.slice();
    buffer.fill(0);
    await Promise.all(sent);
    await settle();
    expect(received).toHaveLength(2);
    expect(sameBytes(received[0], first)).toBe(true);
    expect(sameBytes(received[1], second)).toBe(true);
  });

  it('keeps 1 000 small durable messages in order', async () => {
    const [a, b] = pair({ latencyMs: 1 });
    const received: number[] = [];
    b.channel<number>('n').on('message', ({ value }) => received.push(value));
    const sender = a.channel<number>('n');
    await Promise.all(Array.from({ length: 1000 }, (_, i) => sender.send(i)));
    await vi.waitFor(() => expect(received.length).toBe(1000));
    expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('reassembles lossy multi-frame messages whose frames arrive out of order', async () => {
    // All 20 are in flight at once here, more than the default 16 partial messages per sender.
    const [a, b] = pair({ maxMessageSize: 128, reorder: 0.5, random: seededRandom(9), data: { maxPartialMessages: 32 } });
    const received = new Map<number, Uint8Array>();
    b.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' }).on('message', ({ value }) => received.set(value[0]!, value));
    const sender = a.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' });
    const payloads = Array.from({ length: 20 }, (_, i) => {
      const payload = pattern(1000 + i * 37, i + 1);
      payload[0] = i;
      return payload;
    });
    for (const payload of payloads) await sender.send(payload);
    await vi.waitFor(() => expect(received.size).toBe(20));
    for (const payload of payloads) expect(received.get(payload[0]!)).toEqual(payload);
  });

  it('drops a lossy message whole when one of its frames is lost, and reports it after the timeout', async () => {
    vi.useFakeTimers();
    const network = createMemoryNetwork({ maxMessageSize: 128 });
    // Frame 2 of the first lossy message is lost.
    const a = createCallData(droppingTransport(network.connect('8:acs:a'), (index, reliability) => reliability === 'lossy' && index === 2));
    const b = createCallData(network.connect('8:acs:b'), { reassemblyTimeoutMs: { lossy: 1_000 } });
    closeLater(a, b);
    const errors = collectDataErrors(b);
    const received: Uint8Array[] = [];
    b.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' }).on('message', ({ value }) => received.push(value));
    const sender = a.channel<Uint8Array>('l', { codec: 'binary', reliability: 'lossy' });
    const lost = pattern(1000, 1);
    const kept = pattern(1000, 2);
    await sender.send(lost);
    await sender.send(kept);
    await vi.advanceTimersByTimeAsync(0);
    expect(received).toEqual([kept]);
    expect(b.pendingWork.partialMessages).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(b.pendingWork.partialMessages).toBe(0);
    expect(errors.map((e) => [e.error.code, e.from?.rawId])).toEqual([['DATA_INCOMPLETE', '8:acs:a']]);
    expect(received).toEqual([kept]);
  });

  it('drops lost lossy single-frame messages without affecting the rest', async () => {
    const [a, b] = pair({ loss: 0.3, random: seededRandom(5) });
    const received: number[] = [];
    b.channel<number>('c', { reliability: 'lossy' }).on('message', ({ value }) => received.push(value));
    const sender = a.channel<number>('c', { reliability: 'lossy' });
    for (let i = 0; i < 200; i++) await sender.send(i);
    await settle();
    expect(received.length).toBeGreaterThan(100);
    expect(received.length).toBeLessThan(200);
    expect(new Set(received).size).toBe(received.length);
  });

  it('never loses or reorders durable frames, even on a network with loss and reordering', async () => {
    const [a, b] = pair({ maxMessageSize: 128, loss: 0.5, reorder: 0.5, random: seededRandom(3) });
    const received: Uint8Array[] = [];
    b.channel<Uint8Array>('d', { codec: 'binary' }).on('message', ({ value }) => received.push(value));
    const sender = a.channel<Uint8Array>('d', { codec: 'binary' });
    const payloads = Array.from({ length: 10 }, (_, i) => pattern(500, i + 1));
    await Promise.all(payloads.map((payload) => sender.send(payload)));
    await settle();
    expect(received).toEqual(payloads);
  });

  it('sends to the named recipients only, and to everyone without `to`', async () => {
    const network = createMemoryNetwork();
    const [a, b, c] = ['8:acs:a', '8:acs:b', '8:acs:c'].map((id) => createCallData(network.connect(id)));
    closeLater(a!, b!, c!);
    const got: string[] = [];
    b!.channel<string>('x', { codec: 'text' }).on('message', ({ value }) => got.push(`b:${value}`));
    c!.channel<string>('x', { codec: 'text' }).on('message', ({ value }) => got.push(`c:${value}`));
    const sender = a!.channel<string>('x', { codec: 'text' });
    await sender.send('one', { to: '8:acs:b' });
    await sender.send('two', { to: [{ communicationUserId: '8:acs:c' }] });
    await sender.send('all');
    await settle();
    expect(got.sort()).toEqual(['b:all', 'b:one', 'c:all', 'c:two']);
  });

  it('delivers messages that arrived shortly before their channel was opened', async () => {
    const [a, b] = pair();
    await a.channel<string>('late', { codec: 'text' }).send('early bird');
    await settle();
    const received: string[] = [];
    b.channel<string>('late', { codec: 'text' }).on('message', ({ value }) => received.push(value));
    await settle();
    expect(received).toEqual(['early bird']);
  });

  it('refuses a value over maxMessageBytes before sending anything', async () => {
    const [a] = pair({ data: { maxMessageBytes: 1000 } });
    await expect(a.channel<Uint8Array>('big', { codec: 'binary' }).send(new Uint8Array(1001))).rejects.toMatchObject({ code: 'DATA_TOO_LARGE' });
  });

  it('refuses a json or text value over maxMessageBytes even when it would fit one frame', async () => {
    const [a, b] = pair({ data: { maxMessageBytes: 10 } });
    const received: unknown[] = [];
    b.channel('small').on('message', ({ value }) => received.push(value));
    const small = a.channel('small');
    await expect(small.send('é'.repeat(5))).rejects.toMatchObject({ code: 'DATA_TOO_LARGE' }); // 12 bytes of JSON
    await expect(a.channel<string>('text', { codec: 'text' }).send('é'.repeat(6))).rejects.toMatchObject({ code: 'DATA_TOO_LARGE' });
    await small.send('é'.repeat(4)); // 10 bytes: allowed
    await settle();
    expect(received).toEqual(['éééé']);
  });
});
