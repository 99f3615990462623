import type { RealtimeChatPort } from '../../src/chat/ports.js';

/** The realtime half of a ChatClient: records listeners as the real one does, and lets the test fire them. */
export class FakeRealtime implements RealtimeChatPort {
  readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  started = 0;
  stopped = 0;
  /** Starts made while the client was already started (the real one ignores them, and listeners pile up). */
  overlapping = 0;
  #running = false;
  startRealtimeNotifications = async (): Promise<void> => {
    if (this.#running) this.overlapping++;
    this.#running = true;
    this.started++;
  };
  stopRealtimeNotifications = async (): Promise<void> => {
    this.#running = false;
    this.stopped++;
    this.listeners.clear();
  };
  on: RealtimeChatPort['on'] = (event: string, listener: (payload: never) => void): void => {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: unknown) => void);
  };
  off: RealtimeChatPort['off'] = (event: string, listener: (payload: never) => void): void => {
    this.listeners.get(event)?.delete(listener as (payload: unknown) => void);
  };
  fire(event: string, payload?: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(payload);
  }
  count(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
