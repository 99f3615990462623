import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../support/emulatorClients.js';
import type { ChatRunInput } from './pages/chat-page.js';
import { type BrowserFixture, startBrowserFixture, withTimeout } from './support/browser-fixture.js';

// The browser build of the real ChatClient, in headless Chromium, on a page served from
// http://localhost, against the emulator on https://127.0.0.1: every request is cross-origin, so
// this proves the emulator's CORS (preflight, credentials, exposed headers) as a browser sees it.
let fx: BrowserFixture;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['chat-page.ts'] });
  identity = identityClient(fx.emu);
}, 60_000);

afterAll(() => fx?.close());

describe('the browser ChatClient against the emulator', () => {
  it('runs chat operations cross-origin and can read the exposed response headers', async () => {
    const { user, token } = await identity.createUserAndToken(['chat']);
    const { page, diagnostics, failures } = await fx.newPage();

    const input: ChatRunInput = { endpoint: fx.emu.endpoint, token, userId: user.communicationUserId };
    const result = await withTimeout(
      page.evaluate((args) => {
        if (!globalThis.runChat) throw new Error('the page did not define runChat');
        return globalThis.runChat(args);
      }, input),
      30_000,
      () => `runChat did not finish in 30 s:\n${diagnostics.join('\n')}`,
    );

    expect(result.threadId).toMatch(/^19:.+@thread\.v2$/);
    expect(result.topic).toBe('renamed in the browser');
    expect(result.messages).toEqual(['second', 'hello from Chromium']);
    expect(result.exposedApiVersions).toContain('2025-03-15');
    expect(result.unauthorizedStatus).toBe(401);
    expect(failures()).toEqual([]);
    await page.close();
  });
});
