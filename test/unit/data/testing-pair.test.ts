import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeChunk, encodeMessage, topicId } from '../../../src/data/frame.js';
import { createTestCallDataPair, type TestCallDataPairOptions } from '../../../src/testing/index.js';
import { seededRandom } from '../../support/random.js';
import { closeAll, collectDataErrors, pair, pattern, sameBytes, settle } from './support.js';

// acs-session/testing is what apps test their own data logic with: each option must do what it says.

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

describe('createTestCallDataPair', () => {
  it('names each side with `self`, a participant with its rawId, which the other side sees as `from`', async () => {
    const [a, b] = pair();
    expect(a.self).toMatchObject({ kind: 'communicationUser', rawId: '8:acs:test_a', communicationUserId: '8:acs:test_a' });
    expect(b.self.rawId).toBe('8:acs:test_b');
    const [ada, grace] = pair({ ids: ['8:acs:ada', '8:acs:grace'] });
    expect([ada.self.rawId, grace.self.rawId]).toEqual(['8:acs:ada', '8:acs:grace']);
    const from: string[] = [];
    grace.channel('hello').on('message', (event) => from.push(event.from.rawId));
    await ada.channel('hello').send(1, { to: grace.self });
    await settle();
    expect(from).toEqual([ada.self.rawId]);
    // Two pairs are two networks: ada's pair does not reach a's.
    expect(a.self.rawId).not.toBe(ada.self.rawId);
  });

  it('chunks by maxMessageSize, down to the 64-byte minimum, and refuses smaller frames', async () => {
    const [a, b] = pair({ maxMessageSize: 64 });
    const got: Uint8Array[] = [];
    b.channel<Uint8Array>('x', { codec: 'binary' }).on('message', ({ value }) => got.push(value));
    const payload = pattern(10_000);
    await a.channel<Uint8Array>('x', { codec: 'binary' }).send(payload);
    await settle();
    expect(sameBytes(got[0], payload)).toBe(true);
    expect(() => createTestCallDataPair({ maxMessageSize: 63 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('delays every frame by latencyMs, durable and lossy alike', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ latencyMs: 40 });
    const arrivals: string[] = [];
    b.channel('d').on('message', () => arrivals.push(`durable at ${Date.now() - start}`));
    b.channel('l', { reliability: 'lossy' }).on('message', () => arrivals.push(`lossy at ${Date.now() - start}`));
    const start = Date.now();
    await a.channel('d').send(1);
    await a.channel('l', { reliability: 'lossy' }).send(1);
    await vi.advanceTimersByTimeAsync(39);
    expect(arrivals).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(arrivals).toEqual(['durable at 40', 'lossy at 40']);
  });

  it('loses lossy frames only: loss 1 drops every lossy value and no durable one', async () => {
    const [a, b] = pair({ loss: 1 });
    const got: string[] = [];
    b.channel<number>('d').on('message', ({ value }) => got.push(`d${value}`));
    b.channel<number>('l', { reliability: 'lossy' }).on('message', ({ value }) => got.push(`l${value}`));
    const durable = a.channel<number>('d');
    const lossy = a.channel<number>('l', { reliability: 'lossy' });
    for (let i = 0; i < 20; i++) {
      await durable.send(i);
      await lossy.send(i);
    }
    await settle();
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}`));
  });

  it('reorders lossy frames only, repeatably for a seeded `random`', async () => {
    // Fake timers: the reordering delays are timers, and real ones would make the order depend on load.
    vi.useFakeTimers();
    const run = async () => {
      const [a, b] = pair({ reorder: 1, random: seededRandom(42) });
      const got: string[] = [];
      b.channel<number>('d').on('message', ({ value }) => got.push(`d${value}`));
      b.channel<number>('l', { reliability: 'lossy' }).on('message', ({ value }) => got.push(`l${value}`));
      const durable = a.channel<number>('d');
      const lossy = a.channel<number>('l', { reliability: 'lossy' });
      const sent: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) sent.push(durable.send(i), lossy.send(i));
      await vi.advanceTimersByTimeAsync(50);
      await Promise.all(sent);
      expect(got).toHaveLength(60);
      return got;
    };
    const first = await run();
    const durable = first.filter((entry) => entry.startsWith('d'));
    const lossy = first.filter((entry) => entry.startsWith('l'));
    expect(durable).toEqual(Array.from({ length: 30 }, (_, i) => `d${i}`));
    expect(lossy).not.toEqual(Array.from({ length: 30 }, (_, i) => `l${i}`));
    expect([...lossy].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `l${i}`).sort());
    const second = await run();
    expect(second.filter((entry) => entry.startsWith('l'))).toEqual(lossy);
  });

  it('deliverRaw hands a frame to the receiver at once, from whoever it names, on the reliability given', async () => {
    vi.useFakeTimers();
    const [, b] = pair({ data: { reassemblyTimeoutMs: { durable: 10_000, lossy: 100 } } });
    const got: string[] = [];
    b.channel<string>('t', { codec: 'text' }).on('message', ({ value, from }) => got.push(`${from.rawId}: ${value}`));
    b.deliverRaw(encodeMessage(topicId('t'), 0, new TextEncoder().encode('hi')), { from: '8:acs:mallory' });
    expect(got).toEqual(['8:acs:mallory: hi']); // synchronously
    const errors = collectDataErrors(b);
    b.deliverRaw(Uint8Array.of(0xff), { from: '8:acs:mallory' });
    expect(errors.map((e) => [e.error.code, e.from?.rawId])).toEqual([['DATA_INVALID_FRAME', '8:acs:mallory']]);
    // The reliability picks the reassembly timeout: a lossy piece is given up after 100 ms.
    b.deliverRaw(encodeChunk(topicId('t'), 1, 0, 2, 20, pattern(10)), { from: '8:acs:mallory', reliability: 'lossy' });
    b.deliverRaw(encodeChunk(topicId('t'), 2, 0, 2, 20, pattern(10)), { from: '8:acs:mallory' });
    await vi.advanceTimersByTimeAsync(100);
    expect(b.pendingWork.partialMessages).toBe(1);
  });

  it('refuses out-of-range network options with INVALID_OPTIONS', () => {
    for (const options of [{ loss: 2 }, { reorder: -0.1 }, { latencyMs: -1 }, { maxMessageSize: 1.5 }] satisfies TestCallDataPairOptions[]) {
      expect(() => createTestCallDataPair(options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
  });
});
