import type { SessionError } from '../errors.js';

/**
 * A map from event name to payload. Every payload carries its own name as `type`, so a payload is
 * also a member of the discriminated union that `events()` yields.
 */
export type EventMap<Events> = {
  [K in keyof Events]: {
    /** The event's own name. */
    readonly type: K;
  };
};

/** An event map that includes the `error` event every stream reports failures on. */
export type EventMapWithError<Events> = EventMap<Events> & {
  /** A listener threw, or a background task failed with nobody awaiting it. */
  error: ErrorEvent;
};

/** The union of every payload of an event map: what `events()` yields. */
export type AnyEvent<Events> = Events[keyof Events];

/** A function that removes the listener or subscription it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** A listener for one event type. */
export type Listener<E> = (event: E) => void;

/**
 * Reported when a listener throws, or when a background task fails with nobody awaiting it.
 * @example
 * ```ts
 * session.on('error', (e) => reportToMonitoring(e.error, { source: e.source }));
 * ```
 */
export interface ErrorEvent {
  /** Always `'error'`. */
  readonly type: 'error';
  /** The failure, normalized. A throwing listener is reported as `LISTENER_FAILED` with the thrown value as `cause`. */
  readonly error: SessionError;
  /** Where it happened, e.g. `'listener:stateChanged'` or `'token'`. */
  readonly source: string;
}

/**
 * Options for {@link EventStream.waitFor}.
 * @example
 * ```ts
 * await session.waitFor('tokenRefreshed', { filter: (e) => e.reason === 'rejected', timeoutMs: 30_000, signal });
 * ```
 */
export interface WaitForOptions<E> {
  /** Rejects with `ABORTED` when this signal fires. */
  signal?: AbortSignal | undefined;
  /** Rejects with `TIMEOUT` after this many milliseconds. */
  timeoutMs?: number | undefined;
  /** Only an event for which this returns `true` settles the wait. */
  filter?: ((event: E) => boolean) | undefined;
}

/**
 * What an `events()` iterator does when its consumer falls more than `bufferSize` events behind.
 * - `'error'` (default): the iterator stops listening at the first event that does not fit; the
 *   events already buffered are still yielded, then it throws `EVENTS_OVERFLOW` and ends. Nothing
 *   is lost silently.
 * - `'dropOldest'`: the oldest buffered event is discarded to make room; the iterator carries on.
 *   Right for "latest state wins" consumers such as a progress display.
 */
export type OverflowPolicy = 'error' | 'dropOldest';

/**
 * What `events()` returns: an async iterator of event payloads, usable with `for await`. Written out
 * (rather than `AsyncIterableIterator<E, undefined>`) so that TypeScript versions before 5.6 can
 * read it.
 * @example
 * ```ts
 * const iterator = session.events({ types: ['stateChanged'] });
 * const { value } = await iterator.next();
 * await iterator.return(); // unsubscribe
 * ```
 */
export interface EventIterator<E> {
  /** The next event; `{ done: true }` once the iteration ended. */
  next(): Promise<IteratorResult<E, undefined>>;
  /** Ends the iteration and unsubscribes (`break` in a `for await` loop calls it). */
  return(): Promise<IteratorResult<E, undefined>>;
  /** Returns itself, so the iterator works with `for await`. */
  [Symbol.asyncIterator](): EventIterator<E>;
}

/**
 * Options for {@link EventStream.events}.
 * @example
 * ```ts
 * for await (const e of session.events({ signal, types: ['tokenRefreshFailed'], bufferSize: 64, overflow: 'dropOldest' })) {
 *   console.warn(e.error);
 * }
 * ```
 */
export interface EventsOptions<K> {
  /** Ends the iteration (the loop exits normally) when this signal fires. */
  signal?: AbortSignal | undefined;
  /** Only these event types are yielded. Default: all of them. */
  types?: readonly K[] | undefined;
  /** How many undelivered events may wait for the consumer. Default 1024. */
  bufferSize?: number | undefined;
  /** What happens past `bufferSize`. Default `'error'`. */
  overflow?: OverflowPolicy | undefined;
}

/**
 * Every event name of an event map, as the keys of a record. Written as a record rather than an
 * array so that an event added to the map but not to the list fails to compile.
 * @example
 * ```ts
 * const SESSION_EVENT_NAMES = {
 *   stateChanged: true, tokenRefreshed: true, tokenRefreshFailed: true, tokenExpired: true, error: true,
 * } as const satisfies EventNames<SessionEvents>;
 * ```
 */
export type EventNames<Events> = { readonly [K in keyof Events]-?: true };
