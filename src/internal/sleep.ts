/**
 * Resolves after `ms`, or at once (with `false`) when `signal` fires first. The timer keeps a Node
 * process alive, on purpose: whoever awaits it is doing work the process exists for (a poller the
 * app started, a retry the caller awaits). Resolves `true` when the time passed.
 * @internal
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (elapsed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(elapsed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
