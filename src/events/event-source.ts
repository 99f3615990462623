import { EventStream } from './event-stream.js';
import type { EventIterator, EventMapWithError, EventNames, EventsOptions, Listener, Unsubscribe, WaitForOptions } from './types.js';

/**
 * The listening half of an {@link EventStream}: what the session and the token refresher expose.
 * @example
 * ```ts
 * function logFailures(source: TypedEventSource<TokenEvents>) {
 *   return source.on('tokenRefreshFailed', (e) => console.warn(e.attempt, e.error.code));
 * }
 * ```
 */
export type TypedEventSource<Events extends EventMapWithError<Events>> = Pick<EventStream<Events>, 'on' | 'once' | 'off' | 'waitFor' | 'events'>;

/**
 * Base for objects that own an event stream: exposes the listening half and keeps emitting to the
 * subclass, so users cannot emit into a session's stream.
 * @internal
 */
export abstract class EventSourceBase<Events extends EventMapWithError<Events>> implements TypedEventSource<Events> {
  /** The owner's stream: subclasses emit on it, users only listen. */
  protected readonly stream: EventStream<Events>;

  protected constructor(ownerName: string, names: EventNames<Events>) {
    this.stream = new EventStream<Events>(ownerName, names);
  }

  /** {@inheritDoc EventStream.on} */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.stream.on(type, listener);
  }

  /** {@inheritDoc EventStream.once} */
  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.stream.once(type, listener);
  }

  /** {@inheritDoc EventStream.off} */
  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.stream.off(type, listener);
  }

  /** {@inheritDoc EventStream.waitFor} */
  waitFor<K extends keyof Events>(type: K, options?: WaitForOptions<Events[K]>): Promise<Events[K]> {
    return this.stream.waitFor(type, options);
  }

  /** {@inheritDoc EventStream.events} */
  events<K extends keyof Events = keyof Events>(options?: EventsOptions<K>): EventIterator<Events[K]> {
    return this.stream.events(options);
  }
}
