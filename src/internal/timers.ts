/** A timer handle in Node or a browser. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * `setTimeout` that does not keep a Node process alive: a forgotten session must not stop a script
 * from exiting. In browsers it is a plain `setTimeout`.
 * @internal
 */
export function backgroundTimeout(callback: () => void, delayMs: number): TimerHandle {
  // setTimeout overflows past 2^31-1 ms (~24.8 days) and would fire at once.
  const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), 2_147_483_647));
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
