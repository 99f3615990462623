import { describe, expect, it } from 'vitest';
import {
  FILE_CONTROL_TOPIC,
  FrameKind,
  KEEP_ALIVE_FRAME,
  MAX_CHUNK_HEADER,
  RESERVED_TOPICS,
  RPC_TOPIC,
  decodeFrame,
  encodeChunk,
  encodeFileData,
  encodeMessage,
  encodeTextMessage,
  frameCount,
  frameMessage,
  messageHeaderLength,
  messagePayloadOffset,
  messageTopic,
  topicId,
} from '../../../src/data/frame.js';

const bytes = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('frame format', () => {
  it('round-trips a message frame, with at most 10 header bytes even at the largest sequence number', () => {
    for (const seq of [0, 1, 127, 128, 16_383, 16_384, 2 ** 32 - 1]) {
      const payload = bytes(5);
      const frame = encodeMessage(0xdeadbeef, seq, payload);
      expect(frame.length - payload.length).toBe(messageHeaderLength(seq));
      expect(frame.length - payload.length).toBeLessThanOrEqual(10);
      expect(decodeFrame(frame)).toEqual({ kind: FrameKind.message, topic: 0xdeadbeef, seq, payload });
    }
  });

  it('writes a text message frame byte for byte as encodeMessage of its UTF-8, and only when it fits one frame', () => {
    const utf8 = new TextEncoder();
    for (const text of ['', '{"x":1}', 'héllo wörld ✓ 😀', 'x'.repeat(1_000)]) {
      for (const seq of [0, 127, 128, 2 ** 32 - 1]) {
        expect(encodeTextMessage(0xdeadbeef, seq, text, 32_768)).toEqual(encodeMessage(0xdeadbeef, seq, utf8.encode(text)));
      }
    }
    const fits = encodeMessage(30, 0, utf8.encode('✓'.repeat(20))).length; // 60 bytes of text
    expect(encodeTextMessage(30, 0, '✓'.repeat(20), fits)).toHaveLength(fits);
    expect(encodeTextMessage(30, 0, '✓'.repeat(20), fits - 1)).toBeUndefined();
    expect(encodeTextMessage(30, 0, 'x'.repeat(70_000), 1_000_000)).toBeUndefined(); // past the 64 KiB it encodes into
  });

  it('finds the payload of a single message frame without decoding it, and nothing in any other frame', () => {
    for (const seq of [0, 300, 2 ** 32 - 1]) {
      const frame = encodeMessage(0xfeedf00d, seq, bytes(9));
      const decoded = decodeFrame(frame);
      if (typeof decoded === 'string' || decoded.kind !== FrameKind.message) throw new Error('not a message');
      expect(frame.subarray(messagePayloadOffset(frame))).toEqual(decoded.payload);
      expect(messageTopic(frame)).toBe(decoded.topic);
    }
    for (const other of [
      encodeChunk(20, 0, 0, 2, 20, bytes(10)),
      encodeFileData(1, 0, bytes(4)),
      KEEP_ALIVE_FRAME,
      Uint8Array.of(0x11, 0, 0, 0, 20),
      Uint8Array.of(0x11, 0, 0, 0, 20, 0x80, 0x80),
      Uint8Array.of(0x11, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xff, 0x1f, 1),
      Uint8Array.of(0x21, 0, 0, 0, 20, 0),
    ]) {
      expect(messagePayloadOffset(other)).toBe(0);
    }
  });

  it('round-trips chunk, file-data and keep-alive frames', () => {
    const payload = bytes(7);
    expect(decodeFrame(encodeChunk(77, 5, 2, 3, 20, payload))).toEqual({ kind: FrameKind.chunk, topic: 77, seq: 5, index: 2, count: 3, total: 20, payload });
    expect(decodeFrame(encodeFileData(9, 300, payload))).toEqual({ kind: FrameKind.fileData, fileId: 9, index: 300, payload });
    expect(decodeFrame(KEEP_ALIVE_FRAME)).toEqual({ kind: FrameKind.keepAlive });
    expect(encodeChunk(2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32 - 1, new Uint8Array()).length).toBe(MAX_CHUNK_HEADER);
  });

  it('keeps version 1 in the high nibble of the first byte', () => {
    expect(encodeMessage(20, 0, new Uint8Array())[0]).toBe(0x11);
    expect(encodeChunk(20, 0, 0, 2, 2, bytes(1))[0]).toBe(0x12);
    expect(encodeFileData(1, 0, bytes(1))[0]).toBe(0x13);
    expect(KEEP_ALIVE_FRAME).toEqual(Uint8Array.of(0x10));
  });

  it('refuses malformed frames with a reason instead of throwing', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array()],
      ['version 2', Uint8Array.of(0x21, 0, 0, 0, 20, 0)],
      ['unknown kind', Uint8Array.of(0x1f)],
      ['truncated topic', Uint8Array.of(0x11, 0, 0)],
      ['missing seq', Uint8Array.of(0x11, 0, 0, 0, 20)],
      ['unterminated varint', Uint8Array.of(0x11, 0, 0, 0, 20, 0x80, 0x80)],
      ['varint over 32 bits', Uint8Array.of(0x11, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xff, 0x1f)],
      ['chunk count 1', encodeChunk(20, 0, 0, 1, 1, bytes(1))],
      ['chunk index past count', encodeChunk(20, 0, 3, 3, 9, bytes(3))],
      ['chunk without payload', encodeChunk(20, 0, 0, 2, 5, new Uint8Array())],
      ['chunk total below count', encodeChunk(20, 0, 0, 3, 2, bytes(1))],
      ['keep-alive with a body', Uint8Array.of(0x10, 1)],
      ['truncated file data', Uint8Array.of(0x13, 0x80)],
    ];
    for (const [name, frame] of cases) expect(typeof decodeFrame(frame), name).toBe('string');
  });

  it('sends a value in one frame when it fits, otherwise in equal chunks that each fit', () => {
    const max = 100;
    const single = max - messageHeaderLength(0);
    for (const length of [0, 1, single - 1, single, single + 1, max - 1, max, max + 1, 1000, 10_000]) {
      const payload = bytes(length);
      const frames = [...frameMessage(42, 0, payload, max)];
      expect(frames.length, `length ${length}`).toBe(frameCount(0, length, max));
      expect(frames.length === 1).toBe(length <= single);
      for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(max);
      const decoded = frames.map((frame) => decodeFrame(frame));
      const joined = new Uint8Array(length);
      let offset = 0;
      for (const frame of decoded) {
        if (typeof frame === 'string' || (frame.kind !== FrameKind.message && frame.kind !== FrameKind.chunk)) throw new Error('bad frame');
        joined.set(frame.payload, offset);
        offset += frame.payload.length;
      }
      expect(offset).toBe(length);
      expect(joined).toEqual(payload);
    }
  });

  it('hashes user topics outside the reserved ids, the same way every time', () => {
    expect(topicId('cursor')).toBe(topicId('cursor'));
    expect(topicId('cursor')).not.toBe(topicId('chat'));
    for (const name of ['', 'a', 'cursor', 'é', '🙂', 'x'.repeat(256)]) {
      expect(topicId(name)).toBeGreaterThanOrEqual(RESERVED_TOPICS);
      expect(topicId(name)).toBeLessThan(2 ** 32);
    }
    expect([RPC_TOPIC, FILE_CONTROL_TOPIC].every((id) => id < RESERVED_TOPICS)).toBe(true);
  });
});
