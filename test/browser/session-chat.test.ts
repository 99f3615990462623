import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { identityClient } from '../support/emulatorClients.js';
import type { SessionChatInput, SessionChatResult } from './pages/session-chat-page.js';
import { bundlePages } from './support/bundle.js';
import { launchChromium } from './support/chromium.js';
import { type StaticServer, serveStatic } from './support/static-server.js';

// session.chat bundled for the browser: two pages (two users) on the emulator, polling, a message
// each way. Pages are served from http://localhost and the emulator is https://127.0.0.1, so every
// request is cross-origin, as in an app.
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
  context = await browser.newContext({ ignoreHTTPSErrors: true });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await pages?.close();
  await emu?.close();
});

async function openPage(diagnostics: string[], name: string): Promise<Page> {
  const page = await context.newPage();
  page.on('requestfailed', (request) => diagnostics.push(`${name}: request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on('console', (message) => diagnostics.push(`${name}: console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => diagnostics.push(`${name}: page error: ${error.message}`));
  await page.goto(`${pages.origin}/index.html`, { timeout: 15_000 });
  return page;
}

const run = (page: Page, input: SessionChatInput) =>
  page.evaluate((args) => (globalThis as { runSessionChat?: (a: SessionChatInput) => Promise<SessionChatResult> }).runSessionChat?.(args), input);

describe('session.chat in Chromium', () => {
  it('two pages chat through two sessions: the added page hears threadCreated, and a message goes each way', async () => {
    const starter = await identity.createUserAndToken(['chat']);
    const answerer = await identity.createUserAndToken(['chat']);
    const diagnostics: string[] = [];
    const [starterPage, answererPage] = await Promise.all([openPage(diagnostics, 'starter'), openPage(diagnostics, 'answerer')]);
    const [a, b] = await Promise.all([
      run(answererPage, { endpoint: emu.endpoint, token: answerer.token, role: 'answerer', peerId: starter.user.communicationUserId }),
      run(starterPage, { endpoint: emu.endpoint, token: starter.token, role: 'starter', peerId: answerer.user.communicationUserId }),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${diagnostics.join('\n')}`);
    });
    expect(b?.received).toEqual(['hello from the answerer']);
    expect(a?.received).toEqual(['hello from the starter']);
    expect(a?.threadId).toBe(b?.threadId);
    expect(a?.addedBy).toBe(starter.user.communicationUserId);
    expect(a?.states).toEqual(['disconnected']);
    expect(diagnostics.filter((line) => line.includes('request failed') || line.includes('page error'))).toEqual([]);
    await Promise.all([starterPage.close(), answererPage.close()]);
  });
});
