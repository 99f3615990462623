import type { SessionError } from '../errors.js';
import type { Identifier } from '../identifiers/identifier.js';
import type { ChatEvent } from './events.js';
import type { ChatClients } from './ports.js';

/**
 * What the session hands the chat layer (the chat layer never imports the session).
 * @internal
 */
export interface ChatContext {
  /** This session's user. */
  readonly self: Identifier;
  /** The session's display name: the default `senderDisplayName`. */
  readonly displayName: string | undefined;
  /** The ACS clients, built on first use (so `@azure/communication-chat` loads only when chat is used). */
  readonly clients: () => Promise<ChatClients>;
  /** Drops the current token and gets a new one (after a 401). */
  readonly forceRefresh: () => Promise<unknown>;
  /** Puts a chat event on the session's stream. */
  readonly emit: (event: ChatEvent) => void;
  /** Tells the session whether ACS chat is reachable (polling failed with no response / 5xx, or succeeded). */
  readonly reportConnectivity: (reachable: boolean, error?: SessionError) => void;
  /** Reports a background failure nobody awaits (as the stream's `error` event). */
  readonly reportError: (error: SessionError, source: string) => void;
  /** Fires when the session is disposed: every request and timer of the chat layer stops. */
  readonly signal: AbortSignal;
}
