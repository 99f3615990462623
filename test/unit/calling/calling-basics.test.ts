import { describe, expect, it } from 'vitest';
import { validateLocator } from '../../../src/calling/locator.js';
import { isLoopback, resolveCalling } from '../../../src/calling/options.js';
import { resolvePerson } from '../../../src/calling/person.js';
import { endReasonFromCodes } from '../../../src/calling/end-reason.js';
import { createSession, isSessionError } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

describe('end reasons', () => {
  it.each([
    [0, 0, 'hungUp'],
    [0, 4097, 'endedForEveryone'],
    [0, 5000, 'removed'],
    [0, 10003, 'answeredElsewhere'],
    [603, 0, 'declined'],
    [487, 0, 'cancelled'],
    [487, 10004, 'notAnswered'],
    [480, 10037, 'unreachable'],
    [495, 4507, 'tokenInvalid'],
    [401, 10009, 'tokenInvalid'],
    [410, 3100, 'networkFailure'],
    [410, 3111, 'networkFailure'],
    [410, 3112, 'unknown'],
    [500, 1, 'unknown'],
  ] as const)('%i/%i is %s, with the codes kept', (code, subCode, kind) => {
    expect(endReasonFromCodes(code, subCode)).toMatchObject({ kind, code, subCode });
  });
});

describe('provider choice', () => {
  it.each([
    ['https://127.0.0.1:8443/', true],
    ['https://localhost:1/', true],
    ['https://app.localhost/', true],
    ['https://[::1]:8443/', true],
    ['https://127.9.9.9/', true],
    ['https://my.communication.azure.com/', false],
    ['https://127.0.0.1.example.com/', false],
  ])('%s is loopback: %s', (endpoint, loopback) => {
    expect(isLoopback(endpoint)).toBe(loopback);
  });

  it("'auto' is local on loopback and azure elsewhere; explicit settings win", () => {
    expect(resolveCalling(undefined, 'https://127.0.0.1:1').provider).toBe('local');
    expect(resolveCalling('auto', 'https://r.communication.azure.com').provider).toBe('azure');
    expect(resolveCalling('azure', 'https://127.0.0.1:1').provider).toBe('azure');
    expect(resolveCalling(false, 'https://127.0.0.1:1').provider).toBe('none');
    expect(resolveCalling({ iceServers: [{ urls: 'turn:t.example.com', username: 'u', credential: 'p' }] }, 'https://r.communication.azure.com')).toEqual({
      provider: 'azure',
      iceServers: [{ urls: 'turn:t.example.com', username: 'u', credential: 'p' }],
      ca: undefined,
      loadSdk: undefined,
      data: {},
    });
    expect(resolveCalling({ data: false }, 'https://127.0.0.1:1').data).toBe(false);
    expect(resolveCalling({ data: { rpcTimeoutMs: 5 } }, 'https://127.0.0.1:1').data).toEqual({ rpcTimeoutMs: 5 });
    expect(resolveCalling(false, 'https://127.0.0.1:1').data).toBe(false);
  });

  it('createSession lists every problem with the calling option', async () => {
    const error: unknown = await createSession({
      endpoint: 'https://r.communication.azure.com',
      token: fakeAcsToken(),
      // @ts-expect-error wrong on purpose
      calling: { provider: 'teams', iceServers: [{ urls: 'http://x' }], nope: 1 },
    }).catch((e: unknown) => e);
    expect(isSessionError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(String((error as Error).message)).toMatch(/calling\.provider[\s\S]*calling\.iceServers\[0\]\.urls|calling\.nope/);
    // @ts-expect-error wrong on purpose
    const badData: unknown = await createSession({ endpoint: 'https://r.communication.azure.com', token: fakeAcsToken(), calling: { data: true } }).catch(
      (e: unknown) => e,
    );
    expect(badData).toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('calling.data must be false or an object') });
  });
});

describe('call targets and locators', () => {
  it('reads raw ids, identifiers and { id, displayName }', () => {
    expect(resolvePerson('8:acs:r_u')).toMatchObject({ rawId: '8:acs:r_u', identifier: { kind: 'communicationUser' } });
    expect(resolvePerson({ phoneNumber: '+15551234567' })).toMatchObject({ rawId: '4:+15551234567', identifier: { kind: 'phoneNumber' } });
    expect(resolvePerson({ id: '4:+15551234567', displayName: 'Desk' })).toMatchObject({ rawId: '4:+15551234567', displayName: 'Desk' });
    expect(resolvePerson({ id: { communicationUserId: '8:acs:r_u' }, displayName: 'U' })).toMatchObject({ rawId: '8:acs:r_u', displayName: 'U' });
    expect(() => resolvePerson(42)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => resolvePerson('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('accepts exactly one locator shape', () => {
    expect(validateLocator({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).toEqual({ groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
    expect(validateLocator({ meetingId: '123', passcode: 'abc' })).toEqual({ meetingId: '123', passcode: 'abc' });
    for (const bad of [
      { groupId: 'x' },
      { roomId: '' },
      { meetingLink: 'http://x' },
      { meetingId: '1' },
      {},
      { groupId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', roomId: 'r' },
    ]) {
      expect(() => validateLocator(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('session.calls', () => {
  it('is off with calling: false', async () => {
    await using session = await createSession({ endpoint: 'https://r.communication.azure.com', token: fakeAcsToken(), calling: false });
    expect(session.calls.provider).toBe('none');
    await expect(session.calls.join({ roomId: 'r' })).rejects.toMatchObject({ code: 'CALLING_DISABLED' });
  });

  it('refuses Azure calls in Node with CALLING_UNSUPPORTED_RUNTIME', async () => {
    await using session = await createSession({ endpoint: 'https://r.communication.azure.com', token: fakeAcsToken() });
    expect(session.calls.provider).toBe('azure');
    await expect(session.calls.connect()).rejects.toMatchObject({ code: 'CALLING_UNSUPPORTED_RUNTIME' });
    expect(session.calls.list()).toEqual([]);
  });

  it('validates start() before touching the provider', async () => {
    await using session = await createSession({ endpoint: 'https://r.communication.azure.com', token: fakeAcsToken() });
    await expect(session.calls.start([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(session.calls.start(['4:+15551234567'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /alternateCallerId/ });
    await expect(session.calls.start(['8:acs:r_a', '8:acs:r_a'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(session.calls.start(['8:acs:r_a'], { alternateCallerId: '555' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
