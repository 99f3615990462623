import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { identityClient } from '../support/emulatorClients.js';
import type { ChatRunInput } from './pages/chat-page.js';
import { bundlePages } from './support/bundle.js';
import { launchChromium } from './support/chromium.js';
import { type StaticServer, serveStatic } from './support/static-server.js';

// The browser build of the real ChatClient, in headless Chromium, on a page served from
// http://localhost, against the emulator on https://127.0.0.1: every request is cross-origin, so
// this proves the emulator's CORS (preflight, credentials, exposed headers) as a browser sees it.
let emu: Emulator;
let identity: CommunicationIdentityClient;
let pages: StaticServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  const [dir, started] = await Promise.all([bundlePages(['chat-page.ts', 'session-chat-page.ts']), startEmulator()]);
  emu = started;
  identity = identityClient(emu);
  pages = await serveStatic(dir);
  browser = await launchChromium();
  // The emulator's certificate is self-signed; trusting it per context keeps the test hermetic.
  context = await browser.newContext({ ignoreHTTPSErrors: true });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await pages?.close();
  await emu?.close();
});

describe('the browser ChatClient against the emulator', () => {
  it('runs chat operations cross-origin and can read the exposed response headers', async () => {
    const { user, token } = await identity.createUserAndToken(['chat']);
    const page = await context.newPage();
    // Everything the page says or fails at, so that a failure explains itself.
    const diagnostics: string[] = [];
    page.on('requestfailed', (request) => diagnostics.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    page.on('console', (message) => diagnostics.push(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => diagnostics.push(`page error: ${error.message}`));
    await page.goto(`${pages.origin}/index.html`, { timeout: 15_000 });

    const input: ChatRunInput = { endpoint: emu.endpoint, token, userId: user.communicationUserId };
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
    expect(diagnostics.filter((line) => line.startsWith('request failed') || line.startsWith('page error'))).toEqual([]);
    await page.close();
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number, explain: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(explain())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
