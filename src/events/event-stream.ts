import EventEmitter from 'eventemitter3';
import { SessionError, abortedError, disposedError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type {
  AnyEvent,
  EventIterator,
  EventMapWithError,
  EventsOptions,
  Listener,
  Unsubscribe,
  WaitForOptions,
} from './types.js';

const DEFAULT_BUFFER_SIZE = 1024;

/** One `on`/`once` registration: the function eventemitter3 calls, and the listener it calls on. */
interface Registration {
  readonly wrapper: (event: unknown) => void;
  /**
   * The user's listener, or {@link REMOVED} once unsubscribed. eventemitter3 dispatches over a
   * snapshot of its listener array, so a listener removed (or a stream closed) by an earlier
   * listener during the same emit would still be called; swapping the target (rather than
   * testing a flag) stops that at no cost on the hot path.
   */
  target: (event: never) => void;
}

const REMOVED = (): void => undefined;

/**
 * A typed event stream: `on/once/off`, `waitFor`, and `events()` as an async iterator of the union
 * of every payload. The emitter behind it is private; only the owner (session, refresher) emits.
 *
 * A listener that throws does not stop the listeners after it: the failure is reported as an
 * `error` event (`LISTENER_FAILED`, the thrown value as `cause`), or on the console when nobody
 * listens for `error`, so it is never swallowed.
 *
 * @example
 * ```ts
 * const off = session.on('stateChanged', (e) => console.log(e.previous, '→', e.state));
 * const expired = await session.waitFor('tokenExpired', { timeoutMs: 60_000 });
 * for await (const e of session.events({ signal, types: ['tokenRefreshed', 'tokenRefreshFailed'] })) {
 *   if (e.type === 'tokenRefreshFailed') console.warn(e.error);
 * }
 * off();
 * ```
 */
export class EventStream<Events extends EventMapWithError<Events>> {
  readonly #emitter = new EventEmitter();
  /** Listener → its registrations, per type, so `off(type, listener)` finds them. */
  readonly #registrations = new Map<PropertyKey, Map<Registration['target'], Registration[]>>();
  /** The push side of iterators that want every type; typed iterators subscribe per type instead. */
  readonly #allTypeQueues = new Set<Pick<EventQueue<AnyEvent<Events>>, 'push' | 'end'>>();
  readonly #closers = new Set<(error: SessionError) => void>();
  #closed = false;
  /** No new listeners, waits or iterators; events still reach the existing ones (see `seal`). */
  #sealed = false;

  constructor(private readonly ownerName = 'The event stream') {}

  /** Whether `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Calls `listener` for every `type` event until the returned function is called.
   * @throws SessionError `DISPOSED` after the owner was disposed.
   */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.#add(type, listener, false);
  }

  /**
   * Calls `listener` for the next `type` event only.
   * @throws SessionError `DISPOSED` after the owner was disposed.
   */
  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.#add(type, listener, true);
  }

  /** Removes one registration of `listener` for `type` (the most recent one). Unknown listeners are ignored. */
  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    const registrations = this.#registrations.get(type)?.get(listener);
    const registration = registrations?.[registrations.length - 1];
    if (registration) this.#remove(type, listener, registration);
  }

  /**
   * Resolves with the next `type` event (that passes `filter`).
   * @throws SessionError `ABORTED` when `signal` fires, `TIMEOUT` after `timeoutMs`, `DISPOSED` when the
   * owner is disposed first; a throwing `filter` rejects with what it threw.
   */
  waitFor<K extends keyof Events>(type: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    const { signal, timeoutMs, filter } = options ?? {};
    if (this.#sealed) return Promise.reject(disposedError(this.ownerName));
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(new SessionError('INVALID_ARGUMENT', `timeoutMs must be a finite number ≥ 0, got ${String(timeoutMs)}`));
    }
    if (filter !== undefined && typeof filter !== 'function') {
      return Promise.reject(new SessionError('INVALID_ARGUMENT', 'filter must be a function'));
    }
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return new Promise<Events[K]>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (action: () => void) => {
        unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#closers.delete(onClose);
        action();
      };
      const onAbort = () => settle(() => reject(abortedError(signal ?? {})));
      const onClose = (error: SessionError) => settle(() => reject(error));
      const unsubscribe = this.on(type, (event) => {
        let accepted: boolean;
        try {
          accepted = filter ? filter(event) : true;
        } catch (error) {
          settle(() => reject(error));
          return;
        }
        if (accepted) settle(() => resolve(event));
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => settle(() => reject(new SessionError('TIMEOUT', `No '${String(type)}' event within ${timeoutMs} ms`))),
          timeoutMs,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#closers.add(onClose);
    });
  }

  /**
   * An async iterator over the events, as the discriminated union of their payloads.
   * Iteration ends normally when `signal` fires or the owner is disposed; it throws
   * `EVENTS_OVERFLOW` when the consumer falls behind with the default `overflow: 'error'`
   * (see {@link OverflowPolicy}). Breaking out of the loop unsubscribes.
   * @throws SessionError `DISPOSED` (on the first `next()`) when called after the owner was disposed.
   */
  events<K extends keyof Events = keyof Events>(options: EventsOptions<K> = {}): EventIterator<Events[K]> {
    const { signal, types, bufferSize = DEFAULT_BUFFER_SIZE, overflow = 'error' } = options ?? {};
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new SessionError('INVALID_ARGUMENT', `bufferSize must be a positive integer, got ${String(bufferSize)}`);
    }
    if (overflow !== 'error' && overflow !== 'dropOldest') {
      throw new SessionError('INVALID_ARGUMENT', `overflow must be 'error' or 'dropOldest', got ${String(overflow)}`);
    }
    if (types !== undefined && !Array.isArray(types)) throw new SessionError('INVALID_ARGUMENT', 'types must be an array of event names');
    const unsubscribers: Unsubscribe[] = [];
    const cleanup = () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      this.#allTypeQueues.delete(allTypes);
      this.#closers.delete(onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const queue = new EventQueue<Events[K]>(bufferSize, overflow, cleanup);
    const onAbort = () => queue.end();
    const onClose = () => queue.end();
    // Without `types`, K is every key, so every event is an Events[K]; TypeScript cannot see that.
    const allTypes = { push: (event: AnyEvent<Events>) => queue.push(event as Events[K]), end: () => queue.end() };
    if (this.#sealed) {
      queue.fail(disposedError(this.ownerName));
      return queue;
    }
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    if (types) {
      for (const type of new Set(types)) unsubscribers.push(this.on(type, (event) => queue.push(event)));
    } else {
      this.#allTypeQueues.add(allTypes);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#closers.add(onClose);
    return queue;
  }

  /** Number of listeners for `type` (iterators and waits included). */
  listenerCount(type: keyof Events): number {
    return this.#emitter.listenerCount(type as string);
  }

  /**
   * Delivers `event` to every all-types iterator, then to every listener of its type. Iterators
   * come first so that an `error` a listener causes is queued after the event that caused it.
   * @internal Only the owner emits.
   */
  emit<K extends keyof Events>(event: Events[K]): void {
    if (this.#closed) return;
    if (this.#allTypeQueues.size > 0) {
      for (const queue of this.#allTypeQueues) queue.push(event);
    }
    this.#emitter.emit(event.type as string, event);
  }

  /**
   * Reports a failure as an `error` event, or on the console when nobody listens for `error`.
   * @internal
   */
  reportError(error: SessionError, source: string): void {
    if (!this.#closed && (this.listenerCount('error') > 0 || this.#allTypeQueues.size > 0)) {
      this.emit({ type: 'error', error, source } as Events['error']);
      return;
    }
    // Last resort so that nothing fails silently; an app that listens for `error` never sees this.
    console.error(`[acs-session] ${source}:`, error);
  }

  /**
   * Refuses new listeners, waits and iterators with `DISPOSED` while still delivering events to
   * the existing ones: an owner that is disposing emits its last events after this. Idempotent.
   * @internal
   */
  seal(): void {
    this.#sealed = true;
  }

  /**
   * Removes every listener (also mid-emit), ends every iterator and rejects every pending
   * `waitFor` with `DISPOSED`. Idempotent. @internal
   */
  close(): void {
    if (this.#closed) return;
    this.#sealed = true;
    this.#closed = true;
    const error = disposedError(this.ownerName);
    for (const close of [...this.#closers]) close(error);
    for (const queue of [...this.#allTypeQueues]) queue.end();
    for (const byListener of this.#registrations.values()) {
      for (const registrations of byListener.values()) for (const registration of registrations) registration.target = REMOVED;
    }
    this.#emitter.removeAllListeners();
    this.#registrations.clear();
  }

  #add<K extends keyof Events>(type: K, listener: Listener<Events[K]>, once: boolean): Unsubscribe {
    if (this.#sealed) throw disposedError(this.ownerName);
    if (typeof listener !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', `The listener for '${String(type)}' must be a function`);
    }
    // Two shapes rather than one with an `if (once)`: dispatch is the hot path.
    const registration: Registration = {
      target: listener,
      wrapper: once
        ? (event) => {
            const target = registration.target;
            if (target === REMOVED) return;
            this.#remove(type, listener, registration);
            try {
              target(event as never);
            } catch (thrown) {
              this.#listenerFailed(type, thrown);
            }
          }
        : (event) => {
            try {
              registration.target(event as never);
            } catch (thrown) {
              this.#listenerFailed(type, thrown);
            }
          },
    };
    let byListener = this.#registrations.get(type);
    if (!byListener) this.#registrations.set(type, (byListener = new Map()));
    const list = byListener.get(listener);
    if (list) list.push(registration);
    else byListener.set(listener, [registration]);
    this.#emitter.on(type as string, registration.wrapper);
    return () => this.#remove(type, listener, registration);
  }

  #remove(type: PropertyKey, listener: Registration['target'], registration: Registration): void {
    if (registration.target === REMOVED) return;
    registration.target = REMOVED;
    const byListener = this.#registrations.get(type);
    const list = byListener?.get(listener);
    const index = list ? list.lastIndexOf(registration) : -1;
    if (list && index >= 0) {
      list.splice(index, 1);
      if (list.length === 0) byListener?.delete(listener);
    }
    this.#emitter.removeListener(type as string, registration.wrapper);
  }

  #listenerFailed(type: PropertyKey, thrown: unknown): void {
    const error = new SessionError('LISTENER_FAILED', `A '${String(type)}' listener threw`, { cause: thrown });
    if (type === 'error') {
      // Re-emitting would loop; the console is the only place left to say it.
      console.error('[acs-session] an error listener threw:', thrown);
      return;
    }
    this.reportError(error, `listener:${String(type)}`);
  }
}
