import { verifyHmacRequest } from '../auth/hmac.js';
import { AcsHttpError } from '../errors.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import { type EmulatorServices, IDENTITY_API_VERSIONS, IDENTITY_CUSTOM_ID_API_VERSIONS } from '../services.js';
import type { UserRecord } from '../store/model.js';
import { asObject, parseJsonBody } from '../validate.js';
import { issueToken, parseExpiresInMinutes, parseScopes } from './tokens.js';
import { deleteUserRecord, findUser, issueUserToken, revokeUserTokens } from './users.js';

/**
 * Registers the identity API (api-version 2023-10-01 and older, 2025-03-02-preview, 2025-06-30):
 * create user (optionally with a token; from 2025-03-02-preview optionally with a `customId`, which
 * returns the same identity every time), get user (2025-03-02-preview and later), issue token,
 * revoke tokens, delete user. Every request must carry a valid HMAC signature made with the
 * connection string's access key.
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
      const scopes =
        rawScopes === undefined || rawScopes === null || (Array.isArray(rawScopes) && rawScopes.length === 0)
          ? undefined
          : parseScopes(rawScopes, 'createTokenWithScopes');
      const minutes = parseExpiresInMinutes(body['expiresInMinutes']);
      const newer = knowsCustomId(ctx);
      // Older api-versions do not know the field, and the service ignores unknown fields.
      const customId = newer ? parseCustomId(body['customId']) : undefined;
      const existingId = customId === undefined ? undefined : services.state.usersByCustomId.get(customId);
      const existing = existingId === undefined ? undefined : services.state.users.get(existingId);
      let user: UserRecord =
        existing && !existing.deleted ? existing : { id: services.ids.user(), createdOn: ctx.now, ...(customId !== undefined && { customId }) };
      const accessToken = scopes && issueToken(services, user, scopes, minutes, ctx.now);
      if (accessToken) user = { ...user, lastTokenIssuedAt: ctx.now };
      if (user !== existing) services.state.commit({ t: 'user', user });
      return {
        status: 201,
        body: {
          identity: newer ? identityDetails(user) : { id: user.id },
          ...(accessToken && { accessToken }),
        },
      };
    }),
    options,
  );

  router.add(
    'GET',
    '/identities/{id}',
    signed((_ctx, { id = '' }) => ({ status: 200, body: identityDetails(findUser(services, id)) })),
    { apiVersions: IDENTITY_CUSTOM_ID_API_VERSIONS },
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
      return { status: 200, body: issueUserToken(services, findUser(services, id), scopes, minutes, ctx.now) };
    }),
    options,
  );
}

function knowsCustomId(ctx: RequestContext): boolean {
  const version = ctx.query.get('api-version') ?? '';
  return (IDENTITY_CUSTOM_ID_API_VERSIONS as readonly string[]).includes(version);
}

/** The identity as 2025-03-02-preview and later describe it (`GET /identities/{id}`, and `identity` on create). */
function identityDetails(user: UserRecord): Record<string, string> {
  return {
    ...(user.customId !== undefined && { customId: user.customId }),
    ...(user.lastTokenIssuedAt !== undefined && { lastTokenIssuedAt: new Date(user.lastTokenIssuedAt).toISOString() }),
    id: user.id,
  };
}

/** `customId`: absent, or a non-empty string of at most 256 characters. */
function parseCustomId(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 256) {
    throw new AcsHttpError(400, 'ValidationError', 'The customId field must be a non-empty string of at most 256 characters.', { target: 'customId' });
  }
  return value;
}
