// The data helper: framing + chunking + reassembly against plain copies, the JSON channel against
// JSON.stringify + TextEncoder, and whole values through CallData over the in-memory transport
// against the raw transport moving the same bytes in frames — all measured in the same run.
import { bestNsPerOpAsync, importSource } from './support.mjs';

const { frameMessage, decodeFrame, encodeTextMessage, messageHeaderLength, messagePayloadOffset, messageTopic } = await importSource('src/data/frame.ts');
const { jsonCodec } = await importSource('src/data/codec.ts');
const { Reassembler } = await importSource('src/data/reassembler.ts');
const { createTestCallDataPair, createMemoryNetwork } = await importSource('src/testing/index.ts');
const { createCallData } = await importSource('src/data/index.ts');

const MiB = 1024 * 1024;
const FRAME = 32_768; // the ACS DataChannel maxMessageSize

/**
 * Best ns/op of both loops over many short rounds, alternating which goes first, with a GC before
 * each (`--expose-gc`): on a shared machine a round can be slowed by load or by the previous loop's
 * garbage, and the best of many alternating rounds is what each loop costs undisturbed.
 */
async function compare(baselineLoop, valueLoop, iterations, rounds = 15) {
  let baseline = Infinity;
  let value = Infinity;
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [baselineLoop, valueLoop] : [valueLoop, baselineLoop];
    const a = await bestNsPerOpAsync(first, iterations, 1);
    const b = await bestNsPerOpAsync(second, iterations, 1);
    baseline = Math.min(baseline, first === baselineLoop ? a : b);
    value = Math.min(value, first === baselineLoop ? b : a);
  }
  return { baseline, value };
}

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
        // What CallData does with each frame: not a single message (the fast path), so decoded and reassembled.
        for (const frame of frameMessage(100, i, payload, FRAME))
          if (messagePayloadOffset(frame) === 0) result = reassembler.accept(decodeFrame(frame), 'peer', 'durable');
        sink += result.payload.length;
      }
    };
    const iterations = size > MiB ? 4 : 40;
    copy(iterations);
    roundTrip(iterations);
    const { baseline, value } = await compare(
      async (n) => copy(n),
      async (n) => roundTrip(n),
      iterations,
    );
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

  // 2. The JSON channel's encode + decode (codec, framing, frame parsing) against JSON.stringify +
  //    TextEncoder and back; then the whole trip of a message through CallData over the in-memory
  //    transport (queue, transport hop, events), reported against the same baseline without a target.
  {
    const value = { type: 'cursor', x: 123.5, y: 456.25, pressed: true, id: 'pointer-1', tags: ['a', 'b', 'c'] };
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    let sink = 0;
    const plain = async (n) => {
      for (let i = 0; i < n; i++) sink += JSON.parse(decoder.decode(encoder.encode(JSON.stringify(value)))).x;
    };
    const topic = 1234567;
    // The path of a json channel: the codec's text written straight into a frame on send
    // (channel.ts, CallData #sendText); on receipt the single-message fast path (CallData #receive).
    const codecRoundTrip = async (n) => {
      for (let i = 0; i < n; i++) {
        const frame = encodeTextMessage(topic, i & 0x7f, jsonCodec.toText(value), FRAME);
        const offset = messagePayloadOffset(frame);
        if (messageTopic(frame) !== topic) throw new Error('wrong topic');
        sink += jsonCodec.decode(frame.subarray(offset)).x;
      }
    };
    const iterations = 50_000;
    await plain(iterations);
    await codecRoundTrip(iterations);
    const codec = await compare(plain, codecRoundTrip, iterations);
    report('JSON channel encode + decode, small object (codec + frame vs JSON.stringify + TextEncoder and back)', {
      value: codec.value,
      baseline: codec.baseline,
      unit: 'ns/message',
      ratio: codec.value / codec.baseline,
      target: 1.3,
    });

    const [a, b] = createTestCallDataPair();
    let received = 0;
    b.channel('json').on('message', () => received++);
    const channel = a.channel('json');
    const viaChannel = async (n) => {
      const before = received;
      for (let i = 0; i < n; i++) await channel.send(value);
      while (received - before < n) await new Promise((resolve) => setImmediate(resolve));
    };
    await viaChannel(iterations / 5);
    const trip = await compare(plain, viaChannel, iterations / 5);
    report('  the same message sent and received through CallData (awaiting each send)', {
      value: trip.value,
      baseline: trip.baseline,
      unit: 'ns/message',
      ratio: trip.value / trip.baseline,
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
    const { baseline, value } = await compare(raw, viaCallData, iterations);
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

  // 4. Header bytes of a single-frame message, read off the frames CallData hands its transport:
  //    1 000 one-byte values on one topic (sequence numbers 0-999), header = frame length - 1.
  {
    const network = createMemoryNetwork({ maxMessageSize: FRAME });
    const inner = network.connect('8:acs:header-a');
    network.connect('8:acs:header-b');
    const lengths = [];
    const data = createCallData({
      maxMessageSize: inner.maxMessageSize,
      send: (bytes, options) => {
        lengths.push(bytes.length);
        return inner.send(bytes, options);
      },
      onMessage: (listener) => inner.onMessage(listener),
    });
    const channel = data.channel('header', { codec: 'binary' });
    for (let i = 0; i < 1_000; i++) await channel.send(Uint8Array.of(i & 0xff));
    data.close();
    const headers = lengths.map((length) => length - 1);
    if (headers.length !== 1_000) throw new Error(`expected 1 000 frames, got ${headers.length}`);
    const max = (list) => list.reduce((a, b) => Math.max(a, b), 0);
    report('header bytes per single-frame message, first 128 messages of a topic', { value: max(headers.slice(0, 128)), unit: 'bytes', target: 16 });
    report("  mean over a topic's first 1 000 messages", { value: headers.reduce((a, b) => a + b, 0) / headers.length, unit: 'bytes' });
    report('  largest possible (sequence number >= 2^28)', { value: messageHeaderLength(2 ** 32 - 1), unit: 'bytes', target: 16 });
  }
}
