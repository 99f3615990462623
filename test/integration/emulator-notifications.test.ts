// The notification service's HTTP side in Node (the socket itself is exercised by the browser suite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { rawRequest } from '../support/emulatorClients.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const accessKey = (): string => /accesskey=([^;]+)/.exec(emu.connectionString)?.[1] ?? '';

describe('emulator notification service', () => {
  it('answers the realtime config with itself, for a chat token only', async () => {
    const { token } = emu.issueToken(emu.createUser(), ['chat']);
    const ok = await rawRequest(emu, { path: '//chat/config/realTimeNotifications?api-version=2024-09-01', headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const origin = emu.endpoint.replace(/\/$/, '');
    expect(ok.json).toEqual({ trouterServiceUrl: origin, registrarServiceUrl: origin, cloudType: 'public' });
    const denied = await rawRequest(emu, { path: '/chat/config/realTimeNotifications?api-version=2024-09-01' });
    expect(denied.status).toBe(401);
  });

  it('the admin fault refuses allocations until the service is available again', async () => {
    const { token } = emu.issueToken(emu.createUser(), ['chat']);
    const allocate = () => rawRequest(emu, { method: 'POST', path: '/v4/a', headers: { 'x-skypetoken': token } });
    expect((await allocate()).status).toBe(200);
    const cut = await rawRequest(emu, {
      method: 'POST',
      path: '/_emulator/notifications',
      headers: { 'x-emulator-key': accessKey(), 'content-type': 'application/json' },
      body: JSON.stringify({ available: false }),
    });
    expect(cut.status).toBe(200);
    expect((await allocate()).status).toBe(503);
    const withoutKey = await rawRequest(emu, { method: 'POST', path: '/_emulator/notifications', body: JSON.stringify({ available: true }) });
    expect(withoutKey.status).toBe(401);
    emu.notifications.setAvailable(true);
    expect((await allocate()).status).toBe(200);
  });
  it('refuses an expired token: the allocation and the handshake of a reconnect answer 401', async () => {
    const own = await startEmulator();
    try {
      const { token } = own.issueToken(own.createUser(), ['chat'], { expiresInMinutes: 60 });
      const allocate = () => rawRequest(own, { method: 'POST', path: '/v4/a', headers: { 'x-skypetoken': token } });
      const allocated = await allocate();
      expect(allocated.status).toBe(200);
      const { sr } = (allocated.json as { connectparams: { sr: string } }).connectparams;
      const handshake = () => rawRequest(own, { path: `/socket.io/1/?sr=${encodeURIComponent(sr)}` });
      expect((await handshake()).status).toBe(200);
      own.advanceClock(61 * 60_000);
      expect((await allocate()).status).toBe(401);
      expect((await handshake()).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});
