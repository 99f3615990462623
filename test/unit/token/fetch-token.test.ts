import { describe, expect, it } from 'vitest';
import { fetchToken, isSessionError, type TokenFetchContext } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

interface Call {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

/** A typed fake of `fetch` that records each call and answers with `answer()`. */
function fakeFetch(answer: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake: typeof fetch = async (input, init) => {
    const call: Call = {
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
      signal: init?.signal ?? undefined,
    };
    calls.push(call);
    return answer(call);
  };
  return { fetch: fake, calls };
}

const context = (reason: TokenFetchContext['reason'] = 'initial', signal = new AbortController().signal): TokenFetchContext => ({ signal, reason });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('fetchToken', () => {
  it('POSTs the reason as JSON with the caller headers and returns token and expiry', async () => {
    const token = fakeAcsToken();
    const { fetch, calls } = fakeFetch(() => json({ token, expiresOn: '2026-12-01T00:00:00.000Z', user: { communicationUserId: 'x' } }));
    const result = await fetchToken('https://app.example/api/token', { fetch, headers: { authorization: 'Bearer app' }, credentials: 'include' })(
      context('proactive'),
    );
    expect(result).toEqual({ token, expiresOn: '2026-12-01T00:00:00.000Z' });
    expect(calls[0]).toMatchObject({ url: 'https://app.example/api/token', method: 'POST', body: '{"reason":"proactive"}' });
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer app');
    expect(calls[0]?.headers.get('content-type')).toBe('application/json');
  });

  it('sends the reason as a query parameter with GET', async () => {
    const { fetch, calls } = fakeFetch(() => json({ token: fakeAcsToken() }));
    await fetchToken('https://app.example/api/token?tenant=a#x', { fetch, method: 'GET' })(context('rejected'));
    expect(calls[0]?.url).toBe('https://app.example/api/token?tenant=a&reason=rejected#x');
    expect(calls[0]?.body).toBeUndefined();
  });

  it('passes the refresher signal, combined with its own', async () => {
    const own = new AbortController();
    const refresher = new AbortController();
    const { fetch, calls } = fakeFetch(() => json({ token: fakeAcsToken() }));
    await fetchToken('https://app.example/t', { fetch, signal: own.signal })(context('initial', refresher.signal));
    expect(calls[0]?.signal?.aborted).toBe(false);
    refresher.abort();
    expect(calls[0]?.signal?.aborted).toBe(true);
  });

  it('rejects with ABORTED when the signal fires during the request', async () => {
    const controller = new AbortController();
    const { fetch } = fakeFetch(
      (call) => new Promise<Response>((_, reject) => call.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    );
    const pending = Promise.resolve(fetchToken('https://app.example/t', { fetch })(context('initial', controller.signal)));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it.each([
    [401, false, undefined],
    [403, false, undefined],
    [429, true, 30_000],
    [502, true, undefined],
  ])('fails a %i answer with TOKEN_FETCH_FAILED (retryable %s)', async (status, retryable, retryAfterMs) => {
    const headers: Record<string, string> = retryAfterMs === undefined ? {} : { 'retry-after': String(retryAfterMs / 1000) };
    const { fetch } = fakeFetch(() => json({ error: { code: 'SOME_CODE', message: 'Explained.' } }, status, headers));
    const error: unknown = await Promise.resolve(fetchToken('/api/token', { fetch })(context())).catch((e: unknown) => e);
    expect(isSessionError(error, 'TOKEN_FETCH_FAILED')).toBe(true);
    expect(error).toMatchObject({ status, retryable, retryAfterMs, message: `The token service at /api/token answered ${status} SOME_CODE: Explained.` });
  });

  it('fails a network error with a retryable TOKEN_FETCH_FAILED keeping the cause', async () => {
    const cause = new TypeError('fetch failed');
    const { fetch } = fakeFetch(() => Promise.reject(cause));
    await expect(Promise.resolve(fetchToken('https://app.example/t', { fetch })(context()))).rejects.toMatchObject({
      code: 'TOKEN_FETCH_FAILED',
      retryable: true,
      cause,
    });
  });

  it('fails a 200 without a token with TOKEN_MALFORMED', async () => {
    for (const body of ['<html>', '{}', '{"token":""}']) {
      const { fetch } = fakeFetch(() => new Response(body, { status: 200 }));
      await expect(Promise.resolve(fetchToken('https://app.example/t', { fetch })(context()))).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
    }
  });

  it('refuses a url that is not a string or URL', () => {
    // As a JavaScript caller would: no type stands in the way.
    expect(() => Reflect.apply(fetchToken, undefined, [42])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
