/** A scheduled callback that can be cancelled, and told whether it should keep a Node process alive. */
export interface BackgroundTimer {
  /** Stops the timer; the callback will not run. */
  cancel(): void;
  /**
   * Whether the timer keeps a Node process alive. Off by default: an idle session's refresh must
   * not stop a script from exiting. On while a caller awaits what the timer leads to (a retry, a
   * fetch timeout), so that `await createSession(…)` cannot end as an unsettled top-level await.
   */
  keepAlive(keep: boolean): void;
}

// setTimeout fires at once for delays past 2^31-1 ms (~24.8 days); longer waits are re-armed.
const MAX_TIMEOUT_MS = 2_147_483_647;

type Handle = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

/**
 * Calls `callback` once `delayMs` have passed, however long that is. In Node the timer does not keep
 * the process alive unless `keepAlive(true)` is called (or `keepAlive` is `true` here); in browsers
 * it is a plain `setTimeout`.
 * @internal
 */
export function backgroundTimer(callback: () => void, delayMs: number, keepAlive = false): BackgroundTimer {
  const deadline = Date.now() + Math.max(0, delayMs);
  let kept = keepAlive;
  let handle: Handle;
  const apply = () => (kept ? handle.ref?.() : handle.unref?.());
  const arm = () => {
    const left = deadline - Date.now();
    handle = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(callback, Math.max(0, left));
    apply();
  };
  arm();
  return {
    cancel: () => clearTimeout(handle),
    keepAlive: (keep) => {
      if (keep === kept) return;
      kept = keep;
      apply();
    },
  };
}
