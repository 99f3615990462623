import { describe, expect, it, vi } from 'vitest';
import type * as errorsModule from '../../src/errors.js';
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

describe('instanceof SessionError', () => {
  // A fresh module instance stands for another copy of the package (the CommonJS build next to the
  // ESM one, or a second install): its class is a different object. test/package checks the builds.
  async function otherCopy(): Promise<typeof errorsModule> {
    vi.resetModules();
    return import('../../src/errors.js');
  }

  it('holds for a SessionError from another copy of the module, both ways', async () => {
    const copy = await otherCopy();
    expect(copy.SessionError).not.toBe(SessionError);
    expect(new copy.SessionError('TIMEOUT', 'x') instanceof SessionError).toBe(true);
    expect(new SessionError('TIMEOUT', 'x') instanceof copy.SessionError).toBe(true);
    expect(new copy.SessionError('TIMEOUT', 'x')).toBeInstanceOf(Error);
  });

  it('does not hold for look-alikes', () => {
    const lookAlikes: unknown[] = [new Error('x'), { name: 'SessionError', code: 'TIMEOUT', retryable: false }, null, undefined, 'SessionError', 7];
    for (const value of lookAlikes) expect(value instanceof SessionError).toBe(false);
  });

  it('keeps the ordinary check for subclasses', () => {
    class ChatError extends SessionError {}
    const plain = new SessionError('TIMEOUT', 'x');
    const sub = new ChatError('TIMEOUT', 'x');
    expect(sub instanceof SessionError).toBe(true);
    expect(sub instanceof ChatError).toBe(true);
    expect(plain instanceof ChatError).toBe(false);
  });
});
