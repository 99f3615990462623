// The data helper: framing + chunking + reassembly against plain copies, the JSON channel against
// JSON.stringify + TextEncoder, and whole values through CallData over the in-memory transport
// against the raw transport moving the same bytes in frames — all measured in the same run.
import { bestNsPerOp, bestNsPerOpAsync, importSource } from './support.mjs';

const { frameMessage, decodeFrame, messageHeaderLength } = await importSource('src/data/frame.ts');
const { Reassembler } = await importSource('src/data/reassembler.ts');
const { createTestCallDataPair, createMemoryNetwork } = await importSource('src/testing/index.ts');

const MiB = 1024 * 1024;
const FRAME = 32_768; // the ACS DataChannel maxMessageSize

function payloadOf(length) {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

export default async function (report) {
  // 1. Encode + decode of one binary value (frames out, reassembled back) against copying it once.
  for (const size of [1 * MiB, 16 * MiB]) {
    const payload = payloadOf(size);
    const reassembler = new Reassembler({ maxMessageBytes: 64 * MiB, maxPartialMessages: 4, timeoutMs: { durable: 60_000, lossy: 60_000 } }, () => {
      throw new Error('unexpected data error');
    });
    let sink = 0;
    const copy = (n) => {
      for (let i = 0; i < n; i++) sink += new Uint8Array(payload).length;
    };
    const roundTrip = (n) => {
      for (let i = 0; i < n; i++) {
        let result;
        for (const frame of frameMessage(100, i, payload, FRAME)) result = reassembler.accept(decodeFrame(frame), 'peer', 'durable');
        sink += result.payload.length;
      }
    };
    const iterations = size > MiB ? 4 : 40;
    copy(iterations);
    roundTrip(iterations);
    const baseline = bestNsPerOp(copy, iterations, 5);
    const value = bestNsPerOp(roundTrip, iterations, 5);
    report(`binary encode + decode, ${size / MiB} MiB (frames + reassembly vs one Uint8Array copy)`, {
      value: value / 1e6,
      baseline: baseline / 1e6,
      unit: 'ms',
      ratio: value / baseline,
      target: 3.3, // ≥ 0.3× the throughput of a plain copy
    });
    reassembler.clear();
    if (sink === 0) throw new Error('nothing measured');
  }

  // 2. The JSON channel (codec + framing + delivery) against JSON.stringify + TextEncoder and back.
  {
    const [a, b] = createTestCallDataPair();
    const value = { type: 'cursor', x: 123.5, y: 456.25, pressed: true, id: 'pointer-1', tags: ['a', 'b', 'c'] };
    let received = 0;
    b.channel('json').on('message', () => received++);
    const channel = a.channel('json');
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    let sink = 0;
    const plain = async (n) => {
      for (let i = 0; i < n; i++) sink += JSON.parse(decoder.decode(encoder.encode(JSON.stringify(value)))).x;
      await Promise.resolve();
    };
    const viaChannel = async (n) => {
      const before = received;
      for (let i = 0; i < n; i++) await channel.send(value);
      while (received - before < n) await new Promise((resolve) => setImmediate(resolve));
    };
    const iterations = 20_000;
    await plain(iterations);
    await viaChannel(iterations);
    const baseline = await bestNsPerOpAsync(plain, iterations, 5);
    const measured = await bestNsPerOpAsync(viaChannel, iterations, 5);
    report('JSON channel, small object (send → message vs JSON.stringify + TextEncoder and back)', {
      value: measured,
      baseline,
      unit: 'ns/message',
      ratio: measured / baseline,
    });
    a.close();
    b.close();
    if (sink === 0) throw new Error('nothing measured');
  }

  // 3. Whole values through CallData over the in-memory transport against the raw transport
  //    moving the same bytes in maximum-size frames.
  for (const size of [1 * MiB, 10 * MiB]) {
    const payload = payloadOf(size);
    const network = createMemoryNetwork({ maxMessageSize: FRAME });
    const [rawA, rawB] = [network.connect('8:acs:raw-a'), network.connect('8:acs:raw-b')];
    let rawBytes = 0;
    rawB.onMessage(({ bytes }) => (rawBytes += bytes.length));
    const raw = async (n) => {
      const target = rawBytes + n * size;
      for (let i = 0; i < n; i++) {
        for (let offset = 0; offset < size; offset += FRAME) await rawA.send(payload.subarray(offset, offset + FRAME), { reliability: 'durable' });
      }
      while (rawBytes < target) await new Promise((resolve) => setImmediate(resolve));
    };
    const [a, b] = createTestCallDataPair({ maxMessageSize: FRAME });
    let waiting;
    b.channel('bulk', { codec: 'binary' }).on('message', ({ value }) => {
      if (value.length !== size) throw new Error('truncated');
      waiting?.();
    });
    const channel = a.channel('bulk', { codec: 'binary' });
    const viaCallData = async (n) => {
      for (let i = 0; i < n; i++) {
        const arrived = new Promise((resolve) => (waiting = resolve));
        await channel.send(payload);
        await arrived;
      }
    };
    const iterations = size > MiB ? 3 : 20;
    await raw(iterations);
    await viaCallData(iterations);
    const baseline = await bestNsPerOpAsync(raw, iterations, 5);
    const value = await bestNsPerOpAsync(viaCallData, iterations, 5);
    report(`${size / MiB} MiB value through CallData (chunking + reassembly vs raw transport frames)`, {
      value: value / 1e6,
      baseline: baseline / 1e6,
      unit: 'ms',
      ratio: value / baseline,
    });
    report(`  throughput of that value`, { value: size / MiB / (value / 1e9), unit: 'MiB/s' });
    a.close();
    b.close();
    rawA.close();
    rawB.close();
  }

  // 4. Header bytes of a single-frame message (sequence numbers below 128; at most 10 for any).
  report('header bytes per single-frame message', { value: messageHeaderLength(0), unit: 'bytes', target: 16 });
}
