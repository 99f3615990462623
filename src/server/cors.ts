/**
 * CORS of the token service's HTTP handlers, for an app served from another origin than the
 * service. Without it the handlers send no CORS headers, and browsers allow same-origin use only.
 *
 * @example
 * ```ts
 * const cors: CorsOptions = { origins: ['https://app.example.com'], credentials: true };
 * ```
 */
export interface CorsOptions {
  /** Origins allowed to call the service: a list of exact origins, or `'*'` for any (never with `credentials`). */
  origins: readonly string[] | '*';
  /** Whether browsers may send cookies / HTTP auth (`Access-Control-Allow-Credentials`). Default false. */
  credentials?: boolean;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** The request headers fetchToken and typical auth send. */
const ALLOWED_HEADERS = 'authorization, content-type';

/**
 * The CORS headers for a request from `origin` (none when CORS is off or the origin is not allowed).
 * @internal
 */
export function corsHeaders(cors: CorsOptions | undefined, origin: string | null, preflight: boolean): Record<string, string> {
  if (!cors || !origin) return {};
  const any = cors.origins === '*';
  if (!any && !cors.origins.includes(origin)) return { Vary: 'Origin' };
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': any && !cors.credentials ? '*' : origin,
    Vary: 'Origin',
  };
  if (cors.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = 'GET, POST, OPTIONS';
    headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
    headers['Access-Control-Max-Age'] = String(cors.maxAgeSeconds ?? 600);
  } else {
    headers['Access-Control-Expose-Headers'] = 'Retry-After';
  }
  return headers;
}
