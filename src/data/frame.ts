/**
 * The binary frame format of the data-channel helper (docs/data.md has the full description).
 *
 * Byte 0 is `version << 4 | kind`; integers after it are unsigned LEB128 varints of at most 5
 * bytes (32 bits), except the topic, a fixed 4-byte big-endian hash so that a single-frame message
 * costs 6–10 bytes of header. Decoding never throws: it returns a reason string for anything that
 * is not a well-formed frame, because frames come from remotes we do not trust.
 * @internal
 */

export const FRAME_VERSION = 1;

export const FrameKind = {
  keepAlive: 0,
  message: 1,
  chunk: 2,
  fileData: 3,
} as const;

/** Topic ids below this are the helper's own streams; user topics hash above it. */
export const RESERVED_TOPICS = 16;
export const RPC_TOPIC = 0;
export const FILE_CONTROL_TOPIC = 1;

/** The largest header a chunk frame can have: kind byte, topic, and four 5-byte varints. */
export const MAX_CHUNK_HEADER = 1 + 4 + 5 * 4;
/** The smallest `maxMessageSize` the helper works with: a chunk header plus a useful payload. */
export const MIN_FRAME_SIZE = 64;

/** The frame the ACS transport sends to keep remote receivers from closing after 2 idle minutes. */
export const KEEP_ALIVE_FRAME: Uint8Array = Uint8Array.of((FRAME_VERSION << 4) | FrameKind.keepAlive);

