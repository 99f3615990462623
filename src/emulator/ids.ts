import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Makes the ids the real service makes, in the same shapes: users `8:acs:<resourceId>_<uuid>`,
 * threads `19:<hex>@thread.v2`, messages as millisecond timestamps (strictly increasing, so
 * two messages in the same millisecond still get distinct, ordered ids).
 *
 * @example
 * ```ts
 * const ids = new IdGenerator('0b0e…');
 * ids.user();    // '8:acs:0b0e…_5f6c…'
 * ids.thread();  // '19:3a1f…@thread.v2'
 * ids.message(Date.now()); // '1732780000000'
 * ```
 */
export class IdGenerator {
  #lastMessageId = 0;

  constructor(readonly resourceId: string) {}

  /** A new ACS user raw id. */
  user(): string {
    return `8:acs:${this.resourceId}_${randomUUID()}`;
  }

  /** A new chat thread id. */
  thread(): string {
    return `19:${randomBytes(16).toString('hex')}@thread.v2`;
  }

  /** A new message id (also used as the initial version). */
  message(now: number): string {
    this.#lastMessageId = Math.max(Math.floor(now), this.#lastMessageId + 1);
    return String(this.#lastMessageId);
  }

  /** Makes later ids larger than `id` (after replaying persisted messages). */
  observeMessageId(id: string): void {
    const n = Number(id);
    if (Number.isSafeInteger(n) && n > this.#lastMessageId) this.#lastMessageId = n;
  }

  /** True when `rawId` is a user of this resource. */
  isOwnUser(rawId: string): boolean {
    return rawId.startsWith(`8:acs:${this.resourceId}_`);
  }
}
