import type { Unsubscribe } from './types.js';

/**
 * Holds an immutable snapshot and tells subscribers when it is replaced: the `subscribe` /
 * `getSnapshot` pair that React's `useSyncExternalStore`, Vue's `shallowRef` or a Svelte store
 * need. The snapshot keeps its identity until something in it changes, so a UI re-renders only then.
 * @internal
 */
export class SnapshotStore<T extends object> {
  #snapshot: T;
  readonly #subscribers = new Set<() => void>();

  constructor(
    initial: T,
    private readonly onSubscriberError: (error: unknown) => void,
  ) {
    this.#snapshot = Object.freeze(initial);
  }

  get = (): T => this.#snapshot;

  subscribe(onChange: () => void): Unsubscribe {
    // A function wrapper per subscription, so the same callback may subscribe twice and unsubscribe once.
    const entry = () => onChange();
    this.#subscribers.add(entry);
    return () => {
      this.#subscribers.delete(entry);
    };
  }

  /** Replaces the snapshot with `{ ...current, ...changes }` if any value differs, then notifies. */
  update(changes: Partial<T>): void {
    const current = this.#snapshot;
    const changed = (Object.keys(changes) as (keyof T)[]).some((key) => !Object.is(current[key], changes[key]));
    if (!changed) return;
    this.#snapshot = Object.freeze({ ...current, ...changes });
    for (const notify of [...this.#subscribers]) {
      try {
        notify();
      } catch (error) {
        this.onSubscriberError(error);
      }
    }
  }

  /** Drops every subscriber. */
  clear(): void {
    this.#subscribers.clear();
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
