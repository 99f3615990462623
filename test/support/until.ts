/** Resolves once `check()` holds, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  await untilValue(() => check() || undefined, what, timeoutMs);
}

/** Resolves with the first value `check()` returns that is not `undefined`/`false`, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
export function untilValue<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}
