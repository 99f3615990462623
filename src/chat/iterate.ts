import type { ChatContext } from './context.js';
import { linkRequest, retryAfter, type RequestOptions } from './request.js';

/**
 * Iterates an ACS paged list as a plain async iterable: paging hidden, each key once (a message that
 * arrives between two pages can come again on the next one, azure-sdk-for-js#24277), failures as
 * SessionErrors, the request cancelled when the caller's signal fires or the session is disposed. A
 * 401 before the first item is retried once after a forced token refresh.
 * @internal
 */
export async function* iteratePaged<Raw, Out>(
  context: ChatContext,
  options: RequestOptions,
  open: (abortSignal: AbortSignal) => AsyncIterable<Raw>,
  map: (raw: Raw) => Out,
  keyOf?: (raw: Raw) => string,
): AsyncGenerator<Out, void, undefined> {
  const linked = linkRequest(context, options);
  const seen = new Set<string>();
  let yielded = false;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const raw of open(linked.signal)) {
          if (keyOf) {
            const key = keyOf(raw);
            if (seen.has(key)) continue;
            seen.add(key);
          }
          yielded = true;
          yield map(raw);
        }
        return;
      } catch (error) {
        // Once items went out, a retry would deliver them again: only a failure before the first.
        await retryAfter(context, options, error, attempt === 1 && !yielded);
      }
    }
  } finally {
    linked.release();
  }
}
