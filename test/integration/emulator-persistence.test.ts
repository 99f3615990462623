// Persistence: state survives a restart, and a SIGKILL in the middle of a burst of writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { chatClientFor, collect, createUsers, identityClient, rawRequest } from '../support/emulatorClients.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'acs-emu-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('restart with a data dir', () => {
  it('keeps identities, tokens, revocations, threads, messages, receipts, keys and certificate', async () => {
    const dir = dataDir();
    const first = await startEmulator({ port: 0, dataDir: dir });
    const [ada, bob] = await createUsers(first, 2);
    const { chatThread } = await ada!.chat.createChatThread({ topic: 'durable' }, { participants: [{ id: bob!.user }] });
    const thread = ada!.chat.getChatThreadClient(chatThread!.id);
    for (let i = 0; i < 5; i++) await thread.sendMessage({ content: `m${i}` });
    const { id: edited } = await thread.sendMessage({ content: 'to edit' });
    await thread.updateMessage(edited, { content: 'edited' });
    await bob!.chat.getChatThreadClient(chatThread!.id).sendReadReceipt({ chatMessageId: edited });
    const [revoked] = await createUsers(first, 1);
    await identityClient(first).revokeTokens(revoked!.user);
    const before = await collect(thread.listMessages());
    const key = first.connectionString.split('accesskey=')[1];
    const cert = first.certificate;
    await first.close();

    const second = await startEmulator({ port: 0, dataDir: dir });
    try {
      expect(second.connectionString.split('accesskey=')[1]).toBe(key);
      expect(second.certificate).toBe(cert);
      expect(second.resourceId).toBe(first.resourceId);
      // The old token still verifies: same signing secret, same identities.
      const again = chatClientFor(second, ada!.token).getChatThreadClient(chatThread!.id);
      const after = await collect(again.listMessages());
      expect(after).toEqual(before);
      expect((await again.getMessage(edited)).editedOn).toBeInstanceOf(Date);
      expect((await collect(again.listReadReceipts()))[0]?.chatMessageId).toBe(edited);
      await expect(chatClientFor(second, revoked!.token).listChatThreads().next()).rejects.toMatchObject({ statusCode: 401 });
      // New ids keep increasing past the persisted ones.
      const { id: next } = await again.sendMessage({ content: 'after restart' });
      expect(Number(next)).toBeGreaterThan(Number(before[0]!.id));
    } finally {
      await second.close();
    }
  });

  it('refuses a data dir another live emulator holds, and takes over a stale lock', async () => {
    const dir = dataDir();
    const first = await startEmulator({ port: 0, dataDir: dir });
    try {
      const [ada] = await createUsers(first, 1);
      await expect(startEmulator({ port: 0, dataDir: dir })).rejects.toMatchObject({
        code: 'INVALID_OPTIONS',
        message: expect.stringContaining(`pid ${process.pid}`),
      });
      await expect(startEmulator({ port: 0, dataDir: dir })).rejects.toThrow(dir);
      // The refused start did not touch the first one's journal: its writes still land.
      const { chatThread } = await ada!.chat.createChatThread({ topic: 'still mine' });
      await first.close();
      const second = await startEmulator({ port: 0, dataDir: dir });
      try {
        await expect(chatClientFor(second, ada!.token).getChatThreadClient(chatThread!.id).getProperties()).resolves.toHaveProperty('topic', 'still mine');
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
    // A lock left by a dead process (pid of an exited child) is stale and taken over.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dir, 'lock'), `${dead.pid}\n`);
    const third = await startEmulator({ port: 0, dataDir: dir });
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    await third.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('close() cancels fault delays: no timer outlives it and the delayed request is dropped', async () => {
    const dir = dataDir();
    const errors: unknown[] = [];
    const emu = await startEmulator({ port: 0, dataDir: dir, onError: (e) => errors.push(e) });
    const [ada] = await createUsers(emu, 1);
    const { chatThread } = await ada!.chat.createChatThread({ topic: 'slow' });
    // Watch the one timer that matters, the 10-minute delay, rather than counting every timer in
    // the process (other work running at the same time made that count flaky).
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    try {
      emu.faults.inject({ method: 'POST', path: '/chat/threads/*/messages', delayMs: 600_000 });
      const path = `/chat/threads/${encodeURIComponent(chatThread!.id)}/messages?api-version=2025-03-15`;
      const headers = { authorization: `Bearer ${ada!.token}`, 'content-type': 'application/json' };
      const pending = rawRequest(emu, { method: 'POST', path, headers, body: '{"content":"after close"}' }).then(
        (res) => res.status,
        () => 'dropped',
      );
      while (emu.faults.pending > 0) await new Promise((r) => setTimeout(r, 5));
      const delays = setTimeoutSpy.mock.calls.flatMap((call, i) => (call[1] === 600_000 ? [setTimeoutSpy.mock.results[i]?.value as unknown] : []));
      expect(delays).toHaveLength(1);
      const delay = delays[0];
      expect(clearTimeoutSpy.mock.calls.some((call) => call[0] === delay)).toBe(false);
      await emu.close();
      expect(await pending).toBe('dropped');
      // The delay timer is gone: it would keep the process alive and then run the handler.
      expect(clearTimeoutSpy.mock.calls.some((call) => call[0] === delay)).toBe(true);
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
    expect(errors).toEqual([]);
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).not.toContain('after close');
  });

  it('close() resolves promptly and releases the dir while a client is stuck before the TLS handshake', async () => {
    const dir = dataDir();
    const emu = await startEmulator({ port: 0, dataDir: dir });
    const { connect } = await import('node:net');
    const socket = connect(emu.port, '127.0.0.1'); // TCP only: never sends a ClientHello
    socket.on('error', () => undefined);
    try {
      await new Promise((r) => socket.once('connect', r));
      const closed = emu.close().then(() => 'closed');
      const timeout = new Promise<string>((r) => setTimeout(() => r('still closing after 3 s'), 3_000).unref());
      expect(await Promise.race([closed, timeout])).toBe('closed');
      expect(existsSync(join(dir, 'lock'))).toBe(false);
    } finally {
      socket.destroy();
    }
  });

  it('serves a certificate that covers a non-loopback-name host, regenerating a stored one that does not', async () => {
    const dir = dataDir();
    const first = await startEmulator({ port: 0, dataDir: dir });
    const loopbackCert = first.certificate;
    await first.close();
    // 127.0.0.2 stands in for a LAN address: not in the default SAN list, yet bindable everywhere on Linux.
    for (const options of [{ host: '127.0.0.2', dataDir: dir }, { host: '127.0.0.2' }]) {
      const emu = await startEmulator({ port: 0, ...options });
      try {
        expect(emu.endpoint).toBe(`https://127.0.0.2:${emu.port}/`);
        const [ada] = await createUsers(emu, 1);
        await expect(ada!.chat.createChatThread({ topic: 'lan' })).resolves.toHaveProperty('chatThread.topic', 'lan');
        if (options.dataDir) {
          expect(emu.certificate).not.toBe(loopbackCert);
          expect(readFileSync(join(dir, 'cert.pem'), 'utf8')).toBe(emu.certificate);
        }
      } finally {
        await emu.close();
      }
    }
  });

  it('tolerates a torn last journal line', async () => {
    const dir = dataDir();
    const first = await startEmulator({ port: 0, dataDir: dir });
    const [ada] = await createUsers(first, 1);
    const { chatThread } = await ada!.chat.createChatThread({ topic: 'torn' });
    await first.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"t":"message","threadId":"19:x@thread.v2","message":{"id":"1');
    const second = await startEmulator({ port: 0, dataDir: dir });
    try {
      const props = await chatClientFor(second, ada!.token).getChatThreadClient(chatThread!.id).getProperties();
      expect(props.topic).toBe('torn');
      // The compaction on start dropped the torn line: every line parses again.
      for (const line of readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await second.close();
    }
  });
});

const CLI = resolve(__dirname, '../../dist/cli.js');

function startCli(args: string[]): Promise<{ child: ChildProcess; endpoint: string; connectionString: string; certificatePath: string }> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build first (npm run build) — the CLI and kill tests run the built dist/cli.js`);
  }
  const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`CLI did not start: ${out}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const endpoint = /endpoint:\s+(\S+)/.exec(out)?.[1];
      const connectionString = /connection string:\s+(\S+)/.exec(out)?.[1];
      const certificatePath = /certificate:\s+(\S+)/.exec(out)?.[1];
      if (endpoint && connectionString && certificatePath) {
        clearTimeout(timer);
        resolvePromise({ child, endpoint, connectionString, certificatePath });
      }
    });
    child.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
  });
}

