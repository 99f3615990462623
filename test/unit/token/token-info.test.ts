import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY } from '../../../src/token/backoff.js';
import { decodeJwtClaims } from '../../../src/token/jwt.js';
import { readToken } from '../../../src/token/token-info.js';
import { fakeAcsToken, rawIdOf } from '../../support/tokens.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('decodeJwtClaims', () => {
  it('reads base64url payloads, including non-ASCII text', () => {
    const token = fakeAcsToken({ now, claims: { note: 'Zoë ✓' } });
    expect(decodeJwtClaims(token)).toMatchObject({ skypeid: `acs:${rawIdOf().slice(6)}`, note: 'Zoë ✓' });
  });

  it('returns undefined for anything that is not a JWT with an object payload', () => {
    for (const bad of [
      '',
      'a.b',
      'a.b.c.d',
      'x.!!!.y',
      `x.${Buffer.from('[1]').toString('base64url')}.y`,
      `x.${Buffer.from('nope').toString('base64url')}.y`,
    ]) {
      expect(decodeJwtClaims(bad)).toBeUndefined();
    }
  });
});

describe('readToken', () => {
  it('accepts a string or { token, expiresOn } in every documented form', () => {
    const token = fakeAcsToken({ now, lifetimeMs: 3_600_000 });
    const inHalfAnHour = now + 1_800_000;
    expect(readToken(token, now, 'fetcher').expiresOn.getTime()).toBe(now + 3_600_000);
    for (const expiresOn of [new Date(inHalfAnHour), new Date(inHalfAnHour).toISOString(), inHalfAnHour, inHalfAnHour / 1000]) {
      expect(readToken({ token, expiresOn }, now, 'fetcher').expiresOn.getTime()).toBe(inHalfAnHour);
    }
  });

  it('parses scopes and trims whitespace around the token', () => {
    const info = readToken(`  ${fakeAcsToken({ now, scopes: ['chat', 'voip.join'] })}\n`, now, 'static');
    expect(info.scopes).toEqual(['chat', 'voip.join']);
    expect(info.token.startsWith(' ')).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitter only shortens it', () => {
    const options = { ...DEFAULT_RETRY, jitter: 0 };
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, options))).toEqual([1000, 2000, 4000, 8000, 60000]);
    const jittered = { ...DEFAULT_RETRY, jitter: 0.2 };
    expect(backoffDelay(3, jittered, () => 0)).toBe(4000);
    expect(backoffDelay(3, jittered, () => 0.999999)).toBe(3200);
  });
});
