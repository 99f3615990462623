import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { httpErrors } from '../errors.js';
import { safeEqual } from './safeEqual.js';

/** What {@link verifyHmacRequest} needs from a request. */
export interface HmacRequest {
  method: string;
  /** The request target as received (`/identities?api-version=…`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How far `x-ms-date` may be from the server clock; the real service allows about 15 minutes. */
const MAX_SKEW_MS = 15 * 60_000;

/**
 * Verifies an ACS HMAC-SHA256 signed request (what `@azure/communication-common`'s
 * access-key policy produces) and throws a 401 `Denied` error when anything does not match.
 *
 * The string to sign is `VERB\n<path>?<query>\n<x-ms-date>;<host>;<content sha256>`, where the
 * client builds the query with `URLSearchParams.toString()` and the host with `URL.host` (so with
 * the port). The server rebuilds both the same way from what it received.
 */
export function verifyHmacRequest(request: HmacRequest, accessKey: string, now = Date.now()): void {
  const auth = single(request.headers.authorization);
  const date = single(request.headers['x-ms-date']);
  const contentHash = single(request.headers['x-ms-content-sha256']);
  const host = single(request.headers.host);
  if (!auth || !date || !contentHash || !host) throw httpErrors.denied();

  const match = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/i.exec(auth.trim());
  if (!match?.[1] || !match[2]) throw httpErrors.denied();
  if (match[1].toLowerCase() !== 'x-ms-date;host;x-ms-content-sha256') throw httpErrors.denied();

  const signedAt = Date.parse(date);
  if (!Number.isFinite(signedAt) || Math.abs(now - signedAt) > MAX_SKEW_MS) throw httpErrors.denied();

  // The body hash must describe the bytes actually received, or a signed request could carry any body.
  const actualHash = createHash('sha256').update(request.body).digest('base64');
  if (!safeEqual(actualHash, contentHash)) throw httpErrors.denied();

  let pathAndQuery: string;
  try {
    const url = new URL(request.url, 'https://emulator.invalid');
    const query = url.searchParams.toString();
    pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
  } catch {
    throw httpErrors.denied();
  }
  const stringToSign = `${request.method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest('base64');
  if (!safeEqual(expected, match[2])) throw httpErrors.denied();
}

/**
 * Signs a request the way the real client does; for tests and the CLI's admin calls.
 */
export function signHmacRequest(request: { method: string; url: string; body?: string }, accessKey: string, date = new Date()): Record<string, string> {
  const url = new URL(request.url);
  const query = url.searchParams.toString();
  const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
  const utc = date.toUTCString();
  const hash = createHash('sha256')
    .update(request.body ?? '')
    .digest('base64');
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64'))
    .update(`${request.method.toUpperCase()}\n${pathAndQuery}\n${utc};${url.host};${hash}`)
    .digest('base64');
  return {
    host: url.host,
    'x-ms-date': utc,
    'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
