import type { CommittedChange } from './store/state.js';

/** A chat participant started typing (never stored: the service keeps no typing state either). */
export interface TypingChange {
  kind: 'typing';
  threadId: string;
  sender: string;
  senderDisplayName?: string;
  at: number;
}

/** What the emulator's change feed carries: every committed change, plus transient signals. */
export type EmulatorChange = ({ kind: 'commit' } & CommittedChange) | TypingChange;

/**
 * The emulator's in-process change feed: every committed change and every transient signal
 * (typing), in order, to every subscriber. The chat notification service builds its pushes from
 * it; other services (calls) can read it too.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed();
 * const stop = feed.subscribe((change) => console.log(change.kind));
 * feed.publish({ kind: 'typing', threadId, sender, at: Date.now() });
 * stop();
 * ```
 */
export class ChangeFeed {
  readonly #subscribers = new Set<(change: EmulatorChange) => void>();

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(listener: (change: EmulatorChange) => void): () => void {
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  /** Delivers `change` to every subscriber; one that throws does not stop the others. */
  publish(change: EmulatorChange): void {
    for (const listener of [...this.#subscribers]) {
      try {
        listener(change);
      } catch {
        // A consumer's bug must not fail the request that made the change.
      }
    }
  }
}
