/**
 * One SMS the emulator accepted for delivery: what the real service would have handed to the carrier.
 *
 * @example
 * ```ts
 * const [last]: SentSms[] = emu.sms.messages({ to: '+14255550199' }).slice(-1);
 * console.log(last?.message); // 'Your code is 123456'
 * ```
 */
export interface SentSms {
  /** The id the send API answered with (`Outgoing_…`). */
  readonly messageId: string;
  /** The sending number, one of `emu.phoneNumbers` (E.164). */
  readonly from: string;
  /** The recipient (E.164). */
  readonly to: string;
  /** The text. */
  readonly message: string;
  /** `smsSendOptions.tag`, when the sender set one. */
  readonly tag?: string;
  /** Whether the sender asked for a delivery report. */
  readonly enableDeliveryReport: boolean;
  /** When the emulator accepted it (emulator clock). */
  readonly sentOn: Date;
}

/**
 * Filter of {@link SmsInbox.messages}.
 *
 * @example
 * ```ts
 * const filter: SmsFilter = { to: '+14255550199' };
 * ```
 */
export interface SmsFilter {
  /** Only messages to this number. */
  to?: string;
  /** Only messages from this number. */
  from?: string;
}

/**
 * The SMS the emulator has sent, oldest first: what an app's tests read instead of a phone. Kept in
 * memory (also with a `dataDir`), the last {@link SmsInbox.capacity} messages.
 *
 * @example
 * ```ts
 * await new SmsClient(emu.connectionString, emulatorClientOptions(emu)).send({ from: emu.phoneNumbers[0]!, to: ['+14255550199'], message: 'hi' });
 * emu.sms.messages({ to: '+14255550199' }); // [{ from, to, message: 'hi', … }]
 * emu.sms.clear();
 * ```
 */
export class SmsInbox {
  /** How many messages are kept; older ones are dropped first. */
  readonly capacity = 1000;
  readonly #messages: SentSms[] = [];
  /** `repeatabilityRequestId` → messageId, so a client's retry of the same send is not delivered twice. */
  readonly #byRequestId = new Map<string, string>();

  /** The messages sent so far, oldest first, optionally filtered by recipient or sender. */
  messages(filter: SmsFilter = {}): SentSms[] {
    return this.#messages.filter((m) => (filter.to === undefined || m.to === filter.to) && (filter.from === undefined || m.from === filter.from));
  }

  /** Forgets every message. */
  clear(): void {
    this.#messages.length = 0;
    this.#byRequestId.clear();
  }

  /** @internal The message id of an earlier send with this repeatability id, if any. */
  repeated(requestId: string | undefined): string | undefined {
    return requestId === undefined ? undefined : this.#byRequestId.get(requestId);
  }

  /** @internal Records an accepted message. */
  add(sms: SentSms, requestId: string | undefined): void {
    this.#messages.push(sms);
    if (requestId !== undefined) this.#byRequestId.set(requestId, sms.messageId);
    while (this.#messages.length > this.capacity) {
      const dropped = this.#messages.shift();
      if (dropped) for (const [key, id] of this.#byRequestId) if (id === dropped.messageId) this.#byRequestId.delete(key);
    }
  }
}
