import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../support/emulatorClients.js';
import type { CallDataPageInput, CallDataPageResult } from './pages/call-data-page.js';
import { type BrowserFixture, startBrowserFixture } from './support/browser-fixture.js';

// call.data between two Chromium pages: a 1:1 call on the local provider through the emulator's call
// service, 1 000 ordered messages, an RPC and a 1 MB file with progress on both sides.
let fx: BrowserFixture;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['call-data-page.ts'] });
  identity = identityClient(fx.emu);
}, 60_000);

afterAll(() => fx?.close());

const run = (page: Page, input: CallDataPageInput) =>
  page.evaluate((args) => (globalThis as { runCallData?: (a: CallDataPageInput) => Promise<CallDataPageResult> }).runCallData?.(args), input);

describe('call.data in Chromium', () => {
  it('two pages in a call: 1 000 messages in order, an RPC, and a 1 MB file with progress on both sides', async () => {
    const [ada, grace] = await Promise.all([identity.createUserAndToken(['voip']), identity.createUserAndToken(['voip'])]);
    const [callerTab, calleeTab] = await Promise.all([fx.newPage({ name: 'caller' }), fx.newPage({ name: 'callee' })]);
    const calleeRun = run(calleeTab.page, { endpoint: fx.emu.endpoint, token: grace.token, role: 'callee', peerId: ada.user.communicationUserId });
    // A session rings once it is connected to the call service: the callee page says when.
    await calleeTab.page.waitForFunction(() => (globalThis as { calleeReady?: boolean }).calleeReady === true, undefined, { timeout: 20_000 });
    const [callee, caller] = await Promise.all([
      calleeRun,
      run(callerTab.page, { endpoint: fx.emu.endpoint, token: ada.token, role: 'caller', peerId: grace.user.communicationUserId }),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${[...callerTab.diagnostics, ...calleeTab.diagnostics].join('\n')}`);
    });
    expect(callee?.counter).toEqual([...Array(1_000).keys()]);
    expect(caller?.sum).toBe(6);
    expect(callee?.file?.size).toBe(1024 * 1024);
    expect(callee?.file?.checksum).toBe(caller?.file?.checksum);
    expect(callee?.file?.type).toBe('application/octet-stream'); // the Blob's type, carried in the offer
    for (const progress of [caller?.file?.progress ?? [], callee?.file?.progress ?? []]) {
      expect(progress.length).toBeGreaterThan(10);
      expect(progress.every((n, i) => i === 0 || n > progress[i - 1]!)).toBe(true);
      expect(progress.at(-1)).toBe(1024 * 1024);
    }
    expect(caller?.endReason).toBe('endedForEveryone');
    expect([...callerTab.failures(), ...calleeTab.failures()]).toEqual([]);
    await Promise.all([callerTab.page.close(), calleeTab.page.close()]);
  }, 90_000);
});
