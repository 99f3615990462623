// Wire-level behaviour the SDK hides: headers, CORS, error bodies, malformed input, admin routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type TestUser, createUsers, rawRequest } from '../support/emulatorClients.js';

const V = 'api-version=2025-03-15';
let emu: Emulator;
let ada: TestUser;
let auth: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, maxBodyBytes: 64 * 1024 });
  [ada] = (await createUsers(emu, 1)) as [TestUser];
  auth = { authorization: `Bearer ${ada.token}`, 'content-type': 'application/json' };
});
afterAll(() => emu.close());

function expectAcsError(json: unknown, code?: string): void {
  expect(json).toMatchObject({ error: { code: code ?? expect.any(String), message: expect.any(String) } });
}

describe('headers and CORS', () => {
  it('sends api-supported-versions and exposes all headers', async () => {
    const res = await rawRequest(emu, { path: `/chat/threads?${V}`, headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['api-supported-versions']).toContain('2025-03-15');
    expect(res.headers['access-control-expose-headers']).toBe('*');
  });

  it('answers a preflight with the origin, methods and requested headers', async () => {
    const res = await rawRequest(emu, {
      method: 'OPTIONS',
      path: `/chat/threads?${V}`,
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type');
  });

  it('returns Location for created threads and messages', async () => {
    const created = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body: JSON.stringify({ topic: 't' }) });
    expect(created.status).toBe(201);
    const id = (created.json as { chatThread: { id: string } }).chatThread.id;
    expect(created.headers.location).toBe(`${emu.endpoint}chat/threads/${encodeURIComponent(id)}`);
    const sent = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads/${encodeURIComponent(id)}/messages?${V}`,
      headers: auth,
      body: '{"content":"x"}',
    });
    expect(sent.status).toBe(201);
    expect(sent.headers.location).toMatch(/\/messages\/\d+$/);
  });
});

describe('wire shapes', () => {
  it('user messages carry content.attachments [] and no senderDisplayName unless given; identifier models have no kind', async () => {
    const created = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body: '{"topic":"shape"}' });
    const thread = (created.json as { chatThread: Record<string, unknown> }).chatThread;
    expect(thread['createdByCommunicationIdentifier']).toEqual({
      rawId: ada.user.communicationUserId,
      communicationUser: { id: ada.user.communicationUserId },
    });
    const id = encodeURIComponent(String(thread['id']));
    const sent = await rawRequest(emu, { method: 'POST', path: `/chat/threads/${id}/messages?${V}`, headers: auth, body: '{"content":"plain"}' });
    const mid = (sent.json as { id: string }).id;
    const message = (await rawRequest(emu, { path: `/chat/threads/${id}/messages/${mid}?${V}`, headers: auth })).json as Record<string, unknown>;
    expect(message).toMatchObject({ type: 'text', content: { message: 'plain', attachments: [] } });
    // api-version 2025-03-15 leaves the key out when the sender gave no display name.
    expect(message).not.toHaveProperty('senderDisplayName');
    const named = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads/${id}/messages?${V}`,
      headers: auth,
      body: '{"content":"x","senderDisplayName":"Ada"}',
    });
    const namedId = (named.json as { id: string }).id;
    expect((await rawRequest(emu, { path: `/chat/threads/${id}/messages/${namedId}?${V}`, headers: auth })).json).toMatchObject({ senderDisplayName: 'Ada' });
    expect(message['senderCommunicationIdentifier']).not.toHaveProperty('kind');
    const list = (await rawRequest(emu, { path: `/chat/threads/${id}/messages?${V}`, headers: auth })).json as { value: Record<string, unknown>[] };
    const system = list.value.find((m) => m['type'] === 'participantAdded');
    expect(system).not.toHaveProperty('senderDisplayName');
    expect(JSON.stringify(list)).not.toContain('"kind"');
  });

  it('a deleted message keeps content { message: "", attachments: [] } and loses its metadata', async () => {
    const created = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body: '{"topic":"deleted"}' });
    const id = encodeURIComponent(String((created.json as { chatThread: { id: string } }).chatThread.id));
    const sent = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads/${id}/messages?${V}`,
      headers: auth,
      body: '{"content":"secret","metadata":{"k":"v"}}',
    });
    const mid = (sent.json as { id: string }).id;
    expect((await rawRequest(emu, { method: 'DELETE', path: `/chat/threads/${id}/messages/${mid}?${V}`, headers: auth })).status).toBe(204);
    const message = (await rawRequest(emu, { path: `/chat/threads/${id}/messages/${mid}?${V}`, headers: auth })).json as Record<string, unknown>;
    expect(message['content']).toEqual({ message: '', attachments: [] });
    expect(message).toHaveProperty('deletedOn');
    expect(message).not.toHaveProperty('metadata');
    expect(JSON.stringify(message)).not.toContain('secret');
  });
});

describe('bad input gets the ACS error body, never a crash', () => {
  it('malformed JSON → 400', async () => {
    const res = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body: '{"topic":' });
    expect(res.status).toBe(400);
    expectAcsError(res.json, 'BadRequest');
  });

  it('wrong JSON types → 400', async () => {
    for (const body of ['[]', '"x"', '{"topic":42}', '{"topic":"t","participants":{}}', '{"topic":"t","metadata":{"a":1}}', 'null']) {
      const res = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body });
      expect(res.status, body).toBe(400);
      expectAcsError(res.json);
    }
  });

  it('oversized body → 413', async () => {
    const res = await rawRequest(emu, { method: 'POST', path: `/chat/threads?${V}`, headers: auth, body: Buffer.alloc(200 * 1024, 0x20) });
    expect(res.status).toBe(413);
    expectAcsError(res.json, 'RequestEntityTooLarge');
  });

  it('unknown route → 404, bad percent-encoding → 400, missing or unknown api-version → 400', async () => {
    const unknown = await rawRequest(emu, { path: `/nope?${V}` });
    expect(unknown.status).toBe(404);
    expectAcsError(unknown.json, 'NotFound');
    const badEncoding = await rawRequest(emu, { path: `/chat/threads/%E0%A4%A?${V}`, headers: auth });
    expect(badEncoding.status).toBe(400);
    expectAcsError(badEncoding.json);
    const noVersion = await rawRequest(emu, { path: '/chat/threads', headers: auth });
    expect(noVersion.status).toBe(400);
    expectAcsError(noVersion.json, 'MissingApiVersionParameter');
    const oldVersion = await rawRequest(emu, { path: '/chat/threads?api-version=1999-01-01', headers: auth });
    expectAcsError(oldVersion.json, 'UnsupportedApiVersion');
  });

  it('no or garbage bearer token → 401 with the error body', async () => {
    for (const authorization of [undefined, 'Bearer', 'Bearer a.b.c', 'Basic Zm9vOmJhcg==']) {
      const res = await rawRequest(emu, { path: `/chat/threads?${V}`, headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expectAcsError(res.json, 'Unauthorized');
    }
  });

  it('bad paging parameters → 400', async () => {
    for (const q of ['maxPageSize=0', 'maxPageSize=abc', 'continuationToken=nope', 'continuationToken=WzEsMl0', 'startTime=yesterday']) {
      const res = await rawRequest(emu, { path: `/chat/threads?${V}&${q}`, headers: auth });
      expect(res.status, q).toBe(400);
    }
  });
});

describe('metadata keys that are also Object.prototype names', () => {
  const metadataOf = (json: unknown): [string, unknown][] => {
    const metadata = (json as { metadata?: object }).metadata;
    return metadata ? Object.entries(metadata) : [];
  };

  it('stores and returns a __proto__ key on threads, messages and participants (JSON text, not object literals)', async () => {
    const created = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads?${V}`,
      headers: auth,
      body: '{"topic":"proto","metadata":{"__proto__":"x","constructor":"c"}}',
    });
    expect(created.status).toBe(201);
    const id = encodeURIComponent((created.json as { chatThread: { id: string } }).chatThread.id);
    const thread = await rawRequest(emu, { path: `/chat/threads/${id}?${V}`, headers: auth });
    expect(metadataOf(thread.json)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'c'],
    ]);

    const patch = { ...auth, 'content-type': 'application/merge-patch+json' };
    expect((await rawRequest(emu, { method: 'PATCH', path: `/chat/threads/${id}?${V}`, headers: patch, body: '{"metadata":{"__proto__":"y"}}' })).status).toBe(
      204,
    );
    expect(metadataOf((await rawRequest(emu, { path: `/chat/threads/${id}?${V}`, headers: auth })).json)).toEqual([
      ['__proto__', 'y'],
      ['constructor', 'c'],
    ]);
    expect((await rawRequest(emu, { method: 'PATCH', path: `/chat/threads/${id}?${V}`, headers: patch, body: '{"metadata":{"__proto__":null}}' })).status).toBe(
      204,
    );
    expect(metadataOf((await rawRequest(emu, { path: `/chat/threads/${id}?${V}`, headers: auth })).json)).toEqual([['constructor', 'c']]);

    const sent = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads/${id}/messages?${V}`,
      headers: auth,
      body: '{"content":"m","metadata":{"__proto__":"p"}}',
    });
    const mid = (sent.json as { id: string }).id;
    const message = await rawRequest(emu, { path: `/chat/threads/${id}/messages/${mid}?${V}`, headers: auth });
    expect(metadataOf(message.json)).toEqual([['__proto__', 'p']]);

    const [bob] = await createUsers(emu, 1);
    const added = await rawRequest(emu, {
      method: 'POST',
      path: `/chat/threads/${id}/participants/:add?${V}`,
      headers: auth,
      body: `{"participants":[{"communicationIdentifier":{"rawId":"${bob!.user.communicationUserId}"},"metadata":{"__proto__":"q"}}]}`,
    });
    expect(added.status).toBe(201);
    const participants = await rawRequest(emu, { path: `/chat/threads/${id}/participants?${V}`, headers: auth });
    const members = (participants.json as { value: { communicationIdentifier: { rawId: string }; metadata?: object }[] }).value;
    expect(metadataOf(members.find((p) => p.communicationIdentifier.rawId === bob!.user.communicationUserId))).toEqual([['__proto__', 'q']]);
    expect(Object.prototype).not.toHaveProperty('x');
  });
});

describe('admin fault route', () => {
  it('injects and clears faults with the access key, and refuses without it', async () => {
    const key = /accesskey=(.*)$/.exec(emu.connectionString)?.[1] ?? '';
    const denied = await rawRequest(emu, { method: 'POST', path: '/_emulator/faults', body: '{"path":"/chat/threads","status":503}' });
    expect(denied.status).toBe(401);
    const added = await rawRequest(emu, {
      method: 'POST',
      path: '/_emulator/faults',
      headers: { 'x-emulator-key': key },
      body: JSON.stringify({ method: 'GET', path: '/chat/threads', status: 429, retryAfterSeconds: 7 }),
    });
    expect(added.status).toBe(201);
    const throttled = await rawRequest(emu, { path: `/chat/threads?${V}`, headers: auth });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expectAcsError(throttled.json, 'TooManyRequests');
    expect((await rawRequest(emu, { path: `/chat/threads?${V}`, headers: auth })).status).toBe(200);
    emu.faults.inject({ path: '/chat/threads', status: 500, times: 5 });
    expect((await rawRequest(emu, { method: 'DELETE', path: '/_emulator/faults', headers: { 'x-emulator-key': key } })).status).toBe(204);
    expect(emu.faults.pending).toBe(0);
  });
});
