import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHmacRequest, verifyHmacRequest } from '../../../src/emulator/auth/hmac.js';
import { JwtSigner } from '../../../src/emulator/auth/jwt.js';
import { AcsHttpError } from '../../../src/emulator/errors.js';

const key = randomBytes(32).toString('base64');

function verify(method: string, url: string, headers: Record<string, string>, body = ''): unknown {
  try {
    const u = new URL(url);
    verifyHmacRequest({ method, url: u.pathname + u.search, headers, body: Buffer.from(body) }, key);
    return 'ok';
  } catch (error) {
    return error instanceof AcsHttpError ? `${error.status} ${error.code}` : error;
  }
}

describe('HMAC-SHA256 request signatures', () => {
  const url = 'https://127.0.0.1:8443/identities/8%3Aacs%3Ar_u/:issueAccessToken?api-version=2023-10-01';

  it('accepts what the client policy signs (host with port, normalized query)', () => {
    expect(verify('POST', url, signHmacRequest({ method: 'POST', url, body: '{"scopes":["chat"]}' }, key), '{"scopes":["chat"]}')).toBe('ok');
  });

  it('rejects a different verb, path, query, body, key or a skewed date with 401 Denied', () => {
    const headers = signHmacRequest({ method: 'POST', url, body: '{}' }, key);
    expect(verify('PUT', url, headers, '{}')).toBe('401 Denied');
    expect(verify('POST', url.replace('issue', 'revoke'), headers, '{}')).toBe('401 Denied');
    expect(verify('POST', url + '&x=1', headers, '{}')).toBe('401 Denied');
    expect(verify('POST', url, headers, '{ }')).toBe('401 Denied');
    expect(verify('POST', url, signHmacRequest({ method: 'POST', url, body: '{}' }, randomBytes(32).toString('base64')), '{}')).toBe('401 Denied');
    expect(verify('POST', url, signHmacRequest({ method: 'POST', url, body: '{}' }, key, new Date(Date.now() - 16 * 60_000)), '{}')).toBe('401 Denied');
    expect(verify('POST', url, { ...headers, authorization: 'HMAC-SHA256 nonsense' }, '{}')).toBe('401 Denied');
    expect(verify('POST', url, { ...headers, host: '127.0.0.1' }, '{}')).toBe('401 Denied');
  });
});

describe('JWT signer', () => {
  const claims = { skypeid: 'acs:r_u', acsScope: 'chat,voip', resourceId: 'r', iat: 1_700_000_000, exp: 1_700_003_600 };

  it('round-trips claims and rejects tampering or another secret', () => {
    const jwt = new JwtSigner(randomBytes(32));
    const token = jwt.sign(claims);
    expect(jwt.verify(token)).toEqual(claims);
    const [h, p, s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, acsScope: 'chat,admin' })).toString('base64url');
    expect(jwt.verify(`${h}.${forgedPayload}.${s}`)).toBeUndefined();
    expect(new JwtSigner(randomBytes(32)).verify(token)).toBeUndefined();
    expect(jwt.verify(`${h}.${p}`)).toBeUndefined();
    expect(jwt.verify('')).toBeUndefined();
  });
});
