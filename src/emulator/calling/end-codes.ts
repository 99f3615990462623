import type { WireEndReason } from '../../calling/local/protocol.js';

/**
 * The ACS end-reason code pairs the call service reports, as the real service does (REFERENCE.md,
 * "Calling"), so the client maps both providers' endings through one table.
 */
export const END = {
  hungUp: { code: 0, subCode: 0 },
  endedForEveryone: { code: 0, subCode: 4097 },
  removed: { code: 0, subCode: 5000 },
  answeredElsewhere: { code: 487, subCode: 10003 },
  cancelled: { code: 487, subCode: 0 },
  declined: { code: 603, subCode: 0 },
  notAnswered: { code: 487, subCode: 10004 },
  unreachable: { code: 480, subCode: 10037 },
  /** "Call ended as application didn't provide valid Azure Communication Services token." */
  tokenInvalid: { code: 495, subCode: 4507 },
} as const satisfies Record<string, WireEndReason>;
