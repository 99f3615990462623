import type { MessageRecord } from '../store/model.js';
import { cursorToken } from './cursorToken.js';

/**
 * Where a list-messages request continues: the snapshot its first page was taken at (the newest
 * version in the thread then) and the version of the last message it returned.
 */
export interface MessageCursor {
  snapshot: number;
  before: number;
}

/**
 * When a message last changed: its version, a millisecond stamp that every send, edit and delete
 * renews (the service's versions are the same kind of stamp; see docs/emulator.md). Messages stored
 * by an older emulator always have numeric versions too; `createdOn` is only a fallback.
 *
 * @example
 * ```ts
 * lastChange(message); // 1749594028644
 * ```
 */
export function lastChange(message: MessageRecord): number {
  const n = Number(message.version);
  return Number.isSafeInteger(n) ? n : message.createdOn;
}

/**
 * The version a message had at `snapshot`: its newest version not after it, or `undefined` when
 * the message did not exist yet. A message edited after the first page of a listing is thereby
 * still listed once, where it stood when the listing began, instead of being skipped (it moved
 * above the cursor) or listed twice.
 *
 * @example
 * ```ts
 * versionAt(message, cursor.snapshot); // 1749594020603, though it was edited since
 * ```
 */
export function versionAt(message: MessageRecord, snapshot: number): number | undefined {
  const current = lastChange(message);
  if (current <= snapshot) return current;
  let best: number | undefined;
  for (const version of message.previousVersions ?? []) {
    const n = Number(version);
    if (Number.isSafeInteger(n) && n <= snapshot && (best === undefined || n > best)) best = n;
  }
  return best;
}

const messageToken = cursorToken<MessageCursor>('syncState', (fields) =>
  fields.length === 2 && Number.isSafeInteger(fields[0]) && Number.isSafeInteger(fields[1])
    ? { snapshot: fields[0] as number, before: fields[1] as number }
    : undefined,
);

/**
 * The opaque `syncState` of the page that ended at version `before`.
 *
 * @example
 * ```ts
 * encodeMessageCursor({ snapshot: 1749594023041, before: 1749594022733 }); // 'WzE3NDk1…'
 * ```
 */
export function encodeMessageCursor(cursor: MessageCursor): string {
  return messageToken.encode([cursor.snapshot, cursor.before]);
}

/**
 * Parses the `syncState` query parameter; `undefined` when absent, 400 when not one this emulator made.
 */
export function parseMessageCursor(query: URLSearchParams): MessageCursor | undefined {
  return messageToken.parse(query);
}

/** One page of a message listing. */
export interface MessagePage {
  messages: MessageRecord[];
  /** Where the next page starts; absent on the last page. */
  next?: MessageCursor;
}

/**
 * One page of a thread's messages, most recently changed first, as the service lists them: an
 * edit or a delete moves a message ahead of newer untouched ones, and `since` (`startTime`)
 * keeps the messages changed at or after it. Pages after the first are cut from the snapshot the
 * first page was taken at, so changes between pages neither repeat nor skip a message; they show
 * up in the next listing (a poll from the snapshot on).
 */
export function pageMessages(
  all: readonly MessageRecord[],
  options: { size: number; since: number | undefined; cursor: MessageCursor | undefined; visible: (m: MessageRecord) => boolean },
): MessagePage {
  const { size, since, cursor } = options;
  let snapshot = cursor?.snapshot ?? 0;
  const candidates: { message: MessageRecord; at: number }[] = [];
  for (const message of all) {
    if (!cursor) snapshot = Math.max(snapshot, lastChange(message));
    if (!options.visible(message)) continue;
    const at = cursor ? versionAt(message, cursor.snapshot) : lastChange(message);
    if (at === undefined || (since !== undefined && at < since) || (cursor && at >= cursor.before)) continue;
    candidates.push({ message, at });
  }
  candidates.sort((a, b) => b.at - a.at);
  const page = candidates.slice(0, size);
  const last = page[page.length - 1];
  const messages = page.map((c) => c.message);
  return candidates.length > size && last ? { messages, next: { snapshot, before: last.at } } : { messages };
}
