import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcsHttpError, errorBody, httpErrors } from './errors.js';
import { type FaultInjector, faultErrorCode } from './faults.js';
import type { RequestContext, RouteResult, Router } from './router.js';

/** What the request listener needs. */
export interface ListenerOptions {
  router: Router;
  faults: FaultInjector;
  now: () => number;
  /** Public base URL without trailing slash. */
  origin: () => string;
  /** Largest accepted request body; larger bodies get 413. */
  maxBodyBytes: number;
  /** Called with unexpected handler errors (they become 500s, never crashes). */
  onError?: (error: unknown) => void;
}

/** Bodies beyond the limit are drained (so the 413 reaches the client) up to this, then the socket is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** The request listener and the way to stop what it still has in flight. */
export interface RequestListener {
  /** For `https.createServer`. */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Stops handling: pending fault delays are cancelled and their responses destroyed, and no
   * request that was waiting reaches a handler afterwards (it would write to a closed journal).
   */
  close(): void;
}

/** What the listener shares across requests: whether it is closed and the fault-delay timers in flight. */
interface ListenerState {
  closed: boolean;
  sleeping: Set<{ timer: NodeJS.Timeout; wake: () => void }>;
}

/**
 * The emulator's HTTP request listener: CORS, fault injection, bounded body reading, routing,
 * api-version checks and error mapping. Every failure path answers with the ACS error body and
 * nothing a client sends can throw out of it.
 */
