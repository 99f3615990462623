import type { ChatClient, ChatThreadClient } from '@azure/communication-chat';

/**
 * The part of `ChatThreadClient` acs-session uses. Written as a `Pick<>` of the real type, so an SDK
 * upgrade that changes one of these signatures fails to compile here.
 * @internal
 */
export type ChatThreadClientPort = Pick<
  ChatThreadClient,
  | 'threadId'
  | 'getProperties'
  | 'updateProperties'
  | 'sendMessage'
  | 'getMessage'
  | 'listMessages'
  | 'updateMessage'
  | 'deleteMessage'
  | 'addParticipants'
  | 'listParticipants'
  | 'removeParticipant'
  | 'sendTypingNotification'
  | 'sendReadReceipt'
  | 'listReadReceipts'
>;

/**
 * The part of `ChatClient` acs-session uses; `getChatThreadClient` hands back the narrow thread port.
 * @internal
 */
export interface ChatClientPort extends Pick<ChatClient, 'createChatThread' | 'listChatThreads' | 'deleteChatThread'> {
  getChatThreadClient(threadId: string): ChatThreadClientPort;
}

/**
 * The realtime half of the ACS `ChatClient` (browser only: in Node its methods throw).
 * @internal
 */
export type RealtimeChatPort = Pick<ChatClient, 'startRealtimeNotifications' | 'stopRealtimeNotifications' | 'on' | 'off'>;

/**
 * The two clients the chat layer works with: `client` with the Azure pipeline's retries, and
 * `sendClient` without them, for `sendMessage` only (the pipeline retries a POST whose response was
 * lost, which would post the message twice; see send.ts).
 * @internal
 */
export interface ChatClients {
  readonly client: ChatClientPort;
  readonly sendClient: ChatClientPort;
  /** The client whose realtime notifications push mode starts (absent in test fakes that poll only). */
  readonly realtime?: RealtimeChatPort;
}
