import { describe, expect, it } from 'vitest';
import { cursorToken } from '../../../src/emulator/chat/cursorToken.js';
import { encodeMessageCursor, parseMessageCursor } from '../../../src/emulator/chat/messagePaging.js';
import { encodeThreadCursor, parseThreadCursor } from '../../../src/emulator/chat/threadCursor.js';
import type { ThreadRecord } from '../../../src/emulator/store/model.js';

const thread = (lastMessageOn: number, id: string): ThreadRecord => ({ id, topic: 't', createdOn: 1, createdBy: '8:acs:x', lastMessageOn });

/** What both cursors have been on the wire since they were first handed out: a JSON array in base64url. */
const wire = (fields: unknown) => Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');

describe('paging cursor tokens', () => {
  it('round-trip thread and message cursors through their query parameters', () => {
    for (const [lastMessageOn, id] of [
      [1_732_700_000_000, '19:abc@thread.v2'],
      [0, ''],
      [1.5, 'é🙂 "quoted" \\'],
    ] as const) {
      const token = encodeThreadCursor(thread(lastMessageOn, id));
      expect(parseThreadCursor(new URLSearchParams({ continuationToken: token }))).toEqual({ lastMessageOn, id });
    }
    for (const cursor of [
      { snapshot: 1_749_594_023_041, before: 1_749_594_022_733 },
      { snapshot: 0, before: Number.MAX_SAFE_INTEGER },
    ]) {
      expect(parseMessageCursor(new URLSearchParams({ syncState: encodeMessageCursor(cursor) }))).toEqual(cursor);
    }
  });

  it('keep the wire format of tokens handed out before (a client may resume with one)', () => {
    expect(encodeThreadCursor(thread(1_732_700_000_000, '19:abc@thread.v2'))).toBe('WzE3MzI3MDAwMDAwMDAsIjE5OmFiY0B0aHJlYWQudjIiXQ');
    expect(encodeMessageCursor({ snapshot: 1_749_594_023_041, before: 1_749_594_022_733 })).toBe('WzE3NDk1OTQwMjMwNDEsMTc0OTU5NDAyMjczM10');
    expect(parseThreadCursor(new URLSearchParams({ continuationToken: wire([5, 'x']) }))).toEqual({ lastMessageOn: 5, id: 'x' });
    expect(parseMessageCursor(new URLSearchParams({ syncState: wire([7, 3]) }))).toEqual({ snapshot: 7, before: 3 });
  });

  it('answer 400 naming the parameter for a token of the wrong shape, and undefined when absent', () => {
    expect(parseThreadCursor(new URLSearchParams())).toBeUndefined();
    for (const bad of ['nope', wire([1, 2]), wire(['1', 'x']), wire([1]), wire({ 0: 1, 1: 'x' }), wire([1, 'x', 2])]) {
      expect(() => parseThreadCursor(new URLSearchParams({ continuationToken: bad }))).toThrow(
        expect.objectContaining({ status: 400, message: 'continuationToken is not valid.' }),
      );
    }
    for (const bad of [wire([1, 'x']), wire([1.5, 2]), wire([2 ** 53, 1])]) {
      expect(() => parseMessageCursor(new URLSearchParams({ syncState: bad }))).toThrow(
        expect.objectContaining({ status: 400, message: 'syncState is not valid.' }),
      );
    }
  });

  it('hands the decoded array to the reader and refuses what it refuses', () => {
    const seen: unknown[] = [];
    const token = cursorToken('page', (fields) => {
      seen.push(fields);
      return fields[0] === 'ok' ? { ok: true } : undefined;
    });
    expect(token.parse(new URLSearchParams({ page: token.encode(['ok', 1]) }))).toEqual({ ok: true });
    expect(() => token.parse(new URLSearchParams({ page: token.encode(['no']) }))).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => token.parse(new URLSearchParams({ page: wire({ not: 'an array' }) }))).toThrow(expect.objectContaining({ status: 400 }));
    expect(seen).toEqual([['ok', 1], ['no']]);
  });
});