export interface MessageFrame {
  readonly kind: typeof FrameKind.message;
  readonly topic: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface ChunkFrame {
  readonly kind: typeof FrameKind.chunk;
  readonly topic: number;
  readonly seq: number;
  readonly index: number;
  readonly count: number;
  readonly total: number;
  readonly payload: Uint8Array;
}

export interface FileDataFrame {
  readonly kind: typeof FrameKind.fileData;
  readonly fileId: number;
  readonly index: number;
  readonly payload: Uint8Array;
}

export interface KeepAliveFrame {
  readonly kind: typeof FrameKind.keepAlive;
}

export type Frame = MessageFrame | ChunkFrame | FileDataFrame | KeepAliveFrame;

/** The topic id of a user topic name: FNV-1a over its UTF-16 code units, moved out of the reserved range. */
export function topicId(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash < RESERVED_TOPICS ? hash + RESERVED_TOPICS : hash;
}

export function varintLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function writeVarint(target: Uint8Array, offset: number, value: number): number {
  let rest = value >>> 0;
  while (rest >= 0x80) {
    target[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  target[offset++] = rest;
  return offset;
}

function writeTopic(target: Uint8Array, offset: number, topic: number): number {
  target[offset] = topic >>> 24;
  target[offset + 1] = (topic >>> 16) & 0xff;
  target[offset + 2] = (topic >>> 8) & 0xff;
  target[offset + 3] = topic & 0xff;
  return offset + 4;
}

function kindByte(kind: number): number {
  return (FRAME_VERSION << 4) | kind;
}

/** Header bytes of a single-frame message with this sequence number. */
export function messageHeaderLength(seq: number): number {
  return 1 + 4 + varintLength(seq);
}

export function encodeMessage(topic: number, seq: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(messageHeaderLength(seq) + payload.length);
  frame[0] = kindByte(FrameKind.message);
  let offset = writeTopic(frame, 1, topic);
  offset = writeVarint(frame, offset, seq);
  frame.set(payload, offset);
  return frame;
}

/** The largest message header: kind byte, topic, and a 5-byte sequence number. */
const MAX_MESSAGE_HEADER = 1 + 4 + 5;
const textEncoder = new TextEncoder();
/**
 * Where {@link encodeTextMessage} writes UTF-8 before copying it out: encoding once into a reused
 * buffer and slicing the frame out of it makes one allocation per message instead of two (the
 * encoded text, then the frame) and never zero-fills a buffer that is overwritten at once.
 */
const scratch = new Uint8Array(MAX_MESSAGE_HEADER + 64 * 1024);
const scratchBody = scratch.subarray(MAX_MESSAGE_HEADER);

/**
 * The single message frame carrying the UTF-8 of `text`, or `undefined` when that is over
 * `maxFrame` (or 64 KiB): the caller then encodes the text and frames it as any payload.
 */
export function encodeTextMessage(topic: number, seq: number, text: string, maxFrame: number): Uint8Array | undefined {
  if (text.length > scratchBody.length) return undefined;
  const { read, written } = textEncoder.encodeInto(text, scratchBody);
  if (read < text.length) return undefined;
  const start = MAX_MESSAGE_HEADER - messageHeaderLength(seq);
  if (MAX_MESSAGE_HEADER + written - start > maxFrame) return undefined;
  scratch[start] = kindByte(FrameKind.message);
  writeVarint(scratch, writeTopic(scratch, start + 1, topic), seq);
  return scratch.slice(start, MAX_MESSAGE_HEADER + written);
}

export function encodeChunk(topic: number, seq: number, index: number, count: number, total: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(chunkHeaderLength(seq, index, count, total) + payload.length);
  frame.set(payload, writeChunkHeader(frame, topic, seq, index, count, total));
  return frame;
}

function chunkHeaderLength(seq: number, index: number, count: number, total: number): number {
  return 1 + 4 + varintLength(seq) + varintLength(index) + varintLength(count) + varintLength(total);
}

function writeChunkHeader(frame: Uint8Array, topic: number, seq: number, index: number, count: number, total: number): number {
  frame[0] = kindByte(FrameKind.chunk);
  let offset = writeTopic(frame, 1, topic);
  offset = writeVarint(frame, offset, seq);
  offset = writeVarint(frame, offset, index);
  offset = writeVarint(frame, offset, count);
  return writeVarint(frame, offset, total);
}

export function encodeFileData(fileId: number, index: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(1 + varintLength(fileId) + varintLength(index) + payload.length);
  frame[0] = kindByte(FrameKind.fileData);
  let offset = writeVarint(frame, 1, fileId);
  offset = writeVarint(frame, offset, index);
  frame.set(payload, offset);
  return frame;
}

/** The largest file-data payload that fits a frame of `maxFrame` bytes. */
export function fileChunkSize(maxFrame: number): number {
  return maxFrame - 11;
}

/**
 * The frames that carry `payload` on `topic`: one message frame when it fits, otherwise chunks of
 * equal size (the last one shorter). Lazy, so a 10 MB value is not copied into frames up front.
 */
export function* frameMessage(topic: number, seq: number, payload: Uint8Array, maxFrame: number): Generator<Uint8Array, void, undefined> {
  if (messageHeaderLength(seq) + payload.length <= maxFrame) {
    yield encodeMessage(topic, seq, payload);
    return;
  }
  const chunkSize = maxFrame - MAX_CHUNK_HEADER;
  const count = Math.ceil(payload.length / chunkSize);
  for (let index = 0; index < count; index++) {
    const start = index * chunkSize;
    const end = Math.min(start + chunkSize, payload.length);
    const header = chunkHeaderLength(seq, index, count, payload.length);
    if (start < header) {
      yield encodeChunk(topic, seq, index, count, payload.length, payload.subarray(start, end));
      continue;
    }
    // Copy the chunk with the header's length of bytes before it, then write the header over those:
    // a typed array made from another is filled by one copy, where a new one is zero-filled first.
    const frame = new Uint8Array(payload.subarray(start - header, end));
    writeChunkHeader(frame, topic, seq, index, count, payload.length);
    yield frame;
  }
}

/** How many frames {@link frameMessage} makes for a payload of `length` bytes. */
export function frameCount(seq: number, length: number, maxFrame: number): number {
  if (messageHeaderLength(seq) + length <= maxFrame) return 1;
  return Math.ceil(length / (maxFrame - MAX_CHUNK_HEADER));
}

/**
 * Where the payload of a well-formed single message frame starts, or 0 when `bytes` is anything
 * else (then {@link decodeFrame} says what it is). Lets the receiver skip the frame object for
 * the most common frame; read its topic with {@link messageTopic}.
 */
export function messagePayloadOffset(bytes: Uint8Array): number {
  if (bytes.length < 6 || bytes[0] !== kindByte(FrameKind.message)) return 0;
  return readVarint(bytes, 5) < 0 ? 0 : readEnd;
}

/** The topic of a message frame that {@link messagePayloadOffset} accepted. */
export function messageTopic(bytes: Uint8Array): number {
  return ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
}

/**
 * Where the last {@link readVarint} stopped. Module state rather than a reader object: frames are
 * parsed synchronously, one at a time, and a short-lived object per frame measurably slowed the
 * receive path (its optimized code was thrown away at every garbage collection).
 */
let readEnd = 0;

/** The unsigned varint at `offset`, or -1 when it is cut short or over 32 bits; sets `readEnd`. */
function readVarint(bytes: Uint8Array, offset: number): number {
  let value = 0;
  let factor = 1;
  // Bounds checked here rather than by reading past the end, which slows every read.
  for (let i = 0; i < 5 && offset < bytes.length; i++) {
    const byte = bytes[offset++]!;
    if (i === 4 && byte > 0x0f) return -1; // more than 32 bits
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) {
      readEnd = offset;
      return value;
    }
    factor *= 0x80;
  }
  readEnd = bytes.length;
  return -1;
}

/** The 4-byte topic at 1, or -1 when the frame is shorter. */
function readTopic(bytes: Uint8Array): number {
  return bytes.length < 5 ? -1 : messageTopic(bytes);
}

/** Parses one frame; a string says why it is not a valid frame. The payload is a view, not a copy. */
export function decodeFrame(bytes: Uint8Array): Frame | string {
  const first = bytes[0];
  if (first === undefined) return 'empty frame';
  if (first >> 4 !== FRAME_VERSION) return `unsupported frame version ${first >> 4}`;
  const kind = first & 0x0f;
  switch (kind) {
    case FrameKind.keepAlive:
      return bytes.length === 1 ? { kind } : 'keep-alive frame with a body';
    case FrameKind.message: {
      const topic = readTopic(bytes);
      const seq = topic < 0 ? -1 : readVarint(bytes, 5);
      if (seq < 0) return 'truncated message header';
      return { kind, topic, seq, payload: bytes.subarray(readEnd) };
    }
    case FrameKind.chunk: {
      const topic = readTopic(bytes);
      const seq = topic < 0 ? -1 : readVarint(bytes, 5);
      const index = seq < 0 ? -1 : readVarint(bytes, readEnd);
      const count = index < 0 ? -1 : readVarint(bytes, readEnd);
      const total = count < 0 ? -1 : readVarint(bytes, readEnd);
      if (total < 0) return 'truncated chunk header';
      if (count < 2 || index >= count) return 'chunk index or count out of range';
      const payload = bytes.subarray(readEnd);
      if (payload.length === 0 || total < count) return 'chunk sizes are inconsistent';
      return { kind, topic, seq, index, count, total, payload };
    }
    case FrameKind.fileData: {
      const fileId = readVarint(bytes, 1);
      const index = fileId < 0 ? -1 : readVarint(bytes, readEnd);
      if (index < 0) return 'truncated file-data header';
      return { kind, fileId, index, payload: bytes.subarray(readEnd) };
    }
    default:
      return `unknown frame kind ${kind}`;
  }
}
