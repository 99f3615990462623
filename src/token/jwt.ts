import { isPlainObject } from '../internal/options.js';

/**
 * The claims acs-session reads from an ACS user token. Clients never verify the signature (only the
 * service can); the claims are read to schedule refreshes and to know who the user is.
 */
export interface AcsTokenClaims {
  /** Expiry, seconds since the epoch. */
  readonly exp?: number;
  /** Issued-at, seconds since the epoch. */
  readonly iat?: number;
  /** `acs:<resourceId>_<userId>`: the user's raw id without its `8:` prefix. */
  readonly skypeid?: string;
  /** Comma-separated scopes, e.g. `"chat,voip"`. */
  readonly acsScope?: string;
  /** The ACS resource id. */
  readonly resourceId?: string;
}

/**
 * Reads the payload of a JWT without verifying it, or returns `undefined` when `token` is not a
 * JWT with a JSON object payload. Works in browsers and Node (no Buffer).
 * @internal
 */
export function decodeJwtClaims(token: string): AcsTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    // The claims' types are checked where they are read (token-info.ts).
    return isPlainObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}