describe('several emulators starting at once on a data dir with a stale lock', () => {
  // Each child waits for a common start instant, then starts an emulator on the dir and keeps it
  // up until every child has decided, so a second "winner" cannot hide behind a released lock.
  const CHILD = `
    const { startEmulator } = await import(process.argv[1]);
    const [dir, at] = [process.argv[2], Number(process.argv[3])];
    while (Date.now() < at) {}
    try {
      const emu = await startEmulator({ port: 0, dataDir: dir });
      console.log('STARTED');
      await new Promise((r) => setTimeout(r, 2500));
      await emu.close();
    } catch (e) {
      console.log('REFUSED ' + e.code);
    }`;
  const EMULATOR = resolve(__dirname, '../../dist/emulator.js');

  it('lets exactly one of them take it over', async () => {
    expect(existsSync(EMULATOR), 'build first (npm run build)').toBe(true);
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    for (let trial = 0; trial < 3; trial++) {
      const dir = dataDir();
      writeFileSync(join(dir, 'lock'), `${dead.pid}\n`);
      const at = Date.now() + 1_500;
      const outputs = await Promise.all(
        Array.from(
          { length: 5 },
          () =>
            new Promise<string>((r) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(EMULATOR).href, dir, String(at)], {
                stdio: ['ignore', 'pipe', 'inherit'],
              });
              let out = '';
              child.stdout.on('data', (c: Buffer) => (out += c.toString()));
              child.on('exit', () => r(out.trim()));
            }),
        ),
      );
      expect(
        outputs.filter((o) => o === 'STARTED'),
        `trial ${trial}: ${outputs.join(', ')}`,
      ).toHaveLength(1);
      expect(outputs.filter((o) => o === 'REFUSED INVALID_OPTIONS')).toHaveLength(4);
    }
  }, 30_000);
});

