import { createHmac } from 'node:crypto';
import { isPlainObject } from '../../internal/options.js';
import { safeEqual } from './safeEqual.js';

/** Claims of an emulator user access token, as the real ACS tokens carry them. */
export interface AcsTokenClaims {
  /** `acs:<resourceId>_<userId>` — the raw id without the `8:` prefix. */
  skypeid: string;
  /** Comma-separated scopes, e.g. `chat,voip`. */
  acsScope: string;
  resourceId: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * Signs ACS-shaped user access tokens (HS256 with a per-emulator secret) and verifies them.
 * The real service uses RS256; clients never verify the signature, so HS256 keeps the emulator
 * free of key-distribution concerns while still detecting tampered tokens.
 *
 * @example
 * ```ts
 * const jwt = new JwtSigner(secret);
 * const token = jwt.sign({ skypeid, acsScope: 'chat', resourceId, iat, exp });
 * const claims = jwt.verify(token); // undefined when forged or malformed
 * ```
 */
export class JwtSigner {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** Returns the compact JWS for `claims`. */
  sign(claims: AcsTokenClaims): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'acs-session-emulator' }));
    // `scp`/`csi`/`ver` mirror what real ACS tokens carry, for clients that peek at them.
    const payload = base64url(JSON.stringify({ ...claims, scp: 1792, csi: String(claims.iat), ver: '1.0' }));
    return `${header}.${payload}.${this.#mac(`${header}.${payload}`)}`;
  }

  /**
   * Returns the claims when the signature is ours and the shape is right; `undefined` otherwise.
   * Expiry is not checked here: the caller owns the clock.
   */
  verify(token: string): AcsTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header = '', payload = '', signature = ''] = parts;
    if (!safeEqual(signature, this.#mac(`${header}.${payload}`))) return undefined;
    try {
      const head: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
      if (!isPlainObject(head) || head['alg'] !== 'HS256') return undefined;
      const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (!isPlainObject(body)) return undefined;
      const { skypeid, acsScope, resourceId, iat, exp } = body;
      if (typeof skypeid !== 'string' || typeof acsScope !== 'string' || typeof resourceId !== 'string') return undefined;
      if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
      return { skypeid, acsScope, resourceId, iat, exp };
    } catch {
      return undefined;
    }
  }

  #mac(input: string): string {
    return createHmac('sha256', this.#secret).update(input).digest('base64url');
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
