import { verifyHmacRequest } from '../auth/hmac.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import { type EmulatorServices, IDENTITY_API_VERSIONS } from '../services.js';
import { asObject, parseJsonBody } from '../validate.js';
import { issueToken, parseExpiresInMinutes, parseScopes } from './tokens.js';
import { createUserRecord, deleteUserRecord, findUser, revokeUserTokens } from './users.js';

/**
 * Registers the identity API (api-version 2023-10-01): create user (optionally with a token),
 * issue token, revoke tokens, delete user. Every request must carry a valid HMAC signature made
 * with the connection string's access key.
 *
 * @example
 * ```ts
 * registerIdentityRoutes(router, services);
 * ```
 */
export function registerIdentityRoutes(router: Router, services: EmulatorServices): void {
  const options = { apiVersions: IDENTITY_API_VERSIONS };
  const signed =
    (handler: (ctx: RequestContext, params: Readonly<Record<string, string>>) => RouteResult) =>
    (ctx: RequestContext, params: Readonly<Record<string, string>>): RouteResult => {
      // The HMAC date window is checked against the real clock: the client signs with it.
      verifyHmacRequest({ method: ctx.method, url: ctx.rawUrl, headers: ctx.headers, body: ctx.body }, services.keys.accessKey);
      return handler(ctx, params);
    };

  router.add(
    'POST',
    '/identities',
    signed((ctx) => {
      const body = ctx.body.length ? asObject(parseJsonBody(ctx.body), 'body') : {};
      const rawScopes = body['createTokenWithScopes'];
      const scopes = rawScopes === undefined || rawScopes === null || (Array.isArray(rawScopes) && rawScopes.length === 0)
        ? undefined
        : parseScopes(rawScopes, 'createTokenWithScopes');
      const minutes = parseExpiresInMinutes(body['expiresInMinutes']);
      const user = createUserRecord(services, ctx.now);
      return {
        status: 201,
        body: {
          identity: { id: user.id },
          ...(scopes && { accessToken: issueToken(services, user, scopes, minutes, ctx.now) }),
        },
      };
    }),
    options,
  );

  router.add(
    'DELETE',
    '/identities/{id}',
    signed((ctx, { id = '' }) => {
      deleteUserRecord(services, findUser(services, id), ctx.now);
      return { status: 204 };
    }),
    options,
  );

  router.add(
    'POST',
    '/identities/{id}/:revokeAccessTokens',
    signed((ctx, { id = '' }) => {
      revokeUserTokens(services, findUser(services, id), ctx.now);
      return { status: 204 };
    }),
    options,
  );

  router.add(
    'POST',
    '/identities/{id}/:issueAccessToken',
    signed((ctx, { id = '' }) => {
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const scopes = parseScopes(body['scopes'], 'scopes');
      const minutes = parseExpiresInMinutes(body['expiresInMinutes']);
      const user = findUser(services, id);
      return { status: 200, body: issueToken(services, user, scopes, minutes, ctx.now) };
    }),
    options,
  );
}
