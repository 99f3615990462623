import { describe, expect, it } from 'vitest';
import { encodeMessageCursor, pageMessages, parseMessageCursor, versionAt } from '../../../src/emulator/chat/messagePaging.js';
import type { MessageRecord } from '../../../src/emulator/store/model.js';

function message(id: number, version: number = id, previousVersions?: number[]): MessageRecord {
  return {
    id: String(id),
    type: 'text',
    sequenceId: id,
    version: String(version),
    createdOn: id,
    ...(previousVersions && { previousVersions: previousVersions.map(String) }),
  };
}

const all = () => true;

describe('versionAt', () => {
  it('is the newest version not after the snapshot, or undefined for a message created after it', () => {
    const edited = message(10, 50, [10, 30]);
    expect(versionAt(edited, 60)).toBe(50);
    expect(versionAt(edited, 40)).toBe(30);
    expect(versionAt(edited, 20)).toBe(10);
    expect(versionAt(edited, 9)).toBeUndefined();
  });
});

describe('pageMessages', () => {
  it('orders by last change and filters since on it', () => {
    const list = [message(1), message(2, 9, [2]), message(3), message(4)];
    expect(pageMessages(list, { size: 10, since: undefined, cursor: undefined, visible: all }).messages.map((m) => m.id)).toEqual(['2', '4', '3', '1']);
    expect(pageMessages(list, { size: 10, since: 4, cursor: undefined, visible: all }).messages.map((m) => m.id)).toEqual(['2', '4']);
  });

  it('continues the snapshot of page 1 whatever changed since', () => {
    const before = [message(1), message(2), message(3), message(4)];
    const first = pageMessages(before, { size: 2, since: undefined, cursor: undefined, visible: all });
    expect(first.messages.map((m) => m.id)).toEqual(['4', '3']);
    expect(first.next).toEqual({ snapshot: 4, before: 3 });
    // Meanwhile: 1 edited (jumps to the top), 4 deleted, 5 sent.
    const after = [message(1, 7, [1]), message(2), message(3), message(4, 6, [4]), message(5)];
    const rest = pageMessages(after, { size: 2, since: undefined, cursor: first.next, visible: all });
    expect(rest.messages.map((m) => m.id)).toEqual(['2', '1']);
    expect(rest.next).toBeUndefined();
  });

  it('skips what the caller may not see', () => {
    const list = [message(1), message(2), message(3)];
    const page = pageMessages(list, { size: 10, since: undefined, cursor: undefined, visible: (m) => m.createdOn >= 2 });
    expect(page.messages.map((m) => m.id)).toEqual(['3', '2']);
  });
});

describe('message cursor', () => {
  it('round-trips and refuses anything else with a 400', () => {
    const cursor = { snapshot: 1_749_594_023_041, before: 1_749_594_022_733 };
    expect(parseMessageCursor(new URLSearchParams({ syncState: encodeMessageCursor(cursor) }))).toEqual(cursor);
    expect(parseMessageCursor(new URLSearchParams())).toBeUndefined();
    for (const bad of ['42', 'not base64 json', Buffer.from('[1]').toString('base64url'), Buffer.from('[1.5,2]').toString('base64url')]) {
      expect(() => parseMessageCursor(new URLSearchParams({ syncState: bad }))).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
