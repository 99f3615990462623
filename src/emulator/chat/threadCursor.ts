import { httpErrors } from '../errors.js';
import type { ThreadRecord } from '../store/model.js';

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

/**
 * The opaque `continuationToken` for a page that ended at `t`.
 *
 * @example
 * ```ts
 * encodeThreadCursor(last); // 'WzE3MzI3…'
 * ```
 */
export function encodeThreadCursor(t: ThreadRecord): string {
  return Buffer.from(JSON.stringify([t.lastMessageOn, t.id]), 'utf8').toString('base64url');
}

/**
 * Parses the `continuationToken` query parameter; `undefined` when absent, 400 when not one
 * this emulator made.
 */
export function parseThreadCursor(query: URLSearchParams): ThreadCursor | undefined {
  const raw = query.get('continuationToken');
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || !Number.isFinite(value[0]) || typeof value[1] !== 'string') {
    throw httpErrors.badRequest('continuationToken is not valid.', 'continuationToken');
  }
  return { lastMessageOn: value[0] as number, id: value[1] };
}
