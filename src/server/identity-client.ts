import type { CommunicationIdentityClient, CommunicationIdentityClientOptions } from '@azure/communication-identity';
import { SessionError } from '../errors.js';
import type { AcsTarget } from './acs-target.js';

/** What the token service uses of `CommunicationIdentityClient`. @internal */
export type IdentityPort = Pick<CommunicationIdentityClient, 'createUser' | 'getToken' | 'revokeTokens'>;

/**
 * Loads `@azure/communication-identity` (an optional peer dependency: only apps that run the token
 * service install it) and builds its client.
 * @internal
 */
export async function loadIdentityClient(target: AcsTarget, options: CommunicationIdentityClientOptions | undefined): Promise<IdentityPort> {
  let Client: typeof CommunicationIdentityClient;
  try {
    ({ CommunicationIdentityClient: Client } = await import('@azure/communication-identity'));
  } catch (error) {
    throw new SessionError(
      'INVALID_OPTIONS',
      'acs-session/server needs the package @azure/communication-identity, which is not installed: run `npm install @azure/communication-identity`',
      { cause: error },
    );
  }
  if (target.kind === 'connectionString') return new Client(target.connectionString, options);
  const { credential } = target;
  return 'key' in credential ? new Client(target.endpoint, credential, options) : new Client(target.endpoint, credential, options);
}
