import type { IncomingHttpHeaders } from 'node:http';

/** Everything a route handler sees of a request, already parsed and bounded. */
export interface RequestContext {
  method: string;
  /** The request target exactly as received. */
  rawUrl: string;
  /** Decoded path segments (`/chat/threads/19%3Aa` → `['chat','threads','19:a']`). */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The emulator clock (epoch ms), which tests may advance. */
  now: number;
  /** Public base URL without trailing slash, for `Location` and `nextLink`. */
  origin: string;
}

/** What a handler answers. `body: undefined` sends no body; `text` sends a `text/plain` body instead of JSON. */
export interface RouteResult {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A route handler; `params` holds the `{name}` segments of the pattern. */
export type RouteHandler = (ctx: RequestContext, params: Readonly<Record<string, string>>) => RouteResult;

/** Per-route options. */
export interface RouteOptions {
  /** api-versions this route accepts; the request must name one of them. Omitted: not checked (admin routes). */
  apiVersions?: readonly string[];
}

interface Route extends RouteOptions {
  method: string;
  parts: string[];
  handler: RouteHandler;
}

/** Result of {@link Router.match}. */
export type RouteMatch =
  | { kind: 'found'; handler: RouteHandler; params: Record<string, string>; apiVersions: readonly string[] | undefined }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

/**
 * Matches method + decoded path segments against patterns such as
 * `/chat/threads/{threadId}/participants/:add`. `{name}` captures one segment; everything else,
 * including the `:add`-style action segments ACS uses, is literal.
 *
 * @example
 * ```ts
 * const router = new Router();
 * router.add('GET', '/chat/threads/{threadId}', getThread, { apiVersions: ['2025-03-15'] });
 * router.match('GET', ['chat', 'threads', '19:x@thread.v2']); // { kind: 'found', params: { threadId: … } }
 * ```
 */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers a route. */
  add(method: string, pattern: string, handler: RouteHandler, options: RouteOptions): this {
    this.#routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, ...options });
    return this;
  }

  /** Finds the route for a request. */
  match(method: string, segments: readonly string[]): RouteMatch {
    const allow: string[] = [];
    for (const route of this.#routes) {
      const params = matchParts(route.parts, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params, apiVersions: route.apiVersions };
      allow.push(route.method);
    }
    return allow.length ? { kind: 'methodNotAllowed', allow } : { kind: 'notFound' };
  }
}

function matchParts(parts: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      if (!segment) return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}
