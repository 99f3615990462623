/**
 * Why a call ended, in words:
 * - `hungUp`: this side or the other side hung up normally (ACS 0/0);
 * - `endedForEveryone`: someone ended the call for everyone (0/4097);
 * - `removed`: another participant removed this one (0/5000, 0/5300);
 * - `answeredElsewhere`: another session of the same user answered (487/10003);
 * - `declined`: the callee declined (603/0; every callee session declined: 0/5003, 487/10024);
 * - `cancelled`: the caller hung up before anyone answered (487/0);
 * - `notAnswered`: nobody answered in time (487/10004);
 * - `unreachable`: the callee could not be reached, e.g. no session online (480/10037);
 * - `tokenInvalid`: the token was refused (495/4507, 401/10009);
 * - `networkFailure`: the network or the media setup failed (410/3100–3112);
 * - `connectionLost`: the connection to the calling service dropped (local provider);
 * - `unknown`: any other code pair; `code` and `subCode` say which.
 */
export type CallEndReasonKind =
  | 'hungUp'
  | 'endedForEveryone'
  | 'removed'
  | 'answeredElsewhere'
  | 'declined'
  | 'cancelled'
  | 'notAnswered'
  | 'unreachable'
  | 'tokenInvalid'
  | 'networkFailure'
  | 'connectionLost'
  | 'unknown';

/**
 * A call's end reason: a readable `kind` with the ACS code pair it came from.
 * @example
 * ```ts
 * session.on('callEnded', ({ reason }) => {
 *   if (reason.kind === 'notAnswered') showToast('No answer');
 *   else console.log(reason.message, reason.code, reason.subCode);
 * });
 * ```
 */
export interface CallEndReason {
  /** What happened, in one word. */
  readonly kind: CallEndReasonKind;
  /** The ACS end-reason code (SIP-like). */
  readonly code: number;
  /** The ACS end-reason sub-code. */
  readonly subCode: number;
  /** A sentence for logs. */
  readonly message: string;
}

const BY_PAIR: Readonly<Record<string, readonly [CallEndReasonKind, string]>> = {
  '0/0': ['hungUp', 'The call was hung up.'],
  '0/4097': ['endedForEveryone', 'The call was ended for everyone.'],
  '0/5000': ['removed', 'This participant was removed from the call.'],
  '0/5300': ['removed', 'This participant was removed from the call.'],
  // ACS's table: "canceled for this user endpoint as it was accepted elsewhere" is 487/10003.
  '487/10003': ['answeredElsewhere', 'The call was answered on another device.'],
  '603/0': ['declined', 'The callee declined the call.'],
  '0/5003': ['declined', 'Every session of the callee declined the call.'],
  '487/10024': ['declined', 'Every session of the callee declined the call.'],
  '487/0': ['cancelled', 'The call was cancelled before it was answered.'],
  '487/10004': ['notAnswered', 'Nobody answered the call in time.'],
  '480/10037': ['unreachable', 'The callee could not be reached.'],
  '495/4507': ['tokenInvalid', 'The access token was refused.'],
  '401/10009': ['tokenInvalid', 'The access token was refused.'],
};

/**
 * Maps an ACS end-reason code pair to a {@link CallEndReason}.
 * @example
 * ```ts
 * endReasonFromCodes(487, 10004).kind; // 'notAnswered'
 * ```
 */
export function endReasonFromCodes(code: number, subCode: number): CallEndReason {
  const known = BY_PAIR[`${code}/${subCode}`];
  if (known) return Object.freeze({ kind: known[0], code, subCode, message: known[1] });
  if (code === 410 && subCode >= 3100 && subCode <= 3112) {
    return Object.freeze({ kind: 'networkFailure', code, subCode, message: 'The network or the media setup failed.' });
  }
  if (code === 0 && subCode === 0) return Object.freeze({ kind: 'hungUp', code, subCode, message: 'The call was hung up.' });
  return Object.freeze({ kind: 'unknown', code, subCode, message: `The call ended (ACS ${code}/${subCode}).` });
}

/** The reason a local-provider call ends with when the call service connection drops. @internal */
export const CONNECTION_LOST: CallEndReason = Object.freeze({
  kind: 'connectionLost',
  code: 410,
  subCode: 0,
  message: 'The connection to the calling service was lost.',
});
