import EventEmitter from 'eventemitter3';
import { SessionError, abortedError, disposedError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type {
  AnyEvent,
  EventMapWithError,
  EventsOptions,
  Listener,
  Unsubscribe,
  WaitForOptions,
} from './types.js';

const DEFAULT_BUFFER_SIZE = 1024;

type Wrapper = (event: unknown) => void;

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
  /** Listener → the wrappers registered for it, per type, so `off(type, listener)` finds them. */
  readonly #wrappers = new Map<PropertyKey, Map<Function, Wrapper[]>>();
  /** Iterators that want every type; typed iterators subscribe per type instead. */
  readonly #allTypeQueues = new Set<EventQueue<AnyEvent<Events>>>();
  readonly #closers = new Set<(error: SessionError) => void>();
  #closed = false;

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
    const wrappers = this.#wrappers.get(type)?.get(listener);
    const wrapper = wrappers?.[wrappers.length - 1];
    if (wrapper) this.#remove(type, listener, wrapper);
  }

  /**
   * Resolves with the next `type` event (that passes `filter`).
   * @throws SessionError `ABORTED` when `signal` fires, `TIMEOUT` after `timeoutMs`, `DISPOSED` when the
   * owner is disposed first; a throwing `filter` rejects with what it threw.
   */
  waitFor<K extends keyof Events>(type: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    const { signal, timeoutMs, filter } = options;
    if (this.#closed) return Promise.reject(disposedError(this.ownerName));
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
  events<K extends keyof Events = keyof Events>(options: EventsOptions<K> = {}): AsyncIterableIterator<Events[K], undefined> {
    const { signal, types, bufferSize = DEFAULT_BUFFER_SIZE, overflow = 'error' } = options;
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
      this.#allTypeQueues.delete(queue as unknown as EventQueue<AnyEvent<Events>>);
      this.#closers.delete(onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    const queue = new EventQueue<Events[K]>(bufferSize, overflow, cleanup);
    const onAbort = () => queue.end();
    const onClose = () => queue.end();
    if (this.#closed) {
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
      this.#allTypeQueues.add(queue as unknown as EventQueue<AnyEvent<Events>>);
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
   * Delivers `event` to every listener of its type, then to every all-types iterator.
   * @internal Only the owner emits.
   */
  emit<K extends keyof Events>(event: Events[K]): void {
    if (this.#closed) return;
    this.#emitter.emit(event.type as string, event);
    if (this.#allTypeQueues.size > 0) {
      for (const queue of this.#allTypeQueues) queue.push(event as unknown as AnyEvent<Events>);
    }
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
   * Removes every listener, ends every iterator and rejects every pending `waitFor` with `DISPOSED`.
   * Idempotent. @internal
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = disposedError(this.ownerName);
    for (const close of [...this.#closers]) close(error);
    for (const queue of [...this.#allTypeQueues]) queue.end();
    this.#emitter.removeAllListeners();
    this.#wrappers.clear();
  }

  #add<K extends keyof Events>(type: K, listener: Listener<Events[K]>, once: boolean): Unsubscribe {
    if (this.#closed) throw disposedError(this.ownerName);
    if (typeof listener !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', `The listener for '${String(type)}' must be a function`);
    }
    // Two shapes rather than one with an `if (once)`: dispatch is the hot path.
    const wrapper: Wrapper = once
      ? (event) => {
          this.#remove(type, listener, wrapper);
          try {
            listener(event as Events[K]);
          } catch (thrown) {
            this.#listenerFailed(type, thrown);
          }
        }
      : (event) => {
          try {
            listener(event as Events[K]);
          } catch (thrown) {
            this.#listenerFailed(type, thrown);
          }
        };
    let byListener = this.#wrappers.get(type);
    if (!byListener) this.#wrappers.set(type, (byListener = new Map()));
    const list = byListener.get(listener);
    if (list) list.push(wrapper);
    else byListener.set(listener, [wrapper]);
    this.#emitter.on(type as string, wrapper);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#remove(type, listener, wrapper);
    };
  }

  #remove(type: PropertyKey, listener: Function, wrapper: Wrapper): void {
    const byListener = this.#wrappers.get(type);
    const list = byListener?.get(listener);
    const index = list ? list.lastIndexOf(wrapper) : -1;
    if (!list || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) byListener?.delete(listener);
    this.#emitter.removeListener(type as string, wrapper);
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
