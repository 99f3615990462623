import { SessionError } from '../errors.js';
import type { OverflowPolicy } from './types.js';

type Pending<E> = { resolve: (result: IteratorResult<E, undefined>) => void; reject: (error: unknown) => void };

/**
 * The bounded buffer between an emitter (push side, synchronous) and one `for await` consumer
 * (pull side). It never blocks the emitter: a slow consumer costs memory up to `capacity`, then the
 * overflow policy decides.
 * @internal
 */
export class EventQueue<E> implements AsyncIterableIterator<E, undefined> {
  readonly #buffer: E[] = [];
  #head = 0;
  #waiting: Pending<E> | undefined;
  #ended = false;
  #failure: SessionError | undefined;
  #dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly policy: OverflowPolicy,
    private readonly onEnd: () => void,
  ) {}

  /** Number of events waiting for the consumer. */
  get size(): number {
    return this.#buffer.length - this.#head;
  }

  push(event: E): void {
    if (this.#ended || this.#failure) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: event, done: false });
      return;
    }
    if (this.size >= this.capacity) {
      this.#dropped++;
      if (this.policy === 'dropOldest') {
        this.#head++;
        this.#compact();
      } else {
        // Stop listening now; the buffered events are still delivered before the error.
        this.#failure = new SessionError('EVENTS_OVERFLOW', `events() consumer fell more than ${this.capacity} events behind; iteration stopped`);
        this.onEnd();
        return;
      }
    }
    this.#buffer.push(event);
  }

  /** Ends the iteration normally once the buffered events are consumed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onEnd();
    if (this.#waiting) {
      this.#waiting.resolve({ value: undefined, done: true });
      this.#waiting = undefined;
    }
  }

  /** Makes the next `next()` reject with `error` (after buffered events), then end. */
  fail(error: SessionError): void {
    if (this.#ended || this.#failure) return;
    this.#failure = error;
    this.onEnd();
    if (this.#waiting) {
      this.#waiting.reject(error);
      this.#waiting = undefined;
      this.#ended = true;
    }
  }

  /** How many events this iterator discarded because of overflow. */
  get dropped(): number {
    return this.#dropped;
  }

  next(): Promise<IteratorResult<E, undefined>> {
    if (this.size > 0) {
      const value = this.#buffer[this.#head] as E;
      this.#head++;
      this.#compact();
      return Promise.resolve({ value, done: false });
    }
    if (this.#failure && !this.#ended) {
      this.#ended = true;
      return Promise.reject(this.#failure);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiting) {
      return Promise.reject(new SessionError('INVALID_ARGUMENT', 'events() iterators support one pending next() at a time'));
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<E, undefined>> {
    this.#buffer.length = 0;
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #compact(): void {
    // Shift lazily so a burst costs O(1) per event instead of O(n) Array#shift.
    if (this.#head > 64 && this.#head * 2 > this.#buffer.length) {
      this.#buffer.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
