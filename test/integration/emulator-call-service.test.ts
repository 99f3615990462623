import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CALL_SERVICE_PATH } from '../../src/calling/local/protocol.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { identityClient, rawRequest } from '../support/emulatorClients.js';
import { seededRandom } from '../support/random.js';

// The call service as a hostile or sloppy client sees it: raw sockets, no SDK.
let emu: Emulator;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  emu = await startEmulator();
  identity = identityClient(emu);
});
afterAll(async () => {
  await emu.close();
});

function connect(): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${emu.port}${CALL_SERVICE_PATH}`, { ca: emu.certificate });
    const messages: unknown[] = [];
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('message', (data, isBinary) => messages.push(isBinary ? data : JSON.parse(String(data))));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('error', reject);
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('the call service', () => {
  it('closes with 4400 when the first frame is not a hello, and 4401 for a forged token', async () => {
    const garbage = await connect();
    garbage.ws.send('{"op":"join"}');
    expect(await garbage.closed).toBe(4400);
    const forged = await connect();
    const { token } = await identity.createUserAndToken(['voip']);
    forged.ws.send(JSON.stringify({ op: 'hello', token: token.slice(0, -4) + 'AAAA' }));
    expect(await forged.closed).toBe(4401);
  });

  it('answers malformed requests with an error result and ignores random binary frames, staying open', async () => {
    const { token } = await identity.createUserAndToken(['voip']);
    const client = await connect();
    client.ws.send(JSON.stringify({ op: 'hello', token }));
    await until(() => client.messages.length === 1);
    expect(client.messages[0]).toMatchObject({ ev: 'welcome', maxMessageSize: 32_768 });
    const random = seededRandom(9);
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(Math.floor(random() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      client.ws.send(bytes);
    }
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ op: 'mute', req: 1 }));
    client.ws.send(JSON.stringify({ op: 'start', req: 2, targets: 'everyone' }));
    client.ws.send(JSON.stringify({ op: 'join', req: 3, kind: 'group', id: '' }));
    client.ws.send(JSON.stringify({ op: 'accept', req: 4, callId: 'nope' }));
    client.ws.send(JSON.stringify({ op: 'teleport', req: 5, callId: 'x' }));
    await until(() => client.messages.length === 7);
    expect(client.messages.slice(1)).toEqual([
      { ev: 'result', req: -1, error: { code: 'InvalidArgument', message: 'The message is not valid JSON.' } },
      { ev: 'result', req: 1, error: { code: 'InvalidArgument', message: 'callId is required.' } },
      { ev: 'result', req: 2, error: { code: 'InvalidArgument', message: 'targets must be raw ids.' } },
      { ev: 'result', req: 3, error: expect.objectContaining({ code: 'InvalidArgument' }) },
      { ev: 'result', req: 4, error: expect.objectContaining({ code: 'NotFound' }) },
      { ev: 'result', req: 5, error: { code: 'InvalidArgument', message: 'Unknown operation.' } },
    ]);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
    await client.closed;
  });

  it('refuses phone actions without the access key, and for a phone that is not ringing', async () => {
    const denied = await rawRequest(emu, { method: 'POST', path: '/_emulator/phones/%2B15551234567/:answer' });
    expect(denied.status).toBe(401);
    const key = emu.connectionString.split('accesskey=')[1] ?? '';
    const idle = await rawRequest(emu, { method: 'POST', path: '/_emulator/phones/%2B15551234567/:answer', headers: { 'x-emulator-key': key } });
    expect(idle.status).toBe(404);
    const list = await rawRequest(emu, { path: '/_emulator/phones', headers: { 'x-emulator-key': key } });
    expect(list.json).toEqual({ value: [] });
  });

  it('closes other upgrade paths', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${emu.port}/somewhere-else`, { ca: emu.certificate });
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });
});
