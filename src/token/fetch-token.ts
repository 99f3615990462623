import { SessionError } from '../errors.js';
import type { TokenFetchContext, TokenFetcher } from './types.js';

/**
 * Options of {@link fetchToken}: `fetch` options for every token request (credentials, headers for
 * your own auth, …), plus the `fetch` to use.
 *
 * @example
 * ```ts
 * const init: FetchTokenInit = { credentials: 'include', headers: { authorization: `Bearer ${appSessionToken}` } };
 * ```
 */
export interface FetchTokenInit extends Omit<RequestInit, 'body' | 'method'> {
  /** `POST` (default: sends `{"reason"}` as JSON) or `GET` (sends `?reason=`). */
  method?: 'GET' | 'POST';
  /** The `fetch` implementation. Default: the global one. */
  fetch?: typeof fetch;
}

/**
 * A {@link TokenFetcher} that gets tokens from your token service over HTTP — typically
 * `acs-session/server`'s handlers, but any endpoint answering `{ token, expiresOn? }` works. Each
 * request carries the fetch reason (`initial`, `proactive`, `expired`, `rejected`) and is aborted
 * with the refresher's signal (dispose, fetch timeout).
 *
 * @param url - The token endpoint, e.g. `'/api/token'` in a browser (resolved against the page).
 * @param init - `fetch` options for every request, e.g. your app's own `Authorization` header.
 * @throws SessionError `INVALID_ARGUMENT` when `url` is not a string or URL. The fetcher rejects with
 *   `TOKEN_FETCH_FAILED` on a network failure or a non-2xx answer (`status` and `retryAfterMs` set;
 *   `retryable` false for 4xx other than 408/429), `TOKEN_MALFORMED` when the body has no token, and
 *   `ABORTED` when the signal fired.
 * @example
 * ```ts
 * import { createSession, fetchToken } from 'acs-session';
 *
 * const session = await createSession({
 *   endpoint: 'https://my-resource.communication.azure.com',
 *   token: fetchToken('/api/token', { headers: { authorization: `Bearer ${appSessionToken}` } }),
 * });
 * ```
 */
export function fetchToken(url: string | URL, init: FetchTokenInit = {}): TokenFetcher {
  if (typeof url !== 'string' && !(url instanceof URL))
    throw new SessionError('INVALID_ARGUMENT', 'fetchToken(url) needs the token endpoint as a string or URL');
  const { fetch: fetchImpl, method = 'POST', signal: ownSignal, headers: ownHeaders, ...rest } = init;
  const where = String(url);

  return async ({ signal, reason }: TokenFetchContext) => {
    const doFetch = fetchImpl ?? globalThis.fetch;
    const headers = new Headers(ownHeaders);
    headers.set('accept', 'application/json');
    let target: string | URL = url;
    let body: string | undefined;
    if (method === 'POST') {
      headers.set('content-type', 'application/json');
      body = JSON.stringify({ reason });
    } else {
      target = withReason(where, reason);
    }
    const combined = ownSignal ? anySignal([signal, ownSignal]) : signal;
    let response: Response;
    try {
      response = await doFetch(target, { ...rest, method, headers, ...(body !== undefined && { body }), signal: combined });
    } catch (error) {
      if (combined.aborted) throw new SessionError('ABORTED', `The token request to ${where} was aborted`, { cause: combined.reason ?? error });
      throw new SessionError('TOKEN_FETCH_FAILED', `Could not reach the token service at ${where}: ${error instanceof Error ? error.message : String(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw failedResponse(where, response, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = parsed as { token?: unknown; expiresOn?: unknown } | undefined;
    if (typeof result?.token !== 'string' || result.token === '') {
      throw new SessionError('TOKEN_MALFORMED', `The token service at ${where} answered ${response.status} without a "token" in a JSON body`);
    }
    const expiresOn = typeof result.expiresOn === 'string' || typeof result.expiresOn === 'number' ? result.expiresOn : undefined;
    return expiresOn === undefined ? { token: result.token } : { token: result.token, expiresOn };
  };
}

function failedResponse(where: string, response: Response, text: string): SessionError {
  let detail = '';
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code === 'string') detail += ` ${error.code}`;
    if (typeof error?.message === 'string') detail += `: ${error.message}`;
  } catch {
    // Not the service's JSON error body: the status says enough.
  }
  const status = response.status;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new SessionError('TOKEN_FETCH_FAILED', `The token service at ${where} answered ${status}${detail}`, {
    status,
    retryable: status >= 500 || status === 408 || status === 429,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 && response.headers.has('retry-after') && { retryAfterMs: retryAfter * 1000 }),
  });
}

function withReason(url: string, reason: string): string {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  return `${base}${base.includes('?') ? '&' : '?'}reason=${encodeURIComponent(reason)}${hash >= 0 ? url.slice(hash) : ''}`;
}

/** `AbortSignal.any` where the runtime has it (Node ≥ 20.3, current browsers); else a small stand-in. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
