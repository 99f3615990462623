import { SessionError, type SessionErrorCode, type SessionErrorOptions } from '../errors.js';

/**
 * A `SessionError` about something a remote sent, built without a stack trace: the stack would only
 * show our receive loop, and capturing it is most of the cost of rejecting a frame, which matters
 * when a remote floods us with garbage.
 * @internal
 */
export function remoteInputError(code: SessionErrorCode, message: string, options?: SessionErrorOptions): SessionError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SessionError(code, message, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
