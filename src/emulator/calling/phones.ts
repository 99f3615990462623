import { EventEmitter } from 'node:events';

/** A simulated phone's view of one call. */
export interface PhoneCall {
  /** The number that was called, E.164 (`+15551234567`). */
  readonly number: string;
  /** The call's id in the call service. */
  readonly callId: string;
  /** The caller id shown: the `alternateCallerId` the caller gave. */
  readonly from: string;
  /** `ringing` until answered; `connected` after. */
  readonly state: 'ringing' | 'connected';
  /** DTMF tones received so far, in order. */
  readonly dtmf: string;
}

/** What the call service does when a phone acts. @internal */
export interface PhoneActions {
  answer(number: string): void;
  reject(number: string): void;
  hangUp(number: string): void;
}

/**
 * The emulator's simulated PSTN phones: a call to `{ phoneNumber }` rings here, and a test, the
 * demo or the admin routes (`POST /_emulator/phones/{number}/:answer`) answer it.
 *
 * @example
 * ```ts
 * const ring = await emu.phones.waitForRing('+15551234567', { timeoutMs: 5_000 });
 * emu.phones.answer(ring.number);
 * ```
 */
export class SimulatedPhones {
  readonly #calls = new Map<string, { callId: string; from: string; state: 'ringing' | 'connected'; dtmf: string }>();
  readonly #events = new EventEmitter();
  #actions: PhoneActions | undefined;

  /** @internal Wired by the call service. */
  attach(actions: PhoneActions): void {
    this.#actions = actions;
  }

  /**
   * Every phone that is ringing or in a call.
   * @example
   * ```ts
   * expect(emu.phones.list().map((p) => p.number)).toContain('+15551234567');
   * ```
   */
  list(): PhoneCall[] {
    return [...this.#calls].map(([number, call]) => ({ number, ...call }));
  }

  /**
   * The phone's current call, if any.
   * @example
   * ```ts
   * emu.phones.get('+15551234567')?.state; // 'ringing'
   * ```
   */
  get(number: string): PhoneCall | undefined {
    const call = this.#calls.get(number);
    return call && { number, ...call };
  }

  /**
   * Resolves when `number` rings (at once if it already does).
   * @example
   * ```ts
   * await emu.phones.waitForRing('+15551234567', { timeoutMs: 5_000 });
   * ```
   * @throws Error when `timeoutMs` passes or `signal` fires first.
   */
  waitForRing(number: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PhoneCall> {
    const current = this.get(number);
    if (current?.state === 'ringing') return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.#events.off('ring', onRing);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const onRing = (rung: string) => {
        const call = this.get(rung);
        if (rung !== number || !call) return;
        cleanup();
        resolve(call);
      };
      const onAbort = () => {
        cleanup();
        reject(new Error('waitForRing was aborted'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${number} did not ring within ${options.timeoutMs} ms`));
      }, options.timeoutMs ?? 30_000);
      this.#events.on('ring', onRing);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Answers the ringing phone.
   * @example
   * ```ts
   * emu.phones.answer('+15551234567');
   * ```
   * @throws Error when the phone is not ringing.
   */
  answer(number: string): void {
    if (this.#calls.get(number)?.state !== 'ringing') throw new Error(`${number} is not ringing`);
    this.#actions?.answer(number);
  }

  /**
   * Declines the ringing phone (the caller's call ends as `declined`).
   * @example
   * ```ts
   * emu.phones.reject('+15551234567');
   * ```
   * @throws Error when the phone is not ringing.
   */
  reject(number: string): void {
    if (this.#calls.get(number)?.state !== 'ringing') throw new Error(`${number} is not ringing`);
    this.#actions?.reject(number);
  }

  /**
   * Hangs up the phone's call.
   * @example
   * ```ts
   * emu.phones.hangUp('+15551234567');
   * ```
   * @throws Error when the phone has no call.
   */
  hangUp(number: string): void {
    if (!this.#calls.has(number)) throw new Error(`${number} has no call`);
    this.#actions?.hangUp(number);
  }

  /** @internal */
  ring(number: string, callId: string, from: string): void {
    this.#calls.set(number, { callId, from, state: 'ringing', dtmf: '' });
    this.#events.emit('ring', number);
  }

  /** @internal */
  connected(number: string): void {
    const call = this.#calls.get(number);
    if (call) call.state = 'connected';
  }

  /** @internal */
  tone(number: string, tone: string): void {
    const call = this.#calls.get(number);
    if (call) call.dtmf += tone;
  }

  /** @internal */
  ended(number: string): void {
    this.#calls.delete(number);
  }

  /** @internal Whether the phone is busy. */
  busy(number: string): boolean {
    return this.#calls.has(number);
  }
}
