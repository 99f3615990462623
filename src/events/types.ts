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

/** Reported when a listener throws, or when a background task fails with nobody awaiting it. */
export interface ErrorEvent {
  /** Always `'error'`. */
  readonly type: 'error';
  /** The failure, normalized. A throwing listener is reported as `LISTENER_FAILED` with the thrown value as `cause`. */
  readonly error: SessionError;
  /** Where it happened, e.g. `'listener:stateChanged'` or `'token'`. */
  readonly source: string;
}

/** Options for {@link EventStream.waitFor}. */
export interface WaitForOptions<E> {
  /** Rejects with `ABORTED` when this signal fires. */
  signal?: AbortSignal;
  /** Rejects with `TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
  /** Only an event for which this returns `true` settles the wait. */
  filter?: (event: E) => boolean;
}

/**
 * What an `events()` iterator does when its consumer falls more than `bufferSize` events behind.
 * - `'error'` (default): the events already buffered are still yielded, then the iterator throws
 *   `EVENTS_OVERFLOW` (with the number of events it had to drop) and ends. Nothing is lost silently.
 * - `'dropOldest'`: the oldest buffered event is discarded to make room; the iterator carries on.
 *   Right for "latest state wins" consumers such as a progress display.
 */
export type OverflowPolicy = 'error' | 'dropOldest';

/** Options for {@link EventStream.events}. */
export interface EventsOptions<K> {
  /** Ends the iteration (the loop exits normally) when this signal fires. */
  signal?: AbortSignal;
  /** Only these event types are yielded. Default: all of them. */
  types?: readonly K[];
  /** How many undelivered events may wait for the consumer. Default 1024. */
  bufferSize?: number;
  /** What happens past `bufferSize`. Default `'error'`. */
  overflow?: OverflowPolicy;
}
