import { verifyHmacRequest } from '../auth/hmac.js';
import { AcsHttpError } from '../errors.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import { type EmulatorServices, IDENTITY_API_VERSIONS } from '../services.js';
import type { UserRecord } from '../store/model.js';
import { asObject, parseJsonBody } from '../validate.js';
import { issueToken, parseExpiresInMinutes, parseScopes } from './tokens.js';

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
      const user: UserRecord = { id: services.ids.user(), createdOn: ctx.now };
      services.state.commit({ t: 'user', user });
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
      const user = findUser(services, id);
      // Deleting also revokes: tokens of a deleted identity must stop working at once.
      services.state.commit({ t: 'user', user: { ...user, deleted: true, revokedAt: nextRevocation(user.revokedAt, ctx.now) } });
      return { status: 204 };
    }),
    options,
  );

  router.add(
    'POST',
    '/identities/{id}/:revokeAccessTokens',
    signed((ctx, { id = '' }) => {
      const user = findUser(services, id);
      services.state.commit({ t: 'user', user: { ...user, revokedAt: nextRevocation(user.revokedAt, ctx.now) } });
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

function findUser(services: EmulatorServices, id: string): UserRecord {
  if (!services.ids.isOwnUser(id)) {
    throw new AcsHttpError(401, 'IdentityNotOwned', "Provided identity doesn't belong to the resource.");
  }
  const user = services.state.users.get(id);
  if (!user || user.deleted) throw new AcsHttpError(404, 'IdentityNotFound', 'The identity does not exist.');
  return user;
}

/**
 * The `revokedAt` of a new revocation. Tokens only carry whole seconds (`iat`), so a token issued
 * after the previous revocation gets an `iat` of up to the next whole second after it; a second
 * revocation in that same second must reach that boundary, or the token issued between the two
 * would outlive the second one.
 */
function nextRevocation(previous: number | undefined, now: number): number {
  return previous === undefined ? now : Math.max(now, (Math.floor(previous / 1000) + 1) * 1000);
}
