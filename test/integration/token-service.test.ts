// acs-session/server against the emulator, with real HMAC signing, the real identity and chat clients,
// and its HTTP handler behind a real node:http server.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createFileIdentityStore, createTokenService } from '../../src/server/index.js';
import { chatClientFor, fastRetry, identityClient } from '../support/emulatorClients.js';
import { identityCreationCounter, serviceFor, startTokenServer } from '../support/tokenServer.js';

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'acs-token-service-'));
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(url: string, headers: Record<string, string> = {}, body: unknown = { reason: 'initial' }) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('issue()', () => {
  it('issues a chat-capable token for a stable ACS identity per app user', async () => {
    const service = serviceFor(emu);
    const before = Date.now();
    const alice = await service.issue('alice');
    expect(alice.user.communicationUserId).toMatch(new RegExp(`^8:acs:${emu.resourceId}_`));
    expect(Math.abs(alice.expiresOn.getTime() - before - 60 * 60_000)).toBeLessThan(5_000); // default 60 minutes
    expect((await service.issue('alice')).user).toEqual(alice.user);
    expect((await service.issue('bob')).user.communicationUserId).not.toBe(alice.user.communicationUserId);

    const chat = chatClientFor(emu, alice.token);
    const { chatThread } = await chat.createChatThread({ topic: 'from the token service' }, { participants: [{ id: alice.user }] });
    expect(chatThread?.createdBy).toMatchObject(alice.user);
  });

  it('validates the token lifetime and honours it', async () => {
    for (const tokenLifetimeMinutes of [59, 1441, 90.5]) {
      expect(() => serviceFor(emu, { tokenLifetimeMinutes })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('tokenLifetimeMinutes') }),
      );
    }
    const { expiresOn } = await serviceFor(emu, { tokenLifetimeMinutes: 120 }).issue('lifetime');
    expect(Math.abs(expiresOn.getTime() - Date.now() - 120 * 60_000)).toBeLessThan(5_000);
  });

  it('lists every option problem at once and never shows the connection string', () => {
    let thrown: unknown;
    try {
      createTokenService({ connectionString: 'endpoint=nope;accesskey=c2VjcmV0LWtleQ==', authenticate: 'x' as never, scopes: ['admin' as never] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_OPTIONS' });
    const message = (thrown as Error).message;
    expect(message).toContain('connectionString');
    expect(message).toContain('authenticate');
    expect(message).toContain('scopes');
    expect(message).not.toContain('c2VjcmV0LWtleQ==');
  });

  it('rejects an empty app user id', async () => {
    await expect(serviceFor(emu).issue('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('revoke()', () => {
  it('makes chat refuse the tokens issued before, and new tokens work', async () => {
    const service = serviceFor(emu);
    const old = await service.issue('revoked-user');
    const chat = chatClientFor(emu, old.token);
    const { chatThread } = await chat.createChatThread({ topic: 'before revoke' }, { participants: [{ id: old.user }] });
    expect(await service.revoke('revoked-user')).toBe(true);
    await expect(chat.getChatThreadClient(chatThread?.id ?? '').getProperties()).rejects.toMatchObject({ statusCode: 401 });

    const fresh = await service.issue('revoked-user');
    expect(fresh.user).toEqual(old.user);
    await expect(
      chatClientFor(emu, fresh.token)
        .getChatThreadClient(chatThread?.id ?? '')
        .getProperties(),
    ).resolves.toMatchObject({ topic: 'before revoke' });
    expect(await service.revoke('never-seen')).toBe(false);
  });
});

describe('identity mapping', () => {
  it('keeps the same identity across a restart with the file store', async () => {
    const file = join(dir, 'restart.json');
    const first = await serviceFor(emu, { identityStore: createFileIdentityStore(file) }).issue('carol');
    // A new service and a new store over the same file: what a restarted process has.
    const again = await serviceFor(emu, { identityStore: createFileIdentityStore(file) }).issue('carol');
    expect(again.user).toEqual(first.user);
  });

  it('creates exactly one identity for 50 concurrent first requests over two instances sharing a file store', async () => {
    const file = join(dir, 'concurrent.json');
    const counter = identityCreationCounter();
    const options = { identityClientOptions: { ...emulatorClientOptions(emu), ...fastRetry, additionalPolicies: [counter.policy] } };
    const a = await startTokenServer(serviceFor(emu, { ...options, identityStore: createFileIdentityStore(file) }));
    const b = await startTokenServer(serviceFor(emu, { ...options, identityStore: createFileIdentityStore(file), rateLimit: false }));
    try {
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i % 2 === 0 ? a.url : b.url, { 'x-app-user': 'dave' })));
      const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ user?: { communicationUserId: string } }>));
      // a keeps the default rate limit (10 per minute), so some of its answers are 429s; none is a 5xx.
      expect(responses.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      const ids = new Set(bodies.flatMap((body) => (body.user ? [body.user.communicationUserId] : [])));
      expect(ids.size).toBe(1);
      expect(counter.count()).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('creates one identity for 50 concurrent issue() calls with the default in-memory store', async () => {
    const counter = identityCreationCounter();
    const service = serviceFor(emu, { identityClientOptions: { ...emulatorClientOptions(emu), ...fastRetry, additionalPolicies: [counter.policy] } });
    const issued = await Promise.all(Array.from({ length: 50 }, () => service.issue('erin')));
    expect(new Set(issued.map((t) => t.user.communicationUserId)).size).toBe(1);
    expect(counter.count()).toBe(1);
  });

  it('with useCustomId needs no store: two instances agree, and revoke works', async () => {
    const one = serviceFor(emu, { useCustomId: true });
    const two = serviceFor(emu, { useCustomId: true });
    const [first, second] = await Promise.all([one.issue('frank@example.com'), two.issue('frank@example.com')]);
    expect(second?.user).toEqual(first?.user);
    expect((await one.issue('grace')).user).not.toEqual(first?.user);
    const chat = chatClientFor(emu, first?.token ?? '');
    await chat.createChatThread({ topic: 'custom id' }, { participants: [{ id: first?.user ?? { communicationUserId: '' } }] });
    expect(await two.revoke('frank@example.com')).toBe(true);
    await expect(chat.createChatThread({ topic: 'after revoke' })).rejects.toMatchObject({ statusCode: 401 });
    expect(() => serviceFor(emu, { useCustomId: true, identityStore: createFileIdentityStore(join(dir, 'x.json')) })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});

describe('a deleted identity', () => {
  it('is replaced by a new one, stored for the next time', async () => {
    const file = join(dir, 'deleted.json');
    const service = serviceFor(emu, { identityStore: createFileIdentityStore(file) });
    const before = await service.issue('olga');
    await identityClient(emu).deleteUser(before.user);
    const after = await service.issue('olga');
    expect(after.user.communicationUserId).not.toBe(before.user.communicationUserId);
    expect((await serviceFor(emu, { identityStore: createFileIdentityStore(file) }).issue('olga')).user).toEqual(after.user);
    await chatClientFor(emu, after.token).createChatThread({ topic: 'new identity' });
  });
});

describe('the HTTP handler', () => {
  it('answers 200 with the token, no-store, for an authenticated POST or GET', async () => {
    const server = await startTokenServer(serviceFor(emu));
    try {
      const response = await post(server.url, { 'x-app-user': 'henry' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { token: string; expiresOn: string; user: { communicationUserId: string } };
      expect(Object.keys(body).sort()).toEqual(['expiresOn', 'token', 'user']);
      expect(Date.parse(body.expiresOn)).toBeGreaterThan(Date.now());
      const viaGet = await fetch(`${server.url}?reason=initial`, { headers: { 'x-app-user': 'henry' } });
      expect(((await viaGet.json()) as typeof body).user).toEqual(body.user);
    } finally {
      await server.close();
    }
  });

  it('answers 401 without authentication, and 500 when authenticate throws', async () => {
    const server = await startTokenServer(serviceFor(emu));
    const throwing = await startTokenServer(
      serviceFor(emu, {
        authenticate: () => {
          throw new Error('db down');
        },
      }),
    );
    try {
      const response = await post(server.url);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect((await post(throwing.url, { 'x-app-user': 'x' })).status).toBe(500);
      expect((await fetch(server.url, { method: 'DELETE', headers: { 'x-app-user': 'x' } })).status).toBe(405);
    } finally {
      await server.close();
      await throwing.close();
    }
  });

  it('answers 429 with Retry-After under a burst, per user', async () => {
    const server = await startTokenServer(serviceFor(emu, { rateLimit: { limit: 3, windowMs: 60_000 } }));
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const response = await post(server.url, { 'x-app-user': 'ivy' });
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = response.headers.get('retry-after');
          expect(await response.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
        } else await response.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(59);
      expect((await post(server.url, { 'x-app-user': 'jack' })).status).toBe(200); // another user is not limited
    } finally {
      await server.close();
    }
  });

  it('answers 502 without details when ACS fails', async () => {
    const wrongKey = emu.connectionString.replace(/accesskey=.+$/, `accesskey=${Buffer.from('not the key').toString('base64')}`);
    const server = await startTokenServer(serviceFor(emu, { connectionString: wrongKey }));
    try {
      const response = await post(server.url, { 'x-app-user': 'kate' });
      expect(response.status).toBe(502);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } });
      expect(body).not.toContain('Denied');
    } finally {
      await server.close();
    }
  });

  it('answers CORS preflights and requests for allowed origins only', async () => {
    const server = await startTokenServer(serviceFor(emu, { cors: { origins: ['http://localhost:5173'], credentials: true } }));
    try {
      const preflight = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      const allowed = await post(server.url, { origin: 'http://localhost:5173', 'x-app-user': 'liam' });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const other = await post(server.url, { origin: 'http://evil.localhost', 'x-app-user': 'liam' });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('works behind a body parser that already read the request (Express), and gives authenticate the node request', async () => {
    const { createServer } = await import('node:http');
    const reasons: unknown[] = [];
    const service = serviceFor(emu, {
      authenticate: async (request, { nodeRequest }) => {
        reasons.push(((await request.clone().json()) as { reason?: unknown }).reason);
        return typeof nodeRequest?.['user'] === 'string' ? nodeRequest['user'] : null;
      },
    });
    // What express.json() and a session middleware leave behind: the stream consumed, body and user set.
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        Object.assign(req, { body: JSON.parse(text) as unknown, user: 'nora' });
        service.nodeHandler(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await post(`http://127.0.0.1:${port}/api/token`, {}, { reason: 'expired' });
      expect(response.status).toBe(200);
      expect(reasons).toEqual(['expired']);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('works as a fetch handler', async () => {
    const service = serviceFor(emu);
    const response = await service.fetchHandler(
      new Request('http://localhost/api/token', { method: 'POST', headers: { 'x-app-user': 'mia' }, body: '{"reason":"proactive"}' }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { token: string }).token.split('.')).toHaveLength(3);
    expect((await service.fetchHandler(new Request('http://localhost/api/token'))).status).toBe(401);
  });
});
