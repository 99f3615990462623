import type { ThreadRecord } from '../store/model.js';
import { cursorToken } from './cursorToken.js';

/** A position in the list-threads order: newest `lastMessageOn` first, ties by id. */
export interface ThreadCursor {
  lastMessageOn: number;
  id: string;
}

/**
 * List-threads order: most recent activity first, then by id (code-point order, so the order is
 * the same everywhere).
 */
export function compareThreads(a: ThreadRecord, b: ThreadRecord): number {
  return b.lastMessageOn - a.lastMessageOn || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * True when `t` comes after the cursor in list-threads order. Paging by position rather than
 * by offset keeps a page from repeating or skipping threads when a message arrives between
 * pages and moves a thread to the top.
 */
export function isAfter(t: ThreadRecord, cursor: ThreadCursor): boolean {
  return t.lastMessageOn < cursor.lastMessageOn || (t.lastMessageOn === cursor.lastMessageOn && t.id > cursor.id);
}

const threadToken = cursorToken<ThreadCursor>('continuationToken', (fields) =>
  fields.length === 2 && Number.isFinite(fields[0]) && typeof fields[1] === 'string' ? { lastMessageOn: fields[0] as number, id: fields[1] } : undefined,
);

/**
 * The opaque `continuationToken` for a page that ended at `t`.
 *
 * @example
 * ```ts
 * encodeThreadCursor(last); // 'WzE3MzI3…'
 * ```
 */
export function encodeThreadCursor(t: ThreadRecord): string {
  return threadToken.encode([t.lastMessageOn, t.id]);
}

/**
 * Parses the `continuationToken` query parameter; `undefined` when absent, 400 when not one
 * this emulator made.
 */
export function parseThreadCursor(query: URLSearchParams): ThreadCursor | undefined {
  return threadToken.parse(query);
}
