// The real @azure/communication-sms SmsClient against the emulator: HMAC auth, owned numbers, the inbox.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SmsClient } from '@azure/communication-sms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { fastRetry, rawRequest } from '../support/emulatorClients.js';

const OWNED = '+14255550111';
let emu: Emulator;
let sms: SmsClient;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, phoneNumbers: [OWNED, '+14255550112'] });
  sms = new SmsClient(emu.connectionString, { ...emulatorClientOptions(emu), ...fastRetry });
});
afterAll(() => emu.close());
beforeEach(() => emu.sms.clear());

describe('SMS on the emulator', () => {
  it('lists the numbers it owns', () => {
    expect(emu.phoneNumbers).toEqual([OWNED, '+14255550112']);
  });

  it('sends from an owned number and keeps the message in the inbox', async () => {
    const results = await sms.send(
      { from: OWNED, to: ['+14255550199', '+14255550198'], message: 'Your code is 123456' },
      { enableDeliveryReport: true, tag: 'otp' },
    );
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ httpStatusCode: 202, successful: true, repeatabilityResult: 'accepted' });
      expect(result.messageId).toMatch(/^Outgoing_\d{14}[0-9a-f-]{36}_noam$/);
    }
    const inbox = emu.sms.messages({ to: '+14255550199' });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      from: OWNED,
      to: '+14255550199',
      message: 'Your code is 123456',
      tag: 'otp',
      enableDeliveryReport: true,
      messageId: results[0]?.messageId,
    });
    expect(emu.sms.messages()).toHaveLength(2);
  });

  it('refuses a well-formed number it does not own with 401, as the service does, and delivers nothing', async () => {
    await expect(sms.send({ from: '+14255550177', to: ['+14255550199'], message: 'hi' })).rejects.toMatchObject({ statusCode: 401 });
    expect(emu.sms.messages()).toEqual([]);
  });

  it('refuses a malformed from with the service 400 body, and fails only the malformed recipients', async () => {
    await expect(sms.send({ from: '+1425555012345678', to: ['+14255550199'], message: 'hi' })).rejects.toMatchObject({ statusCode: 400 });
    const results = await sms.send({ from: OWNED, to: ['+14255550199', 'not a number'], message: 'hi' });
    expect(results[1]).toMatchObject({ to: 'not a number', httpStatusCode: 400, successful: false, errorMessage: 'Invalid To phone number format.' });
    expect(emu.sms.messages().map((m) => m.to)).toEqual(['+14255550199']);
  });

  it('refuses unsigned requests', async () => {
    const res = await rawRequest(emu, {
      method: 'POST',
      path: '/sms?api-version=2021-03-07',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: OWNED, smsRecipients: [{ to: '+14255550199' }], message: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(emu.sms.messages()).toEqual([]);
  });

  it('delivers a retried send (same repeatabilityRequestId) once', async () => {
    const body = JSON.stringify({
      from: OWNED,
      smsRecipients: [{ to: '+14255550199', repeatabilityRequestId: 'r-1', repeatabilityFirstSent: new Date().toUTCString() }],
      message: 'once',
    });
    const { signHmacRequest } = await import('../../src/emulator/auth/hmac.js');
    const accessKey = /accesskey=(.+)$/.exec(emu.connectionString)?.[1] ?? '';
    const url = `https://127.0.0.1:${emu.port}/sms?api-version=2021-03-07`;
    const first = await rawRequest(emu, {
      method: 'POST',
      path: '/sms?api-version=2021-03-07',
      headers: { ...signHmacRequest({ method: 'POST', url, body }, accessKey), 'content-type': 'application/json' },
      body,
    });
    const second = await rawRequest(emu, {
      method: 'POST',
      path: '/sms?api-version=2021-03-07',
      headers: { ...signHmacRequest({ method: 'POST', url, body }, accessKey), 'content-type': 'application/json' },
      body,
    });
    expect(first.status).toBe(202);
    expect((second.json as { value: { messageId: string }[] }).value[0]?.messageId).toBe(
      (first.json as { value: { messageId: string }[] }).value[0]?.messageId,
    );
    expect(emu.sms.messages()).toHaveLength(1);
  });

  it('serves the inbox on the admin route to holders of the access key', async () => {
    await sms.send({ from: OWNED, to: ['+14255550199'], message: 'admin view' });
    const accessKey = /accesskey=(.+)$/.exec(emu.connectionString)?.[1] ?? '';
    expect((await rawRequest(emu, { path: '/_emulator/sms' })).status).toBe(401);
    const listed = await rawRequest(emu, { path: '/_emulator/sms?to=%2B14255550199', headers: { 'x-emulator-key': accessKey } });
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ value: [{ from: OWNED, to: '+14255550199', message: 'admin view' }] });
    expect(typeof (listed.json as { value: { sentOn: unknown }[] }).value[0]?.sentOn).toBe('string');
    expect((await rawRequest(emu, { method: 'DELETE', path: '/_emulator/sms', headers: { 'x-emulator-key': accessKey } })).status).toBe(204);
    expect(emu.sms.messages()).toEqual([]);
  });

  it('refuses phoneNumbers that are not E.164', async () => {
    await expect(startEmulator({ phoneNumbers: ['4255550100'] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('the CLI', () => {
  it('owns the numbers given with --phone-number and lists them', async () => {
    const cli = resolve(import.meta.dirname, '../../dist/cli.js');
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does it)');
    const child = spawn(process.execPath, [cli, 'emulator', '--port', '0', '--phone-number', '+14255550133', '--phone-number', '+14255550134'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const out = await new Promise<string>((resolveOut, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`CLI did not start: ${text}`)), 10_000);
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (/SMS numbers:.*\n/.test(text) && /certificate:\s+\S+/.test(text)) {
            clearTimeout(timer);
            resolveOut(text);
          }
        });
      });
      expect(out).toContain('SMS numbers:       +14255550133, +14255550134');
      const connectionString = /connection string:\s+(\S+)/.exec(out)?.[1] ?? '';
      const ca = readFileSync(/certificate:\s+(\S+)/.exec(out)?.[1] ?? '', 'utf8');
      const client = new SmsClient(connectionString, { tlsOptions: { ca } });
      await expect(client.send({ from: '+14255550134', to: ['+14255550199'], message: 'from the CLI' })).resolves.toMatchObject([{ successful: true }]);
      await expect(client.send({ from: '+14255550100', to: ['+14255550199'], message: 'not owned here' })).rejects.toMatchObject({ statusCode: 401 });
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
