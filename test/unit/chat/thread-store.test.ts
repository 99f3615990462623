import { describe, expect, it, vi } from 'vitest';
import { TYPING_TIMEOUT_MS, ThreadStore, type ThreadStoreSource } from '../../../src/chat/thread-store.js';
import type { ChatMessage, ChatParticipant } from '../../../src/chat/types.js';
import { toIdentifier } from '../../../src/identifiers/identifier.js';

const ADA = toIdentifier('8:acs:r_ada');

function message(seq: number, version = 1, content = `m${seq}`): ChatMessage {
  return {
    id: String(seq),
    threadId: 't',
    type: 'text',
    content,
    sender: ADA,
    senderDisplayName: 'Ada',
    createdOn: new Date(seq * 1000),
    editedOn: undefined,
    deletedOn: undefined,
    sequenceId: seq,
    version: String(version),
    metadata: {},
    isOwn: false,
    attachments: [],
  };
}

/** A thread of `count` messages, listed newest first like the service. */
function source(count: number): ThreadStoreSource & { listed: number } {
  const all = Array.from({ length: count }, (_, i) => message(i + 1));
  const src = {
    listed: 0,
    async *messages() {
      for (const m of [...all].reverse()) {
        src.listed++;
        yield m;
      }
    },
    participants: {
      async *list(): AsyncGenerator<ChatParticipant> {
        yield { id: ADA, displayName: 'Ada', shareHistorySince: undefined };
      },
    },
    readReceipts: async () => [],
    properties: async () => ({ id: 't', topic: 'T', createdOn: new Date(0), createdBy: ADA, metadata: {}, deletedOn: undefined }),
  };
  return src;
}

describe('ThreadStore', () => {
  it('loads the newest window oldest first, and loadOlder() extends it', async () => {
    const store = new ThreadStore(source(30), 10, () => undefined);
    await store.load();
    const loaded = store.getSnapshot();
    expect(loaded.messages.map((m) => m.sequenceId)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(loaded.hasOlder).toBe(true);
    await expect(store.loadOlder(15)).resolves.toBe(true);
    expect(store.getSnapshot().messages.map((m) => m.sequenceId)[0]).toBe(6);
    await expect(store.loadOlder(15)).resolves.toBe(false);
    expect(store.getSnapshot().messages).toHaveLength(30);
    expect(store.getSnapshot().hasOlder).toBe(false);
  });

  it('keeps unchanged messages and lists by identity; a change makes a new snapshot once', async () => {
    const store = new ThreadStore(source(5), 10, () => undefined);
    let notified = 0;
    store.subscribe(() => notified++);
    await store.load();
    const before = store.getSnapshot();
    notified = 0;
    store.applyMessage(message(6));
    const after = store.getSnapshot();
    expect(notified).toBe(1);
    expect(after.messages.slice(0, 5).every((m, i) => m === before.messages[i])).toBe(true);
    expect(after.participants).toBe(before.participants);
    store.applyMessage(message(6)); // the same version again: nothing changes
    expect(store.getSnapshot()).toBe(after);
    store.applyMessage(message(3, 2, 'edited'));
    expect(store.getSnapshot().messages[2]?.content).toBe('edited');
    store.applyMessage(message(3, 1, 'stale'));
    expect(store.getSnapshot().messages[2]?.content).toBe('edited');
  });

  it('stays bounded: the oldest message leaves the window as new ones arrive', async () => {
    const store = new ThreadStore(source(10), 10, () => undefined);
    await store.load();
    expect(store.getSnapshot().hasOlder).toBe(false);
    store.applyMessage(message(11));
    expect(store.getSnapshot().messages.map((m) => m.sequenceId)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(store.getSnapshot().hasOlder).toBe(true);
    // An edit of a message no longer in the window does not bring it back.
    store.applyMessage(message(1, 2, 'edited'));
    expect(store.getSnapshot().messages[0]?.sequenceId).toBe(2);
  });

  it('holds back an old message edited lately until the window reaches it, so the window has no gap', async () => {
    const all = Array.from({ length: 30 }, (_, i) => message(i + 1));
    const edited = { ...message(3, 2, 'edited'), editedOn: new Date(99_000) };
    const src = {
      ...source(0),
      // Most recently changed first, as the service lists: the edited message leads.
      messages: async function* () {
        yield edited;
        for (const m of [...all].reverse()) if (m.id !== edited.id) yield m;
      },
    };
    const store = new ThreadStore(src, 10, () => undefined);
    await store.load();
    expect(store.getSnapshot().messages.map((m) => m.sequenceId)).toEqual([22, 23, 24, 25, 26, 27, 28, 29, 30]);
    await store.loadOlder(10);
    expect(store.getSnapshot().messages.map((m) => m.sequenceId)).toEqual(Array.from({ length: 19 }, (_, i) => i + 12));
    await expect(store.loadOlder(20)).resolves.toBe(false);
    expect(store.getSnapshot().messages.map((m) => m.sequenceId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(store.getSnapshot().messages[2]?.content).toBe('edited');
  });

  it('a failed load is status error with the SessionError, reported once', async () => {
    const errors: unknown[] = [];
    const failing = { ...source(1), properties: async () => Promise.reject(new Error('boom')) };
    const store = new ThreadStore(failing, 10, (e) => errors.push(e));
    await store.load();
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'SERVICE_ERROR' } });
    expect(errors).toHaveLength(1);
  });
});

describe('ThreadStore typing', () => {
  const GRACE = toIdentifier('8:acs:r_grace');
  const typingEvent = (sender = GRACE) => ({ type: 'typingReceived', threadId: 't', sender, senderDisplayName: undefined, receivedOn: new Date() }) as const;

  it('shows a typist until 8 s after their last notification, each notification restarting the wait', async () => {
    vi.useFakeTimers();
    try {
      const store = new ThreadStore(source(1), 10, () => undefined);
      await store.load();
      store.applyEvent(typingEvent());
      expect(store.getSnapshot().typing.map((t) => t.rawId)).toEqual([GRACE.rawId]);
      vi.advanceTimersByTime(TYPING_TIMEOUT_MS - 1000);
      store.applyEvent(typingEvent());
      vi.advanceTimersByTime(TYPING_TIMEOUT_MS - 1);
      expect(store.getSnapshot().typing).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(store.getSnapshot().typing).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops a typist when their message arrives, and clear() leaves no timer', async () => {
    vi.useFakeTimers();
    try {
      const store = new ThreadStore(source(1), 10, () => undefined);
      await store.load();
      store.applyEvent(typingEvent());
      store.applyEvent(typingEvent(ADA));
      expect(store.getSnapshot().typing).toHaveLength(2);
      store.applyEvent({ type: 'messageReceived', threadId: 't', message: message(2) });
      expect(store.getSnapshot().typing.map((t) => t.rawId)).toEqual([GRACE.rawId]);
      store.clear();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
