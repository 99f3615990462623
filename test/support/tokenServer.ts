// Helpers for the token service tests: the service behind a real node:http server on loopback.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommunicationIdentityClientOptions } from '@azure/communication-identity';
import { type Emulator, emulatorClientOptions } from '../../src/emulator/index.js';
import { createTokenService, type TokenService, type TokenServiceOptions } from '../../src/server/index.js';
import { fastRetry } from './emulatorClients.js';

/** The app's own auth in these tests: the user id in an `x-app-user` header. */
export const headerAuth: TokenServiceOptions['authenticate'] = (request) => request.headers.get('x-app-user');

export interface RunningTokenServer {
  service: TokenService;
  url: string;
  close(): Promise<void>;
}

export async function startTokenServer(service: TokenService): Promise<RunningTokenServer> {
  const server: Server = createServer(service.nodeHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/token`;
  return {
    service,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Counts `POST /identities` (identity creations) the identity client sends. */
type AdditionalPolicy = NonNullable<CommunicationIdentityClientOptions['additionalPolicies']>[number];

export function identityCreationCounter(): { count: () => number; policy: AdditionalPolicy } {
  let created = 0;
  return {
    count: () => created,
    policy: {
      position: 'perCall',
      policy: {
        name: 'count-identity-creations',
        sendRequest: (request, next) => {
          if (request.method === 'POST' && new URL(request.url).pathname === '/identities') created++;
          return next(request);
        },
      },
    },
  };
}

export function serviceFor(emu: Emulator, options: Partial<TokenServiceOptions> = {}): TokenService {
  return createTokenService({
    connectionString: emu.connectionString,
    authenticate: headerAuth,
    identityClientOptions: { ...emulatorClientOptions(emu), ...fastRetry },
    ...options,
  });
}
