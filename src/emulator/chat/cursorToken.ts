import { httpErrors } from '../errors.js';

/**
 * An opaque paging token of the emulator: a cursor written as a JSON array, then base64url. Both
 * listings that page by position (threads, messages) use it, each with its own query parameter and
 * its own check of the array's members.
 *
 * @example
 * ```ts
 * const token = cursorToken('syncState', (v) => (v.length === 1 && Number.isSafeInteger(v[0]) ? { at: v[0] as number } : undefined));
 * token.encode([1749594023041]); // 'WzE3NDk1OTQwMjMwNDFd'
 * token.parse(new URLSearchParams({ syncState: 'WzE3NDk1OTQwMjMwNDFd' })); // { at: 1749594023041 }
 * ```
 */
export interface CursorToken<C> {
  /** The token for a cursor already flattened to its array. */
  encode(fields: readonly unknown[]): string;
  /** The cursor in the query parameter; `undefined` when absent, 400 when not a token this emulator made. */
  parse(query: URLSearchParams): C | undefined;
}

/**
 * The token of one query parameter. `read` turns the decoded array back into a cursor, or returns
 * `undefined` when its members are not what `encode` wrote (then `parse` answers 400).
 *
 * @example
 * ```ts
 * const token = cursorToken('continuationToken', ([at, id]) => (typeof at === 'number' && typeof id === 'string' ? { at, id } : undefined));
 * ```
 */
export function cursorToken<C>(param: string, read: (fields: readonly unknown[]) => C | undefined): CursorToken<C> {
  return {
    encode: (fields) => Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url'),
    parse(query) {
      const raw = query.get(param);
      if (raw === null) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
      } catch {
        value = undefined;
      }
      const cursor = Array.isArray(value) ? read(value) : undefined;
      if (cursor === undefined) throw httpErrors.badRequest(`${param} is not valid.`, param);
      return cursor;
    },
  };
}
