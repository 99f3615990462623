// 10 000 random and malformed requests (HTTPS through node:https plus raw TLS garbage), then the
// emulator must still serve the real clients and its stored data must still load.
import { Agent, request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { signHmacRequest } from '../../src/emulator/auth/hmac.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { chatClientFor, collect, createUsers, rawRequest } from '../support/emulatorClients.js';
import { seededRandom as rng } from '../support/random.js';

const TOTAL = 10_000;
const RAW_SHARE = 0.15; // raw TLS connections with unparseable HTTP
const CONCURRENCY = 24;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_251_128);

describe('fuzz', () => {
  it(`survives ${TOTAL} random or malformed requests and still serves the real clients`, { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-fuzz-'));
    let emu: Emulator = await startEmulator({ port: 0, dataDir: dir, maxBodyBytes: 256 * 1024 });
    try {
      const [ada, bob, keeper] = await createUsers(emu, 3);
      // The fuzzer holds ada's and bob's tokens and may legitimately change or delete their
      // thread; the keeper's thread is out of its reach and must come through byte-for-byte.
      const { chatThread } = await ada!.chat.createChatThread({ topic: 'fuzz' }, { participants: [{ id: bob!.user }] });
      const threadId = chatThread!.id;
      const kept = (await keeper!.chat.createChatThread({ topic: 'kept' })).chatThread!.id;
      const keptClient = keeper!.chat.getChatThreadClient(kept);
      for (let i = 0; i < 5; i++) await keptClient.sendMessage({ content: `before ${i}` });
      const keptBefore = await collect(keptClient.listMessages());
      const key = /accesskey=(.*)$/.exec(emu.connectionString)?.[1] ?? '';

      const tokens = [ada!.token, bob!.token, 'garbage', `${ada!.token}x`, ada!.token.split('.').slice(0, 2).join('.') + '.', ''];
      const segments = [
        'chat',
        'threads',
        encodeURIComponent(threadId),
        threadId,
        'messages',
        'participants',
        ':add',
        ':remove',
        'readReceipts',
        'typing',
        'identities',
        ':issueAccessToken',
        ':revokeAccessTokens',
        '_emulator',
        'faults',
        '%',
        '%zz',
        '%E0%A4%A',
        '%00',
        '..',
        '.',
        'x'.repeat(3000),
        '%F0%9F%98%80',
        '19%3Anope%40thread.v2',
        '8%3Aacs%3A' + emu.resourceId + '_1',
        '1',
        '-1',
      ];
      const queries = [
        'api-version=2025-03-15',
        'api-version=2023-10-01',
        'api-version=',
        'api-version=2025-03-15&maxPageSize=0',
        'api-version=2025-03-15&maxPageSize=99999999999999999999',
        'api-version=2025-03-15&startTime=%ZZ',
        'api-version=2025-03-15&skip=1e9',
        'api-version=2025-03-15&syncState=abc',
        '%%%',
        '',
        'api-version=2025-03-15&api-version=x',
      ];
      // Bodies are built as JSON *text*: an object literal or assignment with a `__proto__` key
      // sets the prototype and JSON.stringify drops it, so the key would never reach the server.
      const jsonValues: string[] = [
        'null',
        '0',
        '-1',
        '1e308',
        '"x"',
        '""',
        '[]',
        '{}',
        'true',
        '[[[[]]]]',
        '{"a":{"b":{"c":[]}}}',
        JSON.stringify('x'.repeat(30_000)),
        JSON.stringify({ communicationUser: { id: ada!.user.communicationUserId } }),
        '{"id":5}',
        '"\\u0000"',
        '{"__proto__":{"polluted":true}}',
        '{"toString":1}',
        '{"toString":1,"valueOf":1}',
        '[{"toString":1}]',
        '{"__proto__":"x"}',
        '{"constructor":{"prototype":{"polluted":true}}}',
      ];
      const keys = [
        'topic',
        'content',
        'participants',
        'metadata',
        'type',
        'chatMessageId',
        'scopes',
        'createTokenWithScopes',
        'expiresInMinutes',
        'communicationIdentifier',
        'retentionPolicy',
        'senderDisplayName',
        'kind',
        'path',
        'status',
        '__proto__',
        'constructor',
        'toString',
        'valueOf',
        'hasOwnProperty',
        'shareHistoryTime',
        'rawId',
        'communicationUser',
        'id',
      ];

      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: emu.certificate });
      const statuses = new Map<number, number>();
      let transportErrors = 0;

      // Each worker draws from its own generator (seeded SEED + worker index) and runs a fixed
      // share of the cases, so FUZZ_SEED reproduces the same requests however the workers interleave.
      const casesFor = (random: () => number): { httpCase: () => Promise<void>; rawCase: () => Promise<void>; random: () => number } => {
        const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
        const randomJson = (depth = 0): string => {
          if (depth > 3 || random() < 0.4) return pick(jsonValues);
          const members: string[] = [];
          for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
            const value = random() < 0.3 ? `[${randomJson(depth + 1)}]` : randomJson(depth + 1);
            members.push(`${JSON.stringify(pick(keys))}:${value}`);
          }
          return `{${members.join(',')}}`;
        };
        const randomBody = (): string | Buffer | undefined => {
          const r = random();
          if (r < 0.15) return undefined;
          if (r < 0.6) return randomJson();
          if (r < 0.7) return randomJson().slice(0, -1); // truncated
          if (r < 0.78) return Buffer.from(Array.from({ length: Math.floor(random() * 512) }, () => Math.floor(random() * 256)));
          if (r < 0.8) return Buffer.alloc(300 * 1024, 0x7b); // over the body limit
          if (r < 0.85) return '['.repeat(10_000) + ']'.repeat(10_000); // deep nesting
          if (r < 0.9) return JSON.stringify({ topic: 't', participants: Array.from({ length: 300 }, () => ({ communicationIdentifier: { rawId: 'x' } })) });
          return JSON.stringify({ content: 'c', metadata: { k: 'v'.repeat(29_000) } });
        };

        const httpCase = (): Promise<void> =>
          new Promise((resolve) => {
            const method = pick(['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD']);
            const parts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(segments));
            if (random() < 0.5) parts.splice(0, Math.min(2, parts.length), 'chat', 'threads');
            const path = `/${parts.join('/')}?${pick(queries)}`;
            const body = randomBody();
            const headers: Record<string, string> = { 'content-type': pick(['application/json', 'application/merge-patch+json', 'text/plain']) };
            const token = pick(tokens);
            if (random() < 0.8) headers['authorization'] = `Bearer ${token}`;
            if (random() < 0.15) {
              Object.assign(headers, signHmacRequest({ method, url: `https://127.0.0.1:${emu.port}${path}`, body: typeof body === 'string' ? body : '' }, key));
            }
            // Node's client frames GET/HEAD/DELETE/OPTIONS bodies with neither Content-Length nor
            // chunking, which would make the body parse as the next request: frame it explicitly.
            if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
            if (random() < 0.1) headers['repeatability-request-id'] = pick(['a', 'b', 'x'.repeat(1000)]);
            if (random() < 0.05) headers['x-emulator-key'] = key;
            if (random() < 0.05) headers['origin'] = 'http://localhost:3000';
            try {
              const req = request({ host: '127.0.0.1', port: emu.port, method, path, headers, agent, servername: 'localhost' }, (res) => {
                statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
                res.resume();
                res.on('end', resolve);
                res.on('error', () => resolve());
              });
              req.setTimeout(10_000, () => req.destroy());
              req.on('error', () => {
                transportErrors++;
                resolve();
              });
              req.end(body);
            } catch {
              resolve(); // the client itself refused (e.g. invalid header); not a server concern
            }
          });

        const rawCase = (): Promise<void> =>
          new Promise((resolve) => {
            const socket = connect({ host: '127.0.0.1', port: emu.port, ca: emu.certificate, servername: 'localhost' }, () => {
              const r = random();
              let payload: Buffer;
              if (r < 0.25) payload = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 2048) }, () => Math.floor(random() * 256)));
              else if (r < 0.4) payload = Buffer.from(`GET /chat/threads?api-version=2025-03-15 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
              else if (r < 0.55) payload = Buffer.from('POST /chat/threads HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n');
              else if (r < 0.7) payload = Buffer.from('GET /chat/thr eads HTTP/1.1\r\nHost: x\r\n\r\n');
              else if (r < 0.8)
                payload = Buffer.from('POST /chat/threads?api-version=2025-03-15 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"to'); // then hang up
              else if (r < 0.9) payload = Buffer.from(`BREW /${'%'.repeat(100)} HTTP/9.9\r\n\r\n`);
              else payload = Buffer.from('GET / HTTP/1.1\r\nContent-Length: -5\r\nContent-Length: 7\r\n\r\n');
              socket.end(payload);
            });
            socket.setTimeout(5_000, () => socket.destroy());
            socket.on('data', () => undefined);
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
          });
        return { httpCase, rawCase, random };
      };

      // Prototype-named keys and values whose toString is not a function, sent once each to every
      // operation that reads them (the random mix rarely signs an identity request, for one).
      const thread = encodeURIComponent(threadId);
      const userId = ada!.user.communicationUserId;
      const targeted: { method: string; path: string; body: string; signed?: boolean }[] = [
        { method: 'POST', path: '/identities?api-version=2023-10-01', body: '{"createTokenWithScopes":[{"toString":1}]}', signed: true },
        {
          method: 'POST',
          path: '/identities?api-version=2023-10-01',
          body: '{"createTokenWithScopes":["chat"],"expiresInMinutes":{"toString":1}}',
          signed: true,
        },
        {
          method: 'POST',
          path: `/identities/${encodeURIComponent(userId)}/:issueAccessToken?api-version=2023-10-01`,
          body: '{"scopes":[{"toString":1,"valueOf":1}]}',
          signed: true,
        },
        {
          method: 'POST',
          path: '/chat/threads?api-version=2025-03-15',
          body: '{"__proto__":{"polluted":true},"topic":"t","metadata":{"__proto__":"x","toString":"y"}}',
        },
        { method: 'POST', path: '/chat/threads?api-version=2025-03-15', body: '{"topic":{"toString":1}}' },
        { method: 'POST', path: '/chat/threads?api-version=2025-03-15', body: '{"topic":"t","retentionPolicy":{"kind":{"toString":1}}}' },
        {
          method: 'POST',
          path: '/chat/threads?api-version=2025-03-15',
          body: '{"topic":"t","participants":[{"communicationIdentifier":{"communicationUser":{"id":{"toString":1}}}}]}',
        },
        {
          method: 'POST',
          path: '/chat/threads?api-version=2025-03-15',
          body: '{"topic":"t","participants":[{"communicationIdentifier":{"rawId":"x"},"shareHistoryTime":{"toString":1},"metadata":{"__proto__":"p"}}]}',
        },
        { method: 'PATCH', path: `/chat/threads/${thread}?api-version=2025-03-15`, body: '{"metadata":{"__proto__":null,"constructor":{"toString":1}}}' },
        { method: 'POST', path: `/chat/threads/${thread}/messages?api-version=2025-03-15`, body: '{"content":{"toString":1},"type":{"toString":1}}' },
        {
          method: 'POST',
          path: `/chat/threads/${thread}/messages?api-version=2025-03-15`,
          body: '{"content":"c","metadata":{"__proto__":"m","valueOf":{"toString":1}}}',
        },
        { method: 'POST', path: `/chat/threads/${thread}/participants/:add?api-version=2025-03-15`, body: '{"participants":[{"toString":1}]}' },
        {
          method: 'POST',
          path: `/chat/threads/${thread}/participants/:remove?api-version=2025-03-15`,
          body: '{"communicationUser":{"id":{"toString":1}},"rawId":{"toString":1}}',
        },
        { method: 'POST', path: `/chat/threads/${thread}/readReceipts?api-version=2025-03-15`, body: '{"chatMessageId":{"toString":1}}' },
        { method: 'POST', path: '/_emulator/faults', body: '{"path":"/x","status":{"toString":1},"method":{"toString":1}}' },
      ];
      for (const t of targeted) {
        const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${ada!.token}`, 'x-emulator-key': key };
        if (t.signed) Object.assign(headers, signHmacRequest({ method: t.method, url: `https://127.0.0.1:${emu.port}${t.path}`, body: t.body }, key));
        const res = await rawRequest(emu, { method: t.method, path: t.path, headers, body: t.body });
        expect(res.status, `${t.method} ${t.path} ${t.body}`).toBeLessThan(500);
      }

      const worker = async (index: number): Promise<void> => {
        const { httpCase, rawCase, random } = casesFor(rng(SEED + index));
        // Worker shares add up to TOTAL: the first TOTAL % CONCURRENCY workers take one more.
        const share = Math.floor(TOTAL / CONCURRENCY) + (index < TOTAL % CONCURRENCY ? 1 : 0);
        for (let i = 0; i < share; i++) await (random() < RAW_SHARE ? rawCase() : httpCase());
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, index) => worker(index)));
      agent.destroy();

      // Nothing reached Object.prototype through a `__proto__` or `constructor` key.
      expect(Object.prototype).not.toHaveProperty('polluted');
      // No crash: no 500s from handlers, and the process is still serving.
      expect(statuses.get(500) ?? 0).toBe(0);
      // The fuzzer reached the handlers too, not only the parsers: some requests succeeded.
      expect([...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(100);
      expect([...statuses.keys()].every((s) => s >= 200 && s < 600)).toBe(true);
      expect(transportErrors).toBeLessThan(TOTAL * 0.05);

      const check = async (e: Emulator): Promise<void> => {
        const thread = chatClientFor(e, keeper!.token).getChatThreadClient(kept);
        expect(await collect(thread.listMessages())).toEqual(keptBefore);
        const [carol, dave] = await createUsers(e, 2);
        const fresh = await carol!.chat.createChatThread({ topic: 'after' }, { participants: [{ id: dave!.user }] });
        const freshThread = carol!.chat.getChatThreadClient(fresh.chatThread!.id);
        const { id } = await freshThread.sendMessage({ content: 'after fuzz' });
        expect((await dave!.chat.getChatThreadClient(fresh.chatThread!.id).getMessage(id)).content?.message).toBe('after fuzz');
      };
      await check(emu);
      // The stored data still loads.
      await emu.close();
      emu = await startEmulator({ port: 0, dataDir: dir });
      await check(emu);
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
