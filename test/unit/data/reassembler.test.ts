import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionErrorCode } from '../../../src/errors.js';
import { decodeFrame, frameMessage, type ChunkFrame } from '../../../src/data/frame.js';
import { Reassembler } from '../../../src/data/reassembler.js';
import { pattern } from './support.js';

const FRAME = 64;

function chunksOf(seq: number, payload: Uint8Array): ChunkFrame[] {
  return [...frameMessage(20, seq, payload, FRAME)].map((bytes) => {
    const frame = decodeFrame(bytes);
    if (typeof frame === 'string' || frame.kind !== 2) throw new Error(`not a chunk: ${typeof frame === 'string' ? frame : frame.kind}`);
    return frame;
  });
}

function reassembler(maxMessageBytes: number) {
  const reports: SessionErrorCode[] = [];
  const instance = new Reassembler({ maxMessageBytes, maxPartialMessages: 4, timeoutMs: { durable: 1_000, lossy: 1_000 } }, (code) => reports.push(code));
  return { instance, reports };
}

afterEach(() => vi.useRealTimers());

describe('Reassembler', () => {
  it('writes chunks into a value reserved whole within maxMessageBytes, and keeps chunks of values past that budget', () => {
    const { instance, reports } = reassembler(400);
    const first = pattern(400, 1);
    const second = pattern(300, 2);
    const a = chunksOf(0, first);
    const b = chunksOf(0, second);
    const results: (Uint8Array | undefined)[] = [];
    // Interleaved and out of order: the last chunk first, so the chunk size comes from the total.
    results.push(instance.accept(a.at(-1)!, 'alice', 'lossy')?.payload);
    expect(instance.reservedBytes).toBe(400);
    results.push(instance.accept(b.at(-1)!, 'bob', 'lossy')?.payload);
    expect(instance.reservedBytes).toBe(400); // bob's value does not fit the budget: its chunks are kept instead
    for (const frame of a.slice(0, -1).reverse()) results.push(instance.accept(frame, 'alice', 'lossy')?.payload);
    expect(instance.reservedBytes).toBe(0);
    for (const frame of b.slice(0, -1)) results.push(instance.accept(frame, 'bob', 'lossy')?.payload);
    expect(results.filter((r) => r !== undefined)).toEqual([first, second]);
    expect(reports).toEqual([]);
    expect(instance.pending).toBe(0);
  });

  it('ignores a duplicated chunk of a reserved value, whatever its bytes', () => {
    const { instance } = reassembler(1_000);
    const payload = pattern(200, 3);
    const chunks = chunksOf(5, payload);
    instance.accept(chunks[0]!, 'alice', 'durable');
    instance.accept({ ...chunks[0]!, payload: new Uint8Array(chunks[0]!.payload.length) }, 'alice', 'durable');
    let result: Uint8Array | undefined;
    for (const frame of chunks.slice(1)) result = instance.accept(frame, 'alice', 'durable')?.payload;
    expect(result).toEqual(payload);
  });

  it('gives the reservation back when a value is dropped: timeout, sender gone, clear', async () => {
    vi.useFakeTimers();
    const { instance, reports } = reassembler(1_000);
    instance.accept(chunksOf(0, pattern(300))[0]!, 'alice', 'durable');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reports).toEqual(['DATA_INCOMPLETE']);
    expect(instance.reservedBytes).toBe(0);
    instance.accept(chunksOf(1, pattern(300))[0]!, 'alice', 'durable');
    instance.accept(chunksOf(0, pattern(300))[0]!, 'bob', 'durable');
    expect(instance.reservedBytes).toBe(600);
    instance.forget('alice');
    expect(instance.reservedBytes).toBe(300);
    instance.clear();
    expect(instance.reservedBytes).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
