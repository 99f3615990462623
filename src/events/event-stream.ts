import { SessionError, abortedError, disposedError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { AnyEvent, EventIterator, EventMapWithError, EventNames, EventsOptions, Listener, Unsubscribe, WaitForOptions } from './types.js';

const DEFAULT_BUFFER_SIZE = 1024;

/** One `on`/`once` registration. */
interface Registration {
  readonly listener: (event: never) => void;
  readonly once: boolean;
  /**
   * Set when unsubscribed. Dispatch runs over the array as it was when the emit began (arrays are
   * replaced, never changed), so a listener removed by an earlier one, or by closing the stream,
   * during the same emit is skipped by this flag.
   */
  removed: boolean;
}

const NONE: readonly Registration[] = Object.freeze([]);

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
  readonly #names: EventNames<Events>;
  /** The registrations of each event type, in order; replaced on every change, never mutated. */
  readonly #listeners: Record<PropertyKey, readonly Registration[]> = {};
  /** The push side of iterators that want every type; typed iterators subscribe per type instead. */
  readonly #allTypeQueues = new Set<Pick<EventQueue<AnyEvent<Events>>, 'push' | 'end'>>();
  readonly #closers = new Set<(error: SessionError) => void>();
  #closed = false;
  /** No new listeners, waits or iterators; events still reach the existing ones (see `seal`). */
  #sealed = false;
  /** Where an error nobody here listens for goes instead of the console (see `bubbleTo`). */
  #unhandled: ((error: SessionError, source: string) => void) | undefined;

  /**
   * @param ownerName - How errors name the owner, e.g. `'The session'`.
   * @param names - Every event name the owner emits; `on`, `once`, `off`, `waitFor` and
   * `events({ types })` refuse any other with `INVALID_ARGUMENT`.
   */
  constructor(
    private readonly ownerName: string,
    names: EventNames<Events>,
  ) {
    this.#names = names;
    for (const name of Object.keys(names)) this.#listeners[name] = NONE;
  }

  /** Whether `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Calls `listener` for every `type` event until the returned function is called.
   * @throws SessionError `DISPOSED` after the owner was disposed; `INVALID_ARGUMENT` for an event
   * name the owner does not have, or a listener that is not a function.
   */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.#add(type, listener, false);
  }

  /**
   * Calls `listener` for the next `type` event only.
   * @throws SessionError `DISPOSED` after the owner was disposed; `INVALID_ARGUMENT` as `on`.
   */
  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.#add(type, listener, true);
  }

  /**
   * Removes one registration of `listener` for `type` (the most recent one). Unknown listeners are ignored.
   * @throws SessionError `INVALID_ARGUMENT` for an event name the owner does not have.
   */
  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    const registrations = this.#listeners[this.#known(type, 'off')] ?? NONE;
    for (let i = registrations.length - 1; i >= 0; i--) {
      const registration = registrations[i] as Registration;
      if (registration.listener === listener) {
        this.#remove(type, registration);
        return;
      }
    }
  }

  /**
   * Resolves with the next `type` event (that passes `filter`).
   * @throws SessionError `ABORTED` when `signal` fires, `TIMEOUT` after `timeoutMs`, `DISPOSED` when the
   * owner is disposed first; `INVALID_ARGUMENT` for an unknown event name or bad options; a
   * throwing `filter` rejects with what it threw.
   */
  waitFor<K extends keyof Events>(type: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    const { signal, timeoutMs, filter } = options ?? {};
    try {
      this.#known(type, 'waitFor');
    } catch (error) {
      return Promise.reject(error);
    }
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
        timer = setTimeout(() => settle(() => reject(new SessionError('TIMEOUT', `No '${String(type)}' event within ${timeoutMs} ms`))), timeoutMs);
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
   * @throws SessionError `DISPOSED` (on the first `next()`) when called after the owner was disposed;
   * `INVALID_ARGUMENT` (at once) for an unknown name in `types` or bad options.
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
    for (const type of types ?? []) this.#known(type, 'events');
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
    return Object.hasOwn(this.#listeners, type) ? (this.#listeners[type]?.length ?? 0) : 0;
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
    const registrations = this.#listeners[event.type];
    if (registrations === undefined || registrations.length === 0) return;
    // One loop, re-entered after a throwing listener: no wrapper closure per listener.
    let i = 0;
    while (i < registrations.length) {
      try {
        for (; i < registrations.length; i++) {
          const registration = registrations[i] as Registration;
          if (registration.removed) continue;
          if (registration.once) this.#remove(event.type, registration);
          registration.listener(event as never);
        }
      } catch (thrown) {
        i++;
        this.#listenerFailed(event.type, thrown);
      }
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
    if (this.#unhandled) return this.#unhandled(error, source);
    // Last resort so that nothing fails silently; an app that listens for `error` never sees this.
    console.error(`[acs-session] ${source}:`, error);
  }

  /**
   * Sends the errors nobody listens for here to `report` (the owner's owner: a data channel's go to
   * its `call.data`, whose go to the session) instead of the console.
   * @internal
   */
  bubbleTo(report: (error: SessionError, source: string) => void): void {
    this.#unhandled = report;
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
    for (const type of Object.keys(this.#listeners)) {
      for (const registration of this.#listeners[type] ?? NONE) registration.removed = true;
      this.#listeners[type] = NONE;
    }
  }

  #add<K extends keyof Events>(type: K, listener: Listener<Events[K]>, once: boolean): Unsubscribe {
    this.#known(type, once ? 'once' : 'on');
    if (this.#sealed) throw disposedError(this.ownerName);
    if (typeof listener !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', `The listener for '${String(type)}' must be a function`);
    }
    const registration: Registration = { listener, once, removed: false };
    this.#listeners[type] = [...(this.#listeners[type] ?? NONE), registration];
    return () => this.#remove(type, registration);
  }

  #remove(type: PropertyKey, registration: Registration): void {
    if (registration.removed) return;
    registration.removed = true;
    const registrations = this.#listeners[type] ?? NONE;
    const index = registrations.lastIndexOf(registration);
    if (index < 0) return;
    this.#listeners[type] = registrations.length === 1 ? NONE : registrations.filter((_, at) => at !== index);
  }

  /** `type`, if the owner has such an event; a JavaScript caller gets told the names it has. */
  #known<K extends keyof Events>(type: K, method: string): K {
    if ((typeof type === 'string' || typeof type === 'symbol') && Object.hasOwn(this.#names, type)) return type;
    const known = Object.keys(this.#names).join(', ');
    throw new SessionError('INVALID_ARGUMENT', `${method}(): ${this.ownerName} has no event ${describeName(type)}; its events are: ${known}`);
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

function describeName(type: unknown): string {
  return typeof type === 'string' ? `'${type}'` : String(type);
}
