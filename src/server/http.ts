import type { IncomingMessage } from 'node:http';
import { isSessionError } from '../errors.js';
import { type CorsOptions, corsHeaders } from './cors.js';
import { logger as serverLogger } from '../internal/logger.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import type { AuthenticateContext, IssuedToken, TokenService, TokenServiceOptions } from './types.js';

/** What the handlers need from the service. @internal */
export interface HttpHandlerOptions {
  authenticate: TokenServiceOptions['authenticate'];
  issue: (appUserId: string) => Promise<IssuedToken>;
  rateLimit: RateLimitOptions | false;
  cors: CorsOptions | undefined;
}

/** A request body is only `{"reason":"…"}`: anything longer is refused before it is read further. */
const MAX_BODY_BYTES = 4096;
const REASONS = new Set(['initial', 'proactive', 'expired', 'rejected']);

/**
 * The token endpoint over HTTP. `GET` or `POST` (body `{"reason"}` from `fetchToken`, optional) →
 * 200 `{ token, expiresOn, user: { communicationUserId } }` with `Cache-Control: no-store`;
 * 401 when `authenticate` names nobody; 429 with `Retry-After` past the per-user limit; 502
 * `SERVICE_UNAVAILABLE` when ACS failed (with ACS's `Retry-After` if it gave one; the log says more);
 * 500 when `authenticate` threw. Every error body is `{ error: { code, message } }`.
 * @internal
 */
export function createHttpHandlers(options: HttpHandlerOptions): Pick<TokenService, 'fetchHandler' | 'nodeHandler'> {
  const limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit.limit ?? 10, options.rateLimit.windowMs ?? 60_000);

  const handle = async (request: Request, context: AuthenticateContext): Promise<Response> => {
    const origin = request.headers.get('origin');
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders(options.cors, origin, true) });
    const cors = corsHeaders(options.cors, origin, false);
    if (method !== 'GET' && method !== 'POST') return error(405, 'INVALID_REQUEST', 'Use GET or POST.', { ...cors, Allow: 'GET, POST, OPTIONS' });

    let appUserId: string | null | undefined;
    try {
      appUserId = await options.authenticate(request, context);
    } catch (thrown) {
      serverLogger.warning(`token service: authenticate() threw ${thrown instanceof Error ? thrown.name : typeof thrown}; answered 500`);
      return error(500, 'SERVICE_ERROR', 'Authentication failed on the server.', cors);
    }
    if (typeof appUserId !== 'string' || appUserId === '') return error(401, 'UNAUTHORIZED', 'Sign in first.', cors);

    const waitMs = limiter?.take(appUserId) ?? 0;
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      return error(429, 'RATE_LIMITED', `Too many token requests; try again in ${seconds} s.`, { ...cors, 'Retry-After': String(seconds) });
    }

    const reason = method === 'POST' ? await readReason(request) : knownReason(new URL(request.url).searchParams.get('reason'));
    try {
      const issued = await options.issue(appUserId);
      if (reason !== undefined) serverLogger.verbose(`token service: token request for ${issued.user.communicationUserId}: ${reason}`);
      const body = JSON.stringify({
        token: issued.token,
        expiresOn: issued.expiresOn.toISOString(),
        user: { communicationUserId: issued.user.communicationUserId },
      });
      return new Response(body, { status: 200, headers: { ...cors, ...JSON_HEADERS } });
    } catch (thrown) {
      const code = isSessionError(thrown) ? thrown.code : 'SERVICE_ERROR';
      if (!isSessionError(thrown) || code === 'INVALID_OPTIONS' || code === 'INVALID_ARGUMENT') {
        if (!isSessionError(thrown)) serverLogger.warning('token service: issuing a token failed unexpectedly; answered 500');
        return error(500, 'SERVICE_ERROR', 'The token service is misconfigured; see its log.', cors);
      }
      const retryAfter = thrown.retryAfterMs === undefined ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(thrown.retryAfterMs / 1000))) };
      // One code whatever ACS said: a client has no use for (and no business knowing) that, say, the
      // server's access key is wrong. The log has the details.
      return error(502, 'SERVICE_UNAVAILABLE', 'Azure Communication Services did not issue a token; try again later.', { ...cors, ...retryAfter });
    }
  };

  return {
    fetchHandler: (request) => handle(request, {}).catch(() => error(500, 'SERVICE_ERROR', 'Unexpected token service error.', {})),
    nodeHandler: (req, res) => {
      res.on('error', () => undefined);
      toRequest(req)
        .then((request) =>
          request
            ? handle(request, { nodeRequest: req as IncomingMessage & Record<string, unknown> })
            : error(413, 'INVALID_REQUEST', 'Request body too large.', {}),
        )
        .catch(() => error(500, 'SERVICE_ERROR', 'Unexpected token service error.', {}))
        .then(async (response) => {
          const headers: Record<string, string> = {};
          response.headers.forEach((value, name) => (headers[name] = value));
          res.writeHead(response.status, headers);
          res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
        })
        .catch(() => res.destroy());
    },
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };

function error(status: number, code: string, message: string, headers: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { ...headers, ...JSON_HEADERS } });
}

async function readReason(request: Request): Promise<string | undefined> {
  try {
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) return undefined;
    return knownReason((JSON.parse(text) as { reason?: unknown }).reason);
  } catch {
    return undefined;
  }
}

function knownReason(reason: unknown): string | undefined {
  return typeof reason === 'string' && REASONS.has(reason) ? reason : undefined;
}

/** A fetch `Request` for a `node:http` request; `undefined` when the body is over the limit. */
async function toRequest(req: IncomingMessage & { body?: unknown }): Promise<Request | undefined> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return new Request(url, { method, headers });
  let body: string;
  if (req.body !== undefined) {
    // Express with a body parser has read the stream already.
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk);
    }
    body = Buffer.concat(chunks).toString('utf8');
  }
  headers.delete('content-length');
  return new Request(url, { method, headers, body });
}
