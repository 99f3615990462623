// fromAcsError against what the real ChatClient throws when the emulator answers with a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { fromAcsError } from '../../src/internal/from-acs-error.js';
import { type TestUser, createUsers } from '../support/emulatorClients.js';

let emu: Emulator;
let ada: TestUser;
let bob: TestUser;
let threadId: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  [ada, bob] = (await createUsers(emu, 2)) as [TestUser, TestUser];
  const { chatThread } = await ada.chat.createChatThread({ topic: 'errors' });
  threadId = chatThread?.id ?? '';
});
afterAll(() => emu.close());

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const chatContext = { operation: 'Sending a message', byStatus: { 403: 'NOT_A_PARTICIPANT', 404: 'THREAD_NOT_FOUND' } } as const;

describe('fromAcsError with the real ChatClient', () => {
  it('a non-participant gets NOT_A_PARTICIPANT with the status and ACS code kept', async () => {
    const thrown = await failure(() => bob.chat.getChatThreadClient(threadId).sendMessage({ content: 'hi' }));
    expect(fromAcsError(thrown, chatContext)).toMatchObject({ code: 'NOT_A_PARTICIPANT', status: 403, retryable: false, acsCode: 'Forbidden' });
  });

  it('an unknown thread is THREAD_NOT_FOUND', async () => {
    const thrown = await failure(() => ada.chat.getChatThreadClient('19:0000@thread.v2').getProperties());
    expect(fromAcsError(thrown, chatContext)).toMatchObject({ code: 'THREAD_NOT_FOUND', status: 404 });
  });

  it('throttling after the client gave up is RATE_LIMITED with Retry-After', async () => {
    const fault = emu.faults.inject({ path: '/chat/threads/*/messages', status: 429, retryAfterSeconds: 0, times: 10 });
    try {
      const thrown = await failure(() => ada.chat.getChatThreadClient(threadId).sendMessage({ content: 'hi' }));
      expect(fromAcsError(thrown, chatContext)).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryable: true, retryAfterMs: 0 });
    } finally {
      fault.cancel();
    }
  });

  it('a closed port is a retryable NETWORK_ERROR', async () => {
    const { ChatClient } = await import('@azure/communication-chat');
    const { AzureCommunicationTokenCredential } = await import('@azure/communication-common');
    const client = new ChatClient('https://127.0.0.1:9', new AzureCommunicationTokenCredential(ada.token), { retryOptions: { maxRetries: 0 } });
    const thrown = await failure(() => client.getChatThreadClient(threadId).getProperties());
    expect(fromAcsError(thrown, chatContext)).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, status: undefined });
  });
});
