import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../support/emulatorClients.js';
import type { SessionChatInput, SessionChatResult } from './pages/session-chat-page.js';
import { type BrowserFixture, startBrowserFixture } from './support/browser-fixture.js';

// session.chat bundled for the browser: two pages (two users) on the emulator, polling, a message
// each way. Pages are served from http://localhost and the emulator is https://127.0.0.1, so every
// request is cross-origin, as in an app.
let fx: BrowserFixture;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  fx = await startBrowserFixture({ pages: ['session-chat-page.ts'] });
  identity = identityClient(fx.emu);
}, 60_000);

afterAll(() => fx?.close());

const run = (page: Page, input: SessionChatInput) =>
  page.evaluate((args) => (globalThis as { runSessionChat?: (a: SessionChatInput) => Promise<SessionChatResult> }).runSessionChat?.(args), input);

describe('session.chat in Chromium', () => {
  it('two pages chat through two sessions: the added page hears threadCreated, and a message goes each way', async () => {
    const starter = await identity.createUserAndToken(['chat']);
    const answerer = await identity.createUserAndToken(['chat']);
    const [starterTab, answererTab] = await Promise.all([fx.newPage({ name: 'starter' }), fx.newPage({ name: 'answerer' })]);
    const [starterPage, answererPage] = [starterTab.page, answererTab.page];
    const [a, b] = await Promise.all([
      run(answererPage, { endpoint: fx.emu.endpoint, token: answerer.token, role: 'answerer', peerId: starter.user.communicationUserId }),
      run(starterPage, { endpoint: fx.emu.endpoint, token: starter.token, role: 'starter', peerId: answerer.user.communicationUserId }),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${[...starterTab.diagnostics, ...answererTab.diagnostics].join('\n')}`);
    });
    expect(b?.received).toEqual(['hello from the answerer']);
    expect(a?.received).toEqual(['hello from the starter']);
    expect(a?.threadId).toBe(b?.threadId);
    expect(a?.addedBy).toBe(starter.user.communicationUserId);
    expect(a?.states).toEqual(['disconnected']);
    expect([...starterTab.failures(), ...answererTab.failures()]).toEqual([]);
    await Promise.all([starterPage.close(), answererPage.close()]);
  });
});
