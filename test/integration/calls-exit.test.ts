import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { identityClient } from '../support/emulatorClients.js';

// Whether a script ends by itself is only seen in a real process. The emulator runs here, in the
// test; the child only has two sessions, in a ringing call, and disposes them: any socket, timer
// or listener they left behind would keep the child alive.
const root = resolve(import.meta.dirname, '../..');

it('a Node script exits by itself once its sessions (in a ringing call) are disposed', async () => {
  await using emu = await startEmulator({ calling: { ringTimeoutMs: 600_000 } });
  const identity = identityClient(emu);
  const [a, b] = [await identity.createUserAndToken(['voip']), await identity.createUserAndToken(['voip'])];
  const dir = join(root, '.tmp', 'calls-exit');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'script.mjs');
  writeFileSync(
    script,
    `import { createSession } from ${JSON.stringify(join(root, 'dist', 'index.js'))};
const { ENDPOINT, CA, TOKEN_A, TOKEN_B, USER_B } = process.env;
const open = (token) => createSession({ endpoint: ENDPOINT, token, calling: { tlsOptions: { ca: CA } } });
const ada = await open(TOKEN_A);
const grace = await open(TOKEN_B);
await grace.calls.connect();
const ringing = grace.waitFor('incomingCall', { timeoutMs: 5_000 });
await ada.calls.start([USER_B]);
await ringing;
await ada.dispose();
await grace.dispose();
console.log('done');
`,
  );
  const env = { ...process.env, ENDPOINT: emu.endpoint, CA: emu.certificate, TOKEN_A: a.token, TOKEN_B: b.token, USER_B: b.user.communicationUserId };
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (exitCode) => {
      clearTimeout(killer);
      done({ code: exitCode, stdout: out, stderr: err });
    });
  });
  expect(stderr).toBe('');
  expect(stdout.trim()).toBe('done');
  expect(code).toBe(0);
  expect(Date.now() - started).toBeLessThan(14_000);
  expect(emu.activeCallCount).toBe(0);
}, 25_000);
