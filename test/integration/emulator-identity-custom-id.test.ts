// The identity API as the service has it since 2025-03-02-preview: customId on create, GET identity.
// The released client (1.3.1) cannot send these, so the requests are signed here the way it signs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacRequest } from '../../src/emulator/auth/hmac.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { chatClientFor, identityClient, rawRequest } from '../support/emulatorClients.js';

let emu: Emulator;
let accessKey: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  accessKey = /accesskey=(.+)$/.exec(emu.connectionString)?.[1] ?? '';
});
afterAll(() => emu.close());

async function signed(method: string, path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signHmacRequest({ method, url: `https://127.0.0.1:${emu.port}${path}`, body: text }, accessKey);
  return rawRequest(emu, {
    method,
    path,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: text }),
  });
}

describe.each(['2025-03-02-preview', '2025-06-30'])('identity api-version %s', (version) => {
  it('returns the same identity for the same customId, and a token with it when asked', async () => {
    const customId = `alice-${version}@contoso.com`;
    const first = await signed('POST', `/identities?api-version=${version}`, { customId });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ identity: { customId, id: expect.stringMatching(/^8:acs:/) } });
    const id = (first.json as { identity: { id: string } }).identity.id;

    const again = await signed('POST', `/identities?api-version=${version}`, { customId, createTokenWithScopes: ['chat'], expiresInMinutes: 60 });
    expect(again.status).toBe(201);
    const body = again.json as { identity: { id: string; customId: string; lastTokenIssuedAt: string }; accessToken: { token: string } };
    expect(body.identity).toMatchObject({ id, customId });
    expect(Date.parse(body.identity.lastTokenIssuedAt)).not.toBeNaN();
    // The token works for chat: it belongs to that identity.
    const thread = await chatClientFor(emu, body.accessToken.token).createChatThread(
      { topic: 'customId' },
      { participants: [{ id: { communicationUserId: id } }] },
    );
    expect(thread.chatThread?.createdBy).toMatchObject({ communicationUserId: id });

    const other = await signed('POST', `/identities?api-version=${version}`, { customId: `bob-${version}` });
    expect((other.json as { identity: { id: string } }).identity.id).not.toBe(id);
  });

  it('gets an identity with GET /identities/{id}', async () => {
    const created = await signed('POST', `/identities?api-version=${version}`, { customId: `carol-${version}` });
    const id = (created.json as { identity: { id: string } }).identity.id;
    await identityClient(emu).getToken({ communicationUserId: id }, ['chat']);
    const got = await signed('GET', `/identities/${encodeURIComponent(id)}?api-version=${version}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ id, customId: `carol-${version}`, lastTokenIssuedAt: expect.any(String) });
    expect(got.headers['api-supported-versions']).toContain('2025-06-30');

    await identityClient(emu).deleteUser({ communicationUserId: id });
    expect((await signed('GET', `/identities/${encodeURIComponent(id)}?api-version=${version}`)).status).toBe(404);
  });

  it('refuses an empty customId with a ValidationError', async () => {
    const res = await signed('POST', `/identities?api-version=${version}`, { customId: '' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'ValidationError', target: 'customId' } });
  });
});

describe('identity api-version 2023-10-01', () => {
  it('ignores customId (the field did not exist) and has no GET /identities/{id}', async () => {
    const a = await signed('POST', '/identities?api-version=2023-10-01', { customId: 'dave' });
    const b = await signed('POST', '/identities?api-version=2023-10-01', { customId: 'dave' });
    expect(a.json).toEqual({ identity: { id: expect.any(String) } });
    expect((a.json as { identity: { id: string } }).identity.id).not.toBe((b.json as { identity: { id: string } }).identity.id);
    const id = (a.json as { identity: { id: string } }).identity.id;
    expect((await signed('GET', `/identities/${encodeURIComponent(id)}?api-version=2023-10-01`)).status).toBe(400);
  });
});

describe('customId across a restart', () => {
  it('still names the same identity', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'acs-customid-'));
    try {
      let first = await startEmulator({ dataDir });
      const sign = async (target: Emulator, customId: string) => {
        const key = /accesskey=(.+)$/.exec(target.connectionString)?.[1] ?? '';
        const body = JSON.stringify({ customId });
        const path = '/identities?api-version=2025-06-30';
        const headers = signHmacRequest({ method: 'POST', url: `https://127.0.0.1:${target.port}${path}`, body }, key);
        const res = await rawRequest(target, { method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, body });
        return (res.json as { identity: { id: string } }).identity.id;
      };
      const before = await sign(first, 'erin');
      await first.close();
      first = await startEmulator({ dataDir });
      expect(await sign(first, 'erin')).toBe(before);
      await first.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
