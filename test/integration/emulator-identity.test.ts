// The real @azure/communication-identity client against the emulator: HMAC auth and token rules.
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacRequest } from '../../src/emulator/auth/hmac.js';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { chatClientFor, identityClient, rawRequest } from '../support/emulatorClients.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('identity API through CommunicationIdentityClient', () => {
  it('creates users with ACS-shaped ids', async () => {
    const user = await identityClient(emu).createUser();
    expect(user.communicationUserId).toMatch(new RegExp(`^8:acs:${emu.resourceId}_[0-9a-f-]{36}$`));
  });

  it('creates a user with a token carrying skypeid, acsScope, resourceId, iat and exp', async () => {
    const { user, token, expiresOn } = await identityClient(emu).createUserAndToken(['chat', 'voip']);
    const c = claims(token);
    expect(c).toMatchObject({ skypeid: user.communicationUserId.slice(2), acsScope: 'chat,voip', resourceId: emu.resourceId });
    expect(typeof c['iat']).toBe('number');
    expect(c['exp']).toBe(Math.floor(expiresOn.getTime() / 1000));
    expect(expiresOn.getTime() - Date.now()).toBeGreaterThan(1439 * 60_000); // default 24 h
  });

  it('issues tokens with expiresInMinutes 60–1440 and rejects anything else with the real 400 body', async () => {
    const identity = identityClient(emu);
    const user = await identity.createUser();
    const short = await identity.getToken(user, ['chat'], { tokenExpiresInMinutes: 60 });
    expect(Math.abs(short.expiresOn.getTime() - Date.now() - 3600_000)).toBeLessThan(5_000);
    for (const minutes of [59, 1441, 90.5]) {
      await expect(identity.getToken(user, ['chat'], { tokenExpiresInMinutes: minutes })).rejects.toMatchObject({
        statusCode: 400,
        code: 'ValidationError',
      });
    }
    await expect(identity.createUserAndToken(['chat'], { tokenExpiresInMinutes: 10 })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('rejects unknown scopes', async () => {
    const identity = identityClient(emu);
    const user = await identity.createUser();
    // @ts-expect-error -- deliberately invalid scope
    await expect(identity.getToken(user, ['chat', 'admin'])).rejects.toMatchObject({ statusCode: 400 });
  });

  it('a token issued between two revocations in the same second is revoked by the second', async () => {
    const own = await startEmulator({ port: 0 });
    try {
      const identity = identityClient(own);
      const user = await identity.createUser();
      const works = (token: string) =>
        chatClientFor(own, token)
          .listChatThreads()
          .next()
          .then(
            () => 200,
            (e: { statusCode?: number }) => e.statusCode,
          );
      // Put the emulator's clock at the start of a second, so the calls below share that second.
      own.advanceClock(-(Date.now() % 1000));
      await identity.revokeTokens(user);
      const { token: between } = await identity.getToken(user, ['chat']);
      await identity.revokeTokens(user);
      const { token: after } = await identity.getToken(user, ['chat']);
      expect(await works(between)).toBe(401);
      expect(await works(after)).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('revokes tokens and deletes users; a deleted user gets 404 afterwards', async () => {
    const identity = identityClient(emu);
    const user = await identity.createUser();
    await expect(identity.revokeTokens(user)).resolves.toBeUndefined();
    await expect(identity.deleteUser(user)).resolves.toBeUndefined();
    await expect(identity.getToken(user, ['chat'])).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers 401 IdentityNotOwned for another resource’s identity, in the service’s words', async () => {
    await expect(identityClient(emu).getToken({ communicationUserId: '8:acs:someone-else_123' }, ['chat'])).rejects.toMatchObject({
      statusCode: 401,
      code: 'IdentityNotOwned',
      message: "Provided identity doesn't belong to the resource.",
    });
  });

  it('answers a token request without scopes as the service does', async () => {
    const identity = identityClient(emu);
    const user = await identity.createUser();
    await expect(identity.getToken(user, [])).rejects.toMatchObject({
      statusCode: 400,
      code: 'ValidationError',
      message: 'Invalid scopes - Scopes field is required.',
    });
  });

  it('answers 401 to a connection string with the wrong key', async () => {
    const wrong = emu.connectionString.replace(/accesskey=.*$/, `accesskey=${Buffer.alloc(32, 7).toString('base64')}`);
    const client = new CommunicationIdentityClient(wrong, { ...emulatorClientOptions(emu), retryOptions: { maxRetries: 0 } });
    await expect(client.createUser()).rejects.toMatchObject({ statusCode: 401, code: 'Denied' });
  });
});

describe('HMAC verification details', () => {
  const key = (): string => /accesskey=(.*)$/.exec(emu.connectionString)?.[1] ?? '';
  const url = (): string => `https://127.0.0.1:${emu.port}/identities?api-version=2023-10-01`;

  it('accepts a request signed over host-with-port, path, query, date and body hash', async () => {
    const headers = signHmacRequest({ method: 'POST', url: url(), body: '{}' }, key());
    const res = await rawRequest(emu, {
      method: 'POST',
      path: '/identities?api-version=2023-10-01',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
  });

  it('answers 400, not 500, to scopes that are objects whose toString is not a function', async () => {
    const user = await identityClient(emu).createUser();
    const cases = [
      { path: '/identities?api-version=2023-10-01', body: '{"createTokenWithScopes":[{"toString":1}]}' },
      { path: '/identities?api-version=2023-10-01', body: '{"createTokenWithScopes":["chat",{"toString":1,"valueOf":1}]}' },
      { path: `/identities/${encodeURIComponent(user.communicationUserId)}/:issueAccessToken?api-version=2023-10-01`, body: '{"scopes":[{"toString":1}]}' },
      { path: `/identities/${encodeURIComponent(user.communicationUserId)}/:issueAccessToken?api-version=2023-10-01`, body: '{"scopes":[null,7,[]]}' },
    ];
    for (const c of cases) {
      const headers = signHmacRequest({ method: 'POST', url: `https://127.0.0.1:${emu.port}${c.path}`, body: c.body }, key());
      const res = await rawRequest(emu, { method: 'POST', path: c.path, headers: { ...headers, 'content-type': 'application/json' }, body: c.body });
      expect(res.status, c.body).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'ValidationError' } });
    }
  });

  it('rejects a signature over the host without the port, a changed body, or a stale date', async () => {
    const noPort = signHmacRequest({ method: 'POST', url: `https://127.0.0.1/identities?api-version=2023-10-01`, body: '{}' }, key());
    const tampered = signHmacRequest({ method: 'POST', url: url(), body: '{}' }, key());
    const stale = signHmacRequest({ method: 'POST', url: url(), body: '{}' }, key(), new Date(Date.now() - 3600_000));
    const cases = [
      { headers: { ...noPort, host: `127.0.0.1:${emu.port}` }, body: '{}' },
      { headers: tampered, body: '{"createTokenWithScopes":["chat"]}' },
      { headers: stale, body: '{}' },
      { headers: {}, body: '{}' },
    ];
    for (const c of cases) {
      const res = await rawRequest(emu, { method: 'POST', path: '/identities?api-version=2023-10-01', headers: c.headers, body: c.body });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: { code: 'Denied' } });
    }
  });
});
