import { abortedError, disposedError } from '../errors.js';
import type { ChatContext } from './context.js';
import { chatError, linkSignals, type RequestOptions } from './request.js';

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
  const { signal } = options;
  if (context.signal.aborted) throw disposedError('The session');
  if (signal?.aborted) throw abortedError(signal);
  const linked = linkSignals(context.signal, signal);
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
        if (context.signal.aborted) throw disposedError('The session');
        if (signal?.aborted) throw abortedError(signal);
        const failure = chatError(error, options.operation, options.notFound);
        if (failure.status !== 401 || attempt > 1 || yielded) throw failure;
        try {
          await context.forceRefresh();
        } catch {
          throw failure;
        }
      }
    }
  } finally {
    linked.release();
  }
}
