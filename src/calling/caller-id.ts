import { SessionError } from '../errors.js';
import type { ResolvedPerson } from './person.js';

const E164 = /^\+\d{6,15}$/;

/**
 * Checks `alternateCallerId` for a call that rings `targets`: when given it must be E.164, and a
 * phone target needs it (ACS shows it to the phone as the caller; the service refuses a PSTN leg
 * without it).
 * @internal
 * @throws SessionError `INVALID_ARGUMENT`.
 */
export function checkAlternateCallerId(targets: readonly ResolvedPerson[], alternateCallerId: unknown, what: string): void {
  if (alternateCallerId !== undefined && (typeof alternateCallerId !== 'string' || !E164.test(alternateCallerId))) {
    throw new SessionError('INVALID_ARGUMENT', `alternateCallerId must be a phone number in E.164 (+15551234567), got ${JSON.stringify(alternateCallerId)}`);
  }
  if (targets.some((t) => t.identifier.kind === 'phoneNumber') && alternateCallerId === undefined) {
    throw new SessionError('INVALID_ARGUMENT', `${what} a phone number needs options.alternateCallerId: an ACS phone number in E.164`);
  }
}
