import { describe, expect, it } from 'vitest';
import { SessionError } from '../../../src/errors.js';
import { fromAcsError } from '../../../src/internal/from-acs-error.js';

/** A typed fake of what the Azure pipeline throws: the fields `fromAcsError` reads of a RestError. */
interface FakeRestError {
  name: 'RestError';
  message: string;
  statusCode?: number;
  code?: string;
  response?: { status: number; headers: { get(name: string): string | undefined } };
}

function restError(statusCode: number | undefined, code?: string, headers: Record<string, string> = {}): FakeRestError {
  const error: FakeRestError = { name: 'RestError', message: `failure ${statusCode ?? 'none'}` };
  if (statusCode !== undefined) {
    error.statusCode = statusCode;
    error.response = { status: statusCode, headers: { get: (name) => headers[name.toLowerCase()] } };
  }
  if (code !== undefined) error.code = code;
  return error;
}

const op = { operation: 'Sending a message' };

describe('fromAcsError', () => {
  it.each([
    [400, 'INVALID_REQUEST', false],
    [401, 'UNAUTHORIZED', true],
    [403, 'FORBIDDEN', false],
    [404, 'NOT_FOUND', false],
    [413, 'MESSAGE_TOO_LARGE', false],
    [429, 'RATE_LIMITED', true],
    [500, 'SERVICE_UNAVAILABLE', true],
    [503, 'SERVICE_UNAVAILABLE', true],
    [409, 'SERVICE_ERROR', false],
  ] as const)('maps HTTP %i to %s (retryable %s), keeping status, ACS code and cause', (status, code, retryable) => {
    const cause = restError(status, 'SomeAcsCode');
    const error = fromAcsError(cause, op);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ code, retryable, status, acsCode: 'SomeAcsCode' });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain(`Sending a message failed: ACS answered ${status} SomeAcsCode`);
  });

  it('lets the adapter refine a status or an ACS code for its resource', () => {
    const context = { ...op, byStatus: { 403: 'NOT_A_PARTICIPANT', 404: 'THREAD_NOT_FOUND' }, byAcsCode: { MessageTooLarge: 'MESSAGE_TOO_LARGE' } } as const;
    expect(fromAcsError(restError(403, 'Forbidden'), context).code).toBe('NOT_A_PARTICIPANT');
    expect(fromAcsError(restError(404), context).code).toBe('THREAD_NOT_FOUND');
    expect(fromAcsError(restError(400, 'MessageTooLarge'), context).code).toBe('MESSAGE_TOO_LARGE');
    expect(fromAcsError(restError(400, 'Other'), context).code).toBe('INVALID_REQUEST');
  });

  it('reads Retry-After in seconds, as an HTTP date, and retry-after-ms', () => {
    expect(fromAcsError(restError(429, 'TooManyRequests', { 'retry-after': '7' }), op).retryAfterMs).toBe(7000);
    expect(fromAcsError(restError(503, undefined, { 'retry-after-ms': '250' }), op).retryAfterMs).toBe(250);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const fromDate = fromAcsError(restError(429, undefined, { 'retry-after': inTenSeconds }), op).retryAfterMs ?? -1;
    expect(fromDate).toBeGreaterThan(8_000);
    expect(fromDate).toBeLessThanOrEqual(10_000);
    expect(fromAcsError(restError(429), op).retryAfterMs).toBeUndefined();
    expect(fromAcsError(restError(400, undefined, { 'retry-after': '3' }), op).retryAfterMs).toBeUndefined();
  });

  it('reports no response as a retryable NETWORK_ERROR', () => {
    const sendError = { name: 'RestError', message: 'connect ECONNREFUSED', code: 'REQUEST_SEND_ERROR' };
    expect(fromAcsError(sendError, op)).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, status: undefined, acsCode: 'REQUEST_SEND_ERROR' });
    expect(fromAcsError(new TypeError('fetch failed'), op)).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('maps a calling error code/subCode pair like a status', () => {
    const callingError = { name: 'CallingCommunicationError', message: 'token', code: 401, subCode: 10009 };
    expect(fromAcsError(callingError, op)).toMatchObject({ code: 'UNAUTHORIZED', acsCode: '401', acsSubCode: 10009, status: 401 });
  });

  it('passes a SessionError through, maps AbortError to ABORTED and anything else to SERVICE_ERROR', () => {
    const own = new SessionError('DISPOSED', 'gone');
    expect(fromAcsError(own, op)).toBe(own);
    expect(fromAcsError({ name: 'AbortError', message: 'The operation was aborted.' }, op).code).toBe('ABORTED');
    expect(fromAcsError('weird', op)).toMatchObject({ code: 'SERVICE_ERROR', retryable: false, message: 'Sending a message failed: weird' });
  });
});
