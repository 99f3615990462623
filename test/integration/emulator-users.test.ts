// The emulator's in-process identity helpers (emu.createUser / issueToken / revokeTokens): their
// tokens drive the real ChatClient and a session, and they share state with the HTTP identity API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { createSession, SessionError } from '../../src/index.js';
import { chatClientFor, identityClient } from '../support/emulatorClients.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Whether the real ChatClient accepts `token`: its status, or 201 for a created thread. */
async function chatStatus(token: string): Promise<number> {
  try {
    await chatClientFor(emu, token).createChatThread({ topic: 't' });
    return 201;
  } catch (error) {
    return (error as { statusCode?: number }).statusCode ?? -1;
  }
}

describe('emu.createUser() and emu.issueToken()', () => {
  it('make an ACS identity and a token the real ChatClient accepts', async () => {
    const user = emu.createUser();
    expect(user).toEqual({ kind: 'communicationUser', communicationUserId: user.rawId, rawId: user.rawId });
    expect(user.rawId).toMatch(new RegExp(`^8:acs:${emu.resourceId}_[0-9a-f-]{36}$`));
    const { token, expiresOn } = emu.issueToken(user);
    expect(claims(token)).toMatchObject({ skypeid: user.rawId.slice(2), acsScope: 'chat,voip', resourceId: emu.resourceId });
    expect(claims(token)['exp']).toBe(expiresOn.getTime() / 1000);
    expect(expiresOn.getTime() - Date.now()).toBeGreaterThan(1439 * 60_000); // default 24 h, as the service
    const chat = chatClientFor(emu, token);
    const { chatThread } = await chat.createChatThread({ topic: 'from emu.issueToken' });
    await chat.getChatThreadClient(chatThread!.id).sendMessage({ content: 'hi' });
  });

  it('issue tokens with the given scopes and lifetime, for an identifier or a raw id', async () => {
    const user = emu.createUser();
    const short = emu.issueToken(user.rawId, ['chat'], { expiresInMinutes: 60 });
    expect(claims(short.token)['acsScope']).toBe('chat');
    expect(Math.abs(short.expiresOn.getTime() - Date.now() - 3600_000)).toBeLessThan(5_000);
    const voipOnly = emu.issueToken({ communicationUserId: user.rawId }, ['voip']);
    expect(await chatStatus(voipOnly.token)).toBe(403);
  });

  it('give a session its token fetcher, with no identity client involved', async () => {
    const user = emu.createUser();
    await using session = await createSession({ endpoint: emu.endpoint, token: async () => emu.issueToken(user) });
    expect(session.state).toBe('connected');
    expect(session.user.rawId).toBe(user.rawId);
    expect(session.tokens.current?.scopes).toEqual(['chat', 'voip']);
  });

  it('share their state with the HTTP identity API, both ways', async () => {
    const identity = identityClient(emu);
    const helperUser = emu.createUser();
    const viaHttp = await identity.getToken(helperUser, ['chat']);
    expect(await chatStatus(viaHttp.token)).toBe(201);
    const httpUser = await identity.createUser();
    expect(await chatStatus(emu.issueToken(httpUser).token)).toBe(201);
    await identity.deleteUser(httpUser);
    expect(() => emu.issueToken(httpUser)).toThrow(/does not exist/);
  });
});

describe('emu.revokeTokens()', () => {
  it('revokes every token issued so far; a later token works', async () => {
    const user = emu.createUser();
    const before = emu.issueToken(user).token;
    expect(await chatStatus(before)).toBe(201);
    emu.revokeTokens(user);
    expect(await chatStatus(before)).toBe(401);
    expect(await chatStatus(emu.issueToken(user).token)).toBe(201);
  });

  it('is seen by the HTTP identity API and the other way round', async () => {
    const identity = identityClient(emu);
    const user = emu.createUser();
    const first = emu.issueToken(user).token;
    await identity.revokeTokens(user);
    expect(await chatStatus(first)).toBe(401);
    emu.advanceClock(2_000); // revocations have whole-second resolution (token iat)
    const second = (await identity.getToken(user, ['chat'])).token;
    emu.revokeTokens(user);
    expect(await chatStatus(second)).toBe(401);
  });
});

describe('the helpers refuse what they cannot use', () => {
  const invalid = (call: () => unknown): SessionError => {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(SessionError);
      expect((error as SessionError).code).toBe('INVALID_ARGUMENT');
      return error as SessionError;
    }
    throw new Error('expected INVALID_ARGUMENT, nothing was thrown');
  };

  it('with INVALID_ARGUMENT for a user that is not a live identity of this emulator', () => {
    for (const user of [undefined, null, 42, {}, { communicationUserId: 7 }, ['8:acs:x']] as unknown[]) {
      expect(invalid(() => emu.issueToken(user as string)).message).toMatch(/user must be/);
      invalid(() => emu.revokeTokens(user as string));
    }
    expect(invalid(() => emu.issueToken('8:acs:another-resource_00000000-0000-0000-0000-000000000000')).acsCode).toBe('IdentityNotOwned');
    expect(invalid(() => emu.issueToken(`8:acs:${emu.resourceId}_00000000-0000-0000-0000-000000000000`)).acsCode).toBe('IdentityNotFound');
    invalid(() => emu.revokeTokens(`8:acs:${emu.resourceId}_nobody`));
  });

  it('with INVALID_ARGUMENT for bad scopes or options', () => {
    const user = emu.createUser();
    for (const scopes of [[], ['admin'], ['chat', 3], 'chat', null] as unknown[]) {
      invalid(() => emu.issueToken(user, scopes as ['chat']));
    }
    for (const options of [{ expiresInMinutes: 59 }, { expiresInMinutes: 1441 }, { expiresInMinutes: 90.5 }, { expiresIn: 60 }, null, 'x'] as unknown[]) {
      invalid(() => emu.issueToken(user, ['chat'], options as { expiresInMinutes: number }));
    }
  });

  it('with DISPOSED after close()', async () => {
    const own = await startEmulator({ port: 0 });
    const user = own.createUser();
    await own.close();
    for (const call of [() => own.createUser(), () => own.issueToken(user), () => own.revokeTokens(user)]) {
      expect(call).toThrow(expect.objectContaining({ name: 'SessionError', code: 'DISPOSED' }));
    }
  });
});

describe('with a data dir', () => {
  it('users made by the helpers survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-emu-users-'));
    try {
      const first = await startEmulator({ port: 0, dataDir: dir });
      const user = first.createUser();
      await first.close();
      await using second = await startEmulator({ port: 0, dataDir: dir });
      expect(claims(second.issueToken(user).token)['skypeid']).toBe(user.rawId.slice(2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
