import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FILE_CONTROL_TOPIC,
  FRAME_VERSION,
  FrameKind,
  KEEP_ALIVE_FRAME,
  MAX_CHUNK_HEADER,
  MIN_FRAME_SIZE,
  RESERVED_TOPICS,
  RPC_TOPIC,
  encodeFileData,
  encodeMessage,
  fileChunkSize,
  frameMessage,
  messageHeaderLength,
} from '../../../src/data/frame.js';

// docs/data.md describes the wire format for people writing another implementation: its numbers and
// its example bytes are checked against the encoder here, so the two cannot drift apart.

const doc = readFileSync(join(import.meta.dirname, '../../../docs/data.md'), 'utf8');
const start = doc.indexOf(`## Frame format (version ${FRAME_VERSION})`);
const section = doc.slice(start, doc.indexOf('\n## ', start + 1)).replace(/\s+/g, ' ');
const rpc = doc.slice(doc.indexOf('## RPC'), doc.indexOf('\n## ', doc.indexOf('## RPC') + 1)).replace(/\s+/g, ' ');

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
const utf8 = (text: string) => new TextEncoder().encode(text);
/** A frame as the examples table writes it: header bytes, an escaped `|`, payload bytes. */
const example = (frame: Uint8Array, payloadLength: number) =>
  `${hex(frame.subarray(0, frame.length - payloadLength))} \\| ${hex(frame.subarray(frame.length - payloadLength))}`;

describe('docs/data.md frame format', () => {
  it('is there, for the version the code writes', () => {
    expect(start).toBeGreaterThan(0);
  });

  it('gives the header sizes of every kind as the encoder makes them', () => {
    const largest = 2 ** 32 - 1;
    expect(section).toContain(
      `| ${FrameKind.keepAlive} | keep-alive | nothing (the frame is exactly \`0x${hex(KEEP_ALIVE_FRAME)}\`) | ${KEEP_ALIVE_FRAME.length} |`,
    );
    expect(section).toContain(
      `| ${FrameKind.message} | message | topic (4) · seq (varint) · payload | ${messageHeaderLength(0)}–${messageHeaderLength(largest)} |`,
    );
    expect(section).toContain(`| ${FrameKind.chunk} | chunk | topic (4) · seq · index · count · total (varints) · payload | ≤ ${MAX_CHUNK_HEADER} |`);
    const fileHeader = encodeFileData(largest, largest, new Uint8Array()).length;
    expect(section).toContain(`| ${FrameKind.fileData} | file data | transfer id · index (varints) · payload | ≤ ${fileHeader} |`);
    expect(section).toContain(`${messageHeaderLength(0)} bytes of header for the first 128 values of a topic, ${messageHeaderLength(128)} up to 16 384`);
  });

  it('states the limits and reserved ids the code uses', () => {
    expect(section).toContain(`exactly \`maxMessageSize − ${MAX_CHUNK_HEADER}\` payload bytes`);
    expect(section).toContain(`\`maxMessageSize − ${MIN_FRAME_SIZE - fileChunkSize(MIN_FRAME_SIZE)}\` bytes`);
    expect(section).toContain(`at least ${MIN_FRAME_SIZE} bytes`);
    expect(section).toContain(`a hash below ${RESERVED_TOPICS} is moved up by ${RESERVED_TOPICS}`);
    expect(section).toContain(`${RPC_TOPIC} carries RPC, ${FILE_CONTROL_TOPIC} carries file control messages`);
  });

  it('shows example bytes that the encoder produces', () => {
    expect(section).toContain(`| keep-alive | \`${hex(KEEP_ALIVE_FRAME)}\` |`);
    expect(section).toContain(example(encodeMessage(0x0a1b2c3d, 300, utf8('hi')), 2));
    const chunks = [...frameMessage(0x0a1b2c3d, 0, new Uint8Array(100), 64)];
    expect(chunks.map((chunk) => chunk.length)).toEqual([9 + 39, 9 + 39, 9 + 22]); // 9 bytes of header each, as the example shows
    expect(section).toContain(`(chunks of ${64 - MAX_CHUNK_HEADER} bytes: 39 + 39 + 22)`);
    expect(section).toContain(`\`${hex(chunks[2]!.subarray(0, 9))} \\| …${chunks[2]!.length - 9} bytes\``);
    expect(section).toContain(example(encodeFileData(1, 0, utf8('ab')), 2));
    const request = encodeMessage(RPC_TOPIC, 0, Uint8Array.of(0, ...utf8('{"i":1,"m":"add","p":[1,2]}')));
    expect(section).toContain(
      `\`${hex(request.subarray(0, messageHeaderLength(0)))} \\| ${hex(request.subarray(messageHeaderLength(0), messageHeaderLength(0) + 4))} …\``,
    );
  });

  it('gives the RPC kinds their numbers', () => {
    for (const [kind, name] of [
      [0, 'request'],
      [1, 'response'],
      [2, 'failure'],
      [3, 'unknown method'],
    ] as const) {
      expect(rpc).toContain(`| ${kind} ${name} |`);
    }
  });
});
