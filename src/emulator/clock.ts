import { SessionError } from '../errors.js';

/**
 * The emulator's notion of "now". Tests advance it to expire tokens without waiting an hour:
 * the client still believes its token is valid and sends it, and the emulator answers 401 as the
 * real service would after expiry.
 *
 * @example
 * ```ts
 * const clock = new EmulatorClock();
 * clock.advance(25 * 3600_000); // every token issued so far is now expired
 * ```
 */
export class EmulatorClock {
  #offsetMs = 0;

  /** Epoch milliseconds, real time plus the accumulated offset. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Moves the clock forward (or back, with a negative value). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new SessionError('INVALID_ARGUMENT', 'advanceClock() takes a finite number of milliseconds');
    this.#offsetMs += ms;
  }
}