export function createRequestListener(options: ListenerOptions): RequestListener {
  const state: ListenerState = { closed: false, sleeping: new Set() };
  return {
    listener: (req, res) => {
      handle(req, res, options, state).catch((error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) send(res, 500, errorBody('InternalServerError', 'Unexpected emulator error.'));
        else res.destroy();
      });
    },
    close: () => {
      state.closed = true;
      // A delay can be up to 10 minutes; its timer alone would keep the process alive that long.
      for (const sleeper of state.sleeping) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      state.sleeping.clear();
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ListenerOptions, state: ListenerState): Promise<void> {
  res.on('error', () => undefined);
  req.on('error', () => undefined);
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  setCommonHeaders(req, res);

  if (method === 'OPTIONS') {
    preflight(req, res);
    return;
  }

  let url: URL;
  let segments: string[];
  try {
    // A client that joins an endpoint ending in '/' with a path gets '//chat/…' (the signaling
    // client does); as a relative URL that would name a host, so leading slashes collapse to one.
    url = new URL(rawUrl.replace(/^\/+/, '/'), 'https://emulator.invalid');
    segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    await drain(req, 0);
    sendError(res, httpErrors.badRequest('The request URL is malformed.'));
    return;
  }

  const fault = options.faults.take(method, '/' + segments.join('/'));
  if (fault && fault.delayMs > 0) {
    await sleep(state, fault.delayMs);
    if (state.closed) {
      res.destroy();
      return;
    }
  }
  if (fault?.status !== undefined && fault.phase === 'before') {
    await drain(req, 0);
    sendFault(res, fault.status, fault.retryAfterSeconds);
    return;
  }

  const body = await drain(req, options.maxBodyBytes);
  if (body === 'tooLarge') {
    res.setHeader('Connection', 'close');
    sendError(res, httpErrors.payloadTooLarge(options.maxBodyBytes));
    return;
  }
  // Closed while the body was arriving: the emulator's files may already be closed.
  if (body === 'aborted' || state.closed) {
    res.destroy();
    return;
  }

  let result: RouteResult;
  try {
    const match = options.router.match(method, segments);
    if (match.kind === 'notFound') throw new AcsHttpError(404, 'NotFound', `No route for ${method} ${url.pathname}.`);
    if (match.kind === 'methodNotAllowed') {
      throw new AcsHttpError(405, 'MethodNotAllowed', `${method} is not allowed here.`, { headers: { Allow: match.allow.join(', ') } });
    }
    if (match.apiVersions) {
      res.setHeader('api-supported-versions', match.apiVersions.join(', '));
      checkApiVersion(url.searchParams, match.apiVersions);
    }
    const ctx: RequestContext = {
      method,
      rawUrl,
      segments,
      query: url.searchParams,
      headers: req.headers,
      body,
      now: options.now(),
      origin: options.origin(),
    };
    result = match.handler(ctx, match.params);
  } catch (error) {
    if (error instanceof AcsHttpError) {
      sendError(res, error);
      return;
    }
    throw error;
  }

  if (fault?.status !== undefined && fault.phase === 'after') {
    sendFault(res, fault.status, fault.retryAfterSeconds);
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.text !== undefined) sendText(res, result.status, result.text);
  else send(res, result.status, result.body);
}

// MS-CV only has to be unique per response; a random prefix plus a counter avoids paying for
// CSPRNG bytes on every request (it showed up at ~4 % of CPU in the send benchmark).
const cvPrefix = randomBytes(9).toString('base64');
let cvCounter = 0;
function nextCorrelationVector(): string {
  cvCounter = (cvCounter + 1) % 1_000_000_000;
  return `${cvPrefix}.${cvCounter}`;
}

function checkApiVersion(query: URLSearchParams, supported: readonly string[]): void {
  const version = query.get('api-version');
  if (version === null) {
    throw new AcsHttpError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  if (!supported.includes(version)) {
    throw new AcsHttpError(
      400,
      'UnsupportedApiVersion',
      `The api-version '${version.slice(0, 64)}' is not supported. Supported versions: ${supported.join(', ')}.`,
    );
  }
}

function setCommonHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  // Echo the origin (and allow credentials) so browser pages on any localhost port can call in.
  res.setHeader('Access-Control-Allow-Origin', typeof origin === 'string' && origin ? origin : '*');
  if (typeof origin === 'string' && origin) {
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  res.setHeader('Access-Control-Expose-Headers', '*');
  res.setHeader('MS-CV', nextCorrelationVector());
  const requestId = req.headers['x-ms-client-request-id'];
  if (typeof requestId === 'string' && requestId.length <= 128) res.setHeader('x-ms-client-request-id', requestId);
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  const requestedHeaders = req.headers['access-control-request-headers'];
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', typeof requestedHeaders === 'string' && requestedHeaders.length <= 4096 ? requestedHeaders : '*');
  res.setHeader('Access-Control-Max-Age', '600');
  req.resume();
  res.statusCode = 204;
  res.end();
}

function sendFault(res: ServerResponse, status: number, retryAfterSeconds: number): void {
  if (status === 429 || status === 503) res.setHeader('Retry-After', String(retryAfterSeconds));
  send(res, status, errorBody(faultErrorCode(status), `Injected fault: ${status}.`));
}

function sendError(res: ServerResponse, error: AcsHttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  send(res, error.status, error.toBody());
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  if (body === undefined) {
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  res.end(text);
}

/**
 * Reads the request body up to `limit` bytes. Past the limit it keeps reading and discarding
 * (up to DRAIN_LIMIT) so the client, still uploading, can receive the 413.
 */
function drain(req: IncomingMessage, limit: number): Promise<Buffer | 'tooLarge' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
      req.destroy();
      resolve('aborted');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: Buffer | 'tooLarge' | 'aborted'): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        req.destroy();
        finish('aborted');
      } else if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => finish(size > limit ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish(size > limit ? 'tooLarge' : 'aborted'));
  });
}

/** Waits `ms`, or less when the listener is closed meanwhile (the caller checks `state.closed`). */
function sleep(state: ListenerState, ms: number): Promise<void> {
  if (state.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const sleeper = {
      timer: setTimeout(() => {
        state.sleeping.delete(sleeper);
        resolve();
      }, ms),
      wake: () => resolve(),
    };
    state.sleeping.add(sleeper);
  });
}
