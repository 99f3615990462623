import type { ChatClientOptions } from '@azure/communication-chat';
import type { CommunicationTokenCredential } from '@azure/communication-common';
import type { ChatClients } from './ports.js';

/**
 * Azure pipeline options for the ACS clients a session creates (`retryOptions`, `loggingOptions`,
 * `tlsOptions`, `additionalPolicies`, …): the options object of `ChatClient` and the other ACS clients.
 * @example
 * ```ts
 * const clientOptions: AcsClientOptions = { retryOptions: { maxRetries: 5 } };
 * ```
 */
export type AcsClientOptions = ChatClientOptions;

type PipelinePolicy = NonNullable<AcsClientOptions['additionalPolicies']>[number]['policy'];

/** What the chat clients are built from. @internal */
export interface ChatClientsInput {
  readonly endpoint: string;
  readonly credential: CommunicationTokenCredential;
  readonly clientOptions: AcsClientOptions | undefined;
  /** The session's current token, read for each attempt. */
  readonly getToken: () => Promise<{ token: string }>;
}

/**
 * Builds the session's chat clients on the shared credential, importing `@azure/communication-chat`
 * only now (an app that never uses chat never loads it).
 *
 * A per-attempt policy sets the bearer token from the session's refresher: the Azure bearer policy
 * runs once per call, before the retry policy, and caches the token it read, so the retry after
 * `forceRefresh` would otherwise still go out with the refused token.
 * @internal
 */
export async function createChatClients(input: ChatClientsInput): Promise<ChatClients> {
  const { ChatClient } = await import('@azure/communication-chat');
  const freshToken: PipelinePolicy = {
    name: 'acsSessionFreshToken',
    async sendRequest(request, next) {
      const { token } = await input.getToken();
      request.headers.set('Authorization', `Bearer ${token}`);
      return next(request);
    },
  };
  const base: AcsClientOptions = {
    ...input.clientOptions,
    additionalPolicies: [...(input.clientOptions?.additionalPolicies ?? []), { policy: freshToken, position: 'perRetry' }],
  };
  const client = new ChatClient(input.endpoint, input.credential, base);
  const sendClient = new ChatClient(input.endpoint, input.credential, { ...base, retryOptions: { ...base.retryOptions, maxRetries: 0 } });
  return { client, sendClient, realtime: client };
}
