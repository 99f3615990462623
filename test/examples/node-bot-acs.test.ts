import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession } from '../../src/index.js';
import { serviceFor, startTokenServer, type RunningTokenServer } from '../support/tokenServer.js';

// examples/node-bot.mjs as it runs against a real ACS resource (ACS_ENDPOINT + ACS_TOKEN_URL): here
// the emulator plays the resource and acs-session/server the app's token service, both on loopback.
// The bot's process trusts the emulator's certificate the way any Node process can, with
// NODE_EXTRA_CA_CERTS (in that mode the example passes no emulator options).
const root = resolve(import.meta.dirname, '../..');
let emu: Emulator;
let tokens: RunningTokenServer;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const bots = new Map([['Bearer bot-secret', 'echo-bot']]);
  tokens = await startTokenServer(serviceFor(emu, { authenticate: (request) => bots.get(request.headers.get('authorization') ?? '') ?? null }));
  dir = mkdtempSync(join(tmpdir(), 'acs-bot-'));
  writeFileSync(join(dir, 'emulator.pem'), emu.certificate);
});
afterAll(async () => {
  await tokens?.close();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('examples/node-bot.mjs on an ACS endpoint with a token service', () => {
  it('gets its token through fetchToken, answers a person in a thread it was added to, and stops on SIGINT', async () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
    const bot = spawn(process.execPath, [join('examples', 'node-bot.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        ACS_ENDPOINT: emu.endpoint,
        ACS_TOKEN_URL: tokens.url,
        ACS_TOKEN_AUTHORIZATION: 'Bearer bot-secret',
        NODE_EXTRA_CA_CERTS: join(dir, 'emulator.pem'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    bot.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    bot.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolveExit) => bot.once('exit', (code, signal) => resolveExit([code, signal])));
    try {
      const botId = await new Promise<string>((resolveId, reject) => {
        const check = () => {
          const match = /running as (8:acs:\S+);/.exec(stdout);
          if (match?.[1]) resolveId(match[1]);
        };
        bot.stdout.on('data', check);
        void exited.then(() => reject(new Error(`the bot exited early:\n${stdout}\n${stderr}`)));
      });

      const user = emu.createUser();
      const ada = await createSession({
        endpoint: emu.endpoint,
        token: async () => emu.issueToken(user, ['chat']),
        displayName: 'Ada',
        clientOptions: emulatorClientOptions(emu),
        chat: { realtime: 'poll', pollIntervalMs: 100 },
      });
      try {
        const fromBot = (text: string) => ada.waitFor('messageReceived', { filter: (e) => !e.message.isOwn && e.message.content === text, timeoutMs: 15_000 });
        const greeted = fromBot('Hi, I am Echo bot. Say anything and I echo it back.');
        const thread = await ada.chat.createThread({ topic: 'Ask the bot', participants: [{ id: botId, displayName: 'Echo bot' }] });
        const greeting = await greeted;
        expect(greeting.message.sender?.rawId).toBe(botId);
        const echoed = fromBot('echo: is anyone there?');
        await thread.send('is anyone there?');
        await echoed;
      } finally {
        await ada.dispose();
      }

      bot.kill('SIGINT');
      const [code, signal] = await exited;
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(stdout).toMatch(/bot: added to "Ask the bot"/);
      expect(stdout).toMatch(/bot: heard "is anyone there\?" from Ada/);
    } finally {
      if (bot.exitCode === null && bot.signalCode === null) bot.kill('SIGKILL');
    }
  }, 45_000);
});
