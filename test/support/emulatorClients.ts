// Helpers for the integration tests: the real ACS clients wired to an in-process emulator.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential, type CommunicationUserIdentifier } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { type Emulator, emulatorClientOptions } from '../../src/emulator/index.js';

/** Fast retries so injected 429/503 tests do not wait for the SDK's default 0.8 s+ backoff. */
export const fastRetry = { retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } } as const;

export interface TestUser {
  user: CommunicationUserIdentifier;
  token: string;
  chat: ChatClient;
}

export function identityClient(emu: Emulator): CommunicationIdentityClient {
  return new CommunicationIdentityClient(emu.connectionString, { ...emulatorClientOptions(emu), ...fastRetry });
}

export function chatClientFor(emu: Emulator, token: string): ChatClient {
  return new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(token), { ...emulatorClientOptions(emu), ...fastRetry });
}

export async function createUsers(emu: Emulator, count: number, scopes: ('chat' | 'voip' | 'chat.join')[] = ['chat']): Promise<TestUser[]> {
  const identity = identityClient(emu);
  const users: TestUser[] = [];
  for (let i = 0; i < count; i++) {
    const { user, token } = await identity.createUserAndToken(scopes);
    users.push({ user, token, chat: chatClientFor(emu, token) });
  }
  return users;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
