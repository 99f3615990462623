import { afterEach, describe, expect, it } from 'vitest';
import { createCallData } from '../../../src/data/call-data.js';
import { encodeChunk, topicId } from '../../../src/data/frame.js';
import type { IncomingFile } from '../../../src/data/incoming-file.js';
import { createMemoryNetwork } from '../../../src/data/memory-transport.js';
import { closeAll, closeLater, pattern, settle } from './support.js';

afterEach(() => {
  closeAll();
});

function trio() {
  const network = createMemoryNetwork({ maxMessageSize: 256, latencyMs: 1 });
  const transports = ['8:acs:a', '8:acs:b', '8:acs:c'].map((id) => network.connect(id));
  const [a, b, c] = transports.map((transport) => createCallData(transport));
  closeLater(a!, b!, c!);
  return { a: a!, b: b!, c: c!, network, transports };
}

describe('a participant leaving the call', () => {
  it('fails requests waiting on it with PARTICIPANT_LEFT, not after the timeout', async () => {
    const { a, b, c } = trio();
    b.handle('never', () => new Promise(() => undefined));
    c.handle('never', () => new Promise(() => undefined));
    const toB = a.request('never', {}, { to: '8:acs:b', timeoutMs: 60_000 });
    const toC = a.request('never', {}, { to: '8:acs:c', timeoutMs: 60_000 }).catch((e: unknown) => e);
    await settle();
    b.close();
    await expect(toB).rejects.toMatchObject({ code: 'PARTICIPANT_LEFT' });
    expect(a.pendingWork.requests).toBe(1); // the request to c still waits
    c.close();
    expect(await toC).toMatchObject({ code: 'PARTICIPANT_LEFT' });
  });

  it('fails files coming from it and stops files going only to it', async () => {
    const { a, b } = trio();
    const incoming = new Promise<IncomingFile>((resolve) => b.on('incomingFile', ({ file }) => resolve(file)));
    async function* slow() {
      for (let i = 0; i < 1_000; i++) {
        yield pattern(200, i);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const sending = a.sendFile(slow(), { name: 'slow', to: '8:acs:b' }).catch((e: unknown) => e);
    const file = await incoming;
    const reading = file.bytes().catch((e: unknown) => e);
    a.close();
    expect(await reading).toMatchObject({ code: 'PARTICIPANT_LEFT' });
    expect(await sending).toMatchObject({ code: 'DISPOSED' });
    expect(b.pendingWork.transfers).toBe(0);

    const { a: a2, c: c2, b: b2 } = trio();
    c2.on('incomingFile', () => undefined);
    const toC = a2.sendFile(slow(), { name: 'slow', to: '8:acs:c' });
    await settle(3);
    c2.close();
    b2.close();
    await expect(toC).rejects.toMatchObject({ code: 'PARTICIPANT_LEFT' });
  });

  it('drops what it had half sent', () => {
    const { a, b, transports } = trio();
    b.channel('t');
    transports[1]!.deliverRaw(encodeChunk(topicId('t'), 0, 0, 2, 20, pattern(10)), { from: '8:acs:a' });
    expect(b.pendingWork.partialMessages).toBe(1);
    a.close();
    expect(b.pendingWork.partialMessages).toBe(0);
  });
});
