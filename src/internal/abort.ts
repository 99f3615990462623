/** The part of an AbortSignal we rely on; ACS passes `AbortSignalLike` objects, not always DOM signals. */
export interface AbortSignalLike {
  /** Whether the signal has fired. */
  readonly aborted: boolean;
  /** Why it fired, if it says. */
  readonly reason?: unknown;
  /** Calls `listener` when the signal fires. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Settles like `promise`, unless `signal` fires first: then rejects with `onAbort()`. The listener is
 * removed as soon as either happens, so long-lived signals do not collect listeners.
 * @internal
 */
export function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignalLike | undefined, onAbort: () => unknown): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
