// The two halves together: createSession({ token: fetchToken(url) }) against acs-session/server on
// the emulator, and a sweep of every log line and HTTP response of those flows for secrets.
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { ChatClient } from '@azure/communication-chat';
import { AzureLogger, getLogLevel, setLogLevel, type AzureLogLevel } from '@azure/logger';
import type * as azureLogger from '@azure/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession, fetchToken, isSessionError } from '../../src/index.js';
import { fastRetry } from '../support/emulatorClients.js';
import { serviceFor, startTokenServer, type RunningTokenServer } from '../support/tokenServer.js';

let emu: Emulator;
let server: RunningTokenServer;
const reasons: string[] = [];
const logLines: string[] = [];
const responses: string[] = [];
let savedLevel: AzureLogLevel | undefined;
// @azure/communication-identity is CommonJS only, so it logs through the CommonJS copy of
// @azure/logger, a module instance apart from the ESM one: capture both.
const cjsLogger = createRequire(import.meta.url)('@azure/logger') as typeof azureLogger;
const loggers = [{ AzureLogger, setLogLevel }, cjsLogger];
const savedLogs = loggers.map((l) => l.AzureLogger.log);

beforeAll(async () => {
  savedLevel = getLogLevel();
  for (const logger of loggers) {
    logger.AzureLogger.log = (...args: unknown[]) => logLines.push(format(...args));
    logger.setLogLevel('verbose');
  }
  emu = await startEmulator({ port: 0 });
  server = await startTokenServer(
    serviceFor(emu, {
      rateLimit: { limit: 4, windowMs: 60_000 },
      // Also records the reason each request carried (on a clone: the handler reads the body too).
      authenticate: async (request) => {
        if (request.method === 'POST') reasons.push(((await request.clone().json()) as { reason: string }).reason);
        return request.headers.get('x-app-user');
      },
    }),
  );
});
afterAll(async () => {
  await server.close();
  await emu.close();
  loggers.forEach((logger, i) => {
    logger.AzureLogger.log = savedLogs[i] ?? logger.AzureLogger.log;
    logger.setLogLevel(savedLevel);
  });
});

/** fetch that keeps every response's status line, headers and body for the secret sweep. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const body = await response.clone().text();
  responses.push(`${response.status} ${JSON.stringify([...response.headers])} ${body}`);
  return response;
};

describe('createSession with fetchToken and the token service', () => {
  it('gets its token from the service, chats, and goes back to the service on a forced refresh', async () => {
    reasons.length = 0;
    const token = fetchToken(server.url, { headers: { 'x-app-user': 'ada' }, fetch: recordingFetch });
    await using session = await createSession({ endpoint: emu.endpoint, token });
    expect(session.state).toBe('connected');
    expect(reasons).toEqual(['initial']);
    expect(session.user.rawId).toBe((await server.service.issue('ada')).user.communicationUserId);

    const chat = new ChatClient(session.endpoint, session.tokens.credential, { ...emulatorClientOptions(emu), ...fastRetry });
    const { chatThread } = await chat.createChatThread(
      { topic: 'tokens from the service' },
      { participants: [{ id: { communicationUserId: session.user.communicationUserId } }] },
    );
    const thread = chat.getChatThreadClient(chatThread?.id ?? '');
    await thread.sendMessage({ content: 'hello' });

    await server.service.revoke('ada');
    await expect(thread.getProperties()).rejects.toMatchObject({ statusCode: 401 });
    const before = session.tokens.current?.token;
    await session.tokens.forceRefresh('rejected');
    expect(reasons).toEqual(['initial', 'rejected']);
    expect(session.tokens.current?.token).not.toBe(before);
    await thread.getProperties().catch(() => undefined); // the pipeline picks up the new token in the background
    await expect(thread.getProperties()).resolves.toMatchObject({ topic: 'tokens from the service' });
  });

  it('fails with a clear SessionError when the service refuses', async () => {
    const fetcher = fetchToken(server.url, { fetch: recordingFetch }); // no app credentials
    const error = await Promise.resolve(fetcher({ signal: new AbortController().signal, reason: 'initial' })).catch((e: unknown) => e);
    expect(isSessionError(error, 'TOKEN_FETCH_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 401, retryable: false, message: expect.stringContaining('401 UNAUTHORIZED') });
  });

  it('reports 429 with retryAfterMs', async () => {
    const fetcher = fetchToken(server.url, { headers: { 'x-app-user': 'burst' }, fetch: recordingFetch });
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(await Promise.resolve(fetcher({ signal: new AbortController().signal, reason: 'proactive' })).catch((e: unknown) => e));
    expect(results.at(-1)).toMatchObject({ code: 'TOKEN_FETCH_FAILED', status: 429, retryable: true, retryAfterMs: expect.any(Number) });
  });

  it('honours the signal', async () => {
    const controller = new AbortController();
    const fetcher = fetchToken(server.url, { headers: { 'x-app-user': 'aborted' } });
    const pending = Promise.resolve(fetcher({ signal: controller.signal, reason: 'initial' }));
    controller.abort(new Error('disposed'));
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('leaks no secret into a log line or a response, across every flow above and an ACS failure', async () => {
    // An ACS failure too: a service with the wrong key, whose errors are logged.
    const wrongKey = emu.connectionString.replace(/accesskey=.+$/, `accesskey=${Buffer.from('wrong key').toString('base64')}`);
    const failing = serviceFor(emu, { connectionString: wrongKey });
    const failed = await failing.fetchHandler(new Request('http://localhost/api/token', { method: 'POST', headers: { 'x-app-user': 'ada' } }));
    responses.push(`${failed.status} ${JSON.stringify([...failed.headers])} ${await failed.text()}`);
    const bob = await fetchToken(server.url, { headers: { 'x-app-user': 'bob' }, fetch: recordingFetch })({
      signal: new AbortController().signal,
      reason: 'initial',
    });
    const bobToken = typeof bob === 'string' ? bob : bob.token;

    const accessKey = /accesskey=(.+)$/.exec(emu.connectionString)?.[1] ?? 'missing';
    // The identity client's request logs and the service's own lines.
    expect(logLines.some((line) => line.includes('communication-identity'))).toBe(true);
    expect(logLines.some((line) => line.includes('acs-session'))).toBe(true);
    expect(responses.length).toBeGreaterThan(1);
    for (const text of [...logLines, ...responses]) {
      expect(text).not.toContain(accessKey);
      expect(text).not.toContain(emu.connectionString);
      expect(text).not.toContain('wrong key');
      expect(text).not.toContain(Buffer.from('wrong key').toString('base64'));
    }
    // No token in any log line; in responses, a user's token only in that user's own answer.
    const tokens = responses.flatMap((r) => [...r.matchAll(/"token":"([^"]+)"/g)].map((m) => m[1] ?? ''));
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of [...tokens, bobToken]) for (const line of logLines) expect(line).not.toContain(token);
    expect(responses.filter((r) => r.includes(bobToken))).toHaveLength(1);
  });
});