describe('kill -9 during a burst of writes', () => {
  it('restarts cleanly with every acknowledged message', async () => {
    const dir = dataDir();
    const { child, endpoint, connectionString } = await startCli(['--data-dir', dir]);
    const tls = { tlsOptions: { ca: readFileSync(join(dir, 'cert.pem'), 'utf8') }, retryOptions: { maxRetries: 0 } };
    const identity = new CommunicationIdentityClient(connectionString, tls);
    const { user, token } = await identity.createUserAndToken(['chat']);
    const chat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), tls);
    const { chatThread } = await chat.createChatThread({ topic: 'burst' });
    const thread = chat.getChatThreadClient(chatThread!.id);

    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < 400 && !stop; i++) {
        try {
          acknowledged.push((await thread.sendMessage({ content: `w${w}-${i}-${'x'.repeat(i % 7 === 0 ? 20_000 : 10)}` })).id);
        } catch {
          return; // the process died under us
        }
      }
    };
    let finished = 0;
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w).finally(() => finished++)));
    // Wait for a burst in flight, but never forever: if the writers die early (the CLI crashed,
    // every send failed) fail with what happened instead of spinning until the test timeout.
    const deadline = Date.now() + 10_000;
    while (acknowledged.length < 150) {
      if (finished === 8 || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`only ${acknowledged.length} of 150 messages acknowledged before ${finished === 8 ? 'every writer stopped' : 'the 10 s deadline'}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    stop = true;
    await writers;

    const emu = await startEmulator({ port: 0, dataDir: dir });
    try {
      const client = chatClientFor(emu, token).getChatThreadClient(chatThread!.id);
      const ids = new Set((await collect(client.listMessages())).map((m) => m.id));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      expect(user.communicationUserId).toContain(emu.resourceId);
      // And it keeps working.
      await expect(client.sendMessage({ content: 'alive' })).resolves.toHaveProperty('id');
    } finally {
      await emu.close();
    }
  });
});

describe('CLI', () => {
  it('prints a connection string that the real identity client can use', async () => {
    const { child, connectionString, certificatePath } = await startCli([]);
    try {
      const pem = readFileSync(certificatePath, 'utf8');
      const identity = new CommunicationIdentityClient(connectionString, { tlsOptions: { ca: pem } });
      const { user, token } = await identity.createUserAndToken(['chat']);
      expect(user.communicationUserId).toMatch(/^8:acs:/);
      expect(token.split('.')).toHaveLength(3);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('exits promptly on SIGTERM while a request waits on a 10-minute fault delay', async () => {
    const { child, endpoint, certificatePath } = await startCli(['--fault', 'GET /chat/threads=@600000']);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const { request } = await import('node:https');
      const ca = readFileSync(certificatePath, 'utf8');
      const url = new URL('chat/threads?api-version=2025-03-15', endpoint);
      const req = request(url, { ca }, (res) => res.resume());
      req.on('error', () => undefined); // the server drops it on close
      // Wait until the server has the request (TLS handshake done, request written), not for a
      // fixed time that a busy machine may not honour.
      const handshaken = new Promise<void>((r) => req.once('socket', (socket) => socket.once('secureConnect', () => r())));
      const written = new Promise<void>((r) => req.once('finish', () => r()));
      req.end();
      await Promise.all([handshaken, written]);
      child.kill('SIGTERM');
      const timeout = new Promise<string>((r) => setTimeout(() => r('still running after 5 s'), 5_000));
      expect(await Promise.race([exited, timeout])).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 2 with a clear message on unknown arguments, 0 on --help', async () => {
    const run = (args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> =>
      new Promise((r) => {
        const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let stdout = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.on('exit', (code) => r({ code, stderr, stdout }));
        // A CLI that keeps serving after a bad argument would hang the test: cut it off.
        setTimeout(() => child.kill('SIGKILL'), 5_000);
      });
    const unknown = await run(['emulator', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const badCommand = await run(['serve']);
    expect(badCommand.code).toBe(2);
    expect(badCommand.stderr).toContain('unknown command "serve"');
    const badPort = await run(['emulator', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    // Bad fault specs are refused before the server starts (it used to keep running after the error).
    for (const fault of ['/x=999', '/x=503x0']) {
      const badFault = await run(['emulator', '--port', '0', '--fault', fault]);
      expect(badFault.code, fault).toBe(2);
      expect(badFault.stderr).toContain(`bad fault "${fault}"`);
      expect(badFault.stdout).not.toContain('listening');
    }
    const badKey = await run(['emulator', '--port', '0', '--access-key', 'not base64!']);
    expect(badKey.code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--data-dir');
  });
});
