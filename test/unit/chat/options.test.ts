import { describe, expect, it } from 'vitest';
import { createSession } from '../../../src/index.js';
import { fakeAcsToken } from '../../support/tokens.js';

const endpoint = 'https://contoso.communication.azure.com';

describe('createSession chat options', () => {
  it('refuses push in Node, bad intervals and windows, and non-object clientOptions, all in one error', async () => {
    const error = await createSession({
      endpoint,
      token: fakeAcsToken(),
      chat: { realtime: 'push', pollIntervalMs: 10, idlePollIntervalMs: 5, messageWindow: 0 },
      clientOptions: 'tls' as never,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
    const message = String((error as Error).message);
    for (const part of ["chat.realtime 'push' needs a browser", 'chat.pollIntervalMs', 'chat.idlePollIntervalMs', 'chat.messageWindow', 'clientOptions']) {
      expect(message).toContain(part);
    }
    await expect(createSession({ endpoint, token: fakeAcsToken(), chat: { realtime: 'sometimes' as never } })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await expect(createSession({ endpoint, token: fakeAcsToken(), chat: { pollInterval: 5 } as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('chat: false leaves session.chat refused; the default session has it, with nothing started', async () => {
    await using off = await createSession({ endpoint, token: fakeAcsToken(), chat: false });
    expect(() => off.chat).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    // No chat scope, so opening a thread starts no polling: this test must not reach the network.
    await using on = await createSession({ endpoint, token: fakeAcsToken({ scopes: ['voip'] }) });
    expect(on.chat.thread('19:a@thread.v2')).toBe(on.chat.thread('19:a@thread.v2'));
    expect(() => on.chat.thread('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await on.dispose();
    expect(() => on.chat).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });
});
