import { describe, expect, it } from 'vitest';
import { SessionError, isSessionError } from '../../src/index.js';

describe('SessionError', () => {
  it('carries code, retryable, ACS codes and cause', () => {
    const cause = new Error('socket hang up');
    const error = new SessionError('TOKEN_FETCH_FAILED', 'failed', { retryable: true, acsCode: 'Unauthorized', acsSubCode: 44113, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'SessionError', code: 'TOKEN_FETCH_FAILED', retryable: true, acsCode: 'Unauthorized', acsSubCode: 44113 });
    expect(error.cause).toBe(cause);
    expect(new SessionError('DISPOSED', 'gone').retryable).toBe(false);
    expect('cause' in new SessionError('DISPOSED', 'gone')).toBe(false);
  });

  it('isSessionError checks shape and optional codes, also across bundle copies', () => {
    const error = new SessionError('TIMEOUT', 'slow');
    expect(isSessionError(error)).toBe(true);
    expect(isSessionError(error, 'TIMEOUT', 'ABORTED')).toBe(true);
    expect(isSessionError(error, 'ABORTED')).toBe(false);
    const fromOtherCopy = { name: 'SessionError', code: 'ABORTED', retryable: false, message: 'x' };
    expect(isSessionError(fromOtherCopy, 'ABORTED')).toBe(true);
    for (const other of [new Error('x'), null, undefined, 'SessionError', { name: 'SessionError', code: 1, retryable: false }]) {
      expect(isSessionError(other)).toBe(false);
    }
  });
});
