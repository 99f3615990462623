// Helpers for the integration tests: the real ACS clients wired to an in-process emulator.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential, type CommunicationUserIdentifier } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import type { IncomingHttpHeaders } from 'node:http';
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

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** One HTTPS request to the emulator, bypassing the SDK (for headers, CORS and malformed input). */
export async function rawRequest(
  emu: Emulator,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emu.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        ca: emu.certificate,
        servername: 'localhost',
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
