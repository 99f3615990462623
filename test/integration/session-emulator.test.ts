import { ChatClient } from '@azure/communication-chat';
import type { CommunicationUserIdentifier } from '@azure/communication-common';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorClientOptions, startEmulator } from '../../src/emulator/index.js';
import { createSession, type TokenFetcher, type TokenFetchReason } from '../../src/index.js';
import { fastRetry, identityClient } from '../support/emulatorClients.js';

// The session against the emulator as an app would use it: tokens minted by the real identity
// client (standing in for the app's token service), the session's shared credential given to the
// real ChatClient.
let emu: Emulator;
let identity: CommunicationIdentityClient;

beforeAll(async () => {
  emu = await startEmulator();
  identity = identityClient(emu);
});
afterAll(async () => {
  await emu.close();
});

function tokenService(user: CommunicationUserIdentifier) {
  const reasons: TokenFetchReason[] = [];
  const fetcher: TokenFetcher = async ({ reason }) => {
    reasons.push(reason);
    const { token, expiresOn } = await identity.getToken(user, ['chat', 'voip']);
    return { token, expiresOn };
  };
  return { fetcher, reasons };
}

describe('createSession against the emulator', () => {
  it('gets its user from an emulator token, and its credential drives the real ChatClient', async () => {
    const user = await identity.createUser();
    const { fetcher, reasons } = tokenService(user);
    await using session = await createSession({ endpoint: emu.endpoint, token: fetcher, displayName: 'Ada' });
    expect(session.state).toBe('connected');
    expect(session.user.rawId).toBe(user.communicationUserId);
    expect(session.tokens.current?.scopes).toEqual(['chat', 'voip']);

    const chat = new ChatClient(session.endpoint, session.tokens.credential, { ...emulatorClientOptions(emu), ...fastRetry });
    const { chatThread } = await chat.createChatThread({ topic: 'hello' }, { participants: [{ id: user, displayName: 'Ada' }] });
    expect(chatThread?.id).toMatch(/^19:.+@thread\.v2$/);
    const thread = chat.getChatThreadClient(chatThread?.id ?? '');
    const { id } = await thread.sendMessage({ content: 'first message' });
    expect((await thread.getMessage(id)).content?.message).toBe('first message');
    expect(reasons).toEqual(['initial']);
  });

  it('recovers from revoked tokens with forceRefresh, as an app does after a 401', async () => {
    const user = await identity.createUser();
    const { fetcher, reasons } = tokenService(user);
    await using session = await createSession({ endpoint: emu.endpoint, token: fetcher });
    const chat = new ChatClient(session.endpoint, session.tokens.credential, { ...emulatorClientOptions(emu), ...fastRetry });
    const { chatThread } = await chat.createChatThread({ topic: 'before revoke' }, { participants: [{ id: user }] });
    const thread = chat.getChatThreadClient(chatThread?.id ?? '');
    await expect(thread.getProperties()).resolves.toMatchObject({ topic: 'before revoke' }); // its pipeline now holds the token

    await identity.revokeTokens(user);
    // Token issue times have one-second resolution: step the emulator's clock past the revocation.
    emu.advanceClock(2000);
    await expect(thread.getProperties()).rejects.toMatchObject({ statusCode: 401 });

    const fresh = await session.tokens.forceRefresh('rejected');
    expect(fresh.user.rawId).toBe(user.communicationUserId);
    // The same thread client follows the shared refresher: its bearer policy re-reads the credential
    // in the background, so at most one more request goes out with the revoked token.
    await thread.getProperties().catch((e: unknown) => expect(e).toMatchObject({ statusCode: 401 }));
    await expect(thread.getProperties()).resolves.toMatchObject({ topic: 'before revoke' });
    expect(reasons).toEqual(['initial', 'rejected']);
  });

  it('refuses a token service that switches users', async () => {
    const [alice, mallory] = [await identity.createUser(), await identity.createUser()];
    let current = alice;
    const fetcher: TokenFetcher = async () => (await identity.getToken(current, ['chat'])).token;
    await using session = await createSession({ endpoint: emu.endpoint, token: fetcher });
    current = mallory;
    await expect(session.tokens.forceRefresh()).rejects.toMatchObject({ code: 'TOKEN_IDENTITY_CHANGED' });
    expect(session.user.rawId).toBe(alice.communicationUserId);
  });
});
