/** A scheduled callback that can be cancelled. */
export interface BackgroundTimer {
  cancel(): void;
}

// setTimeout fires at once for delays past 2^31-1 ms (~24.8 days); longer waits are re-armed.
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Calls `callback` once `delayMs` have passed, however long that is, without keeping a Node
 * process alive (a forgotten session must not stop a script from exiting). In browsers the timer
 * is a plain `setTimeout`.
 * @internal
 */
export function backgroundTimer(callback: () => void, delayMs: number): BackgroundTimer {
  const deadline = Date.now() + Math.max(0, delayMs);
  let handle: ReturnType<typeof setTimeout>;
  const arm = () => {
    const left = deadline - Date.now();
    handle = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(callback, Math.max(0, left));
    (handle as { unref?: () => void }).unref?.();
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}
