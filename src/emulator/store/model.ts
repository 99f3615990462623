/**
 * The emulator's stored records. Times are epoch milliseconds; identities are raw ids
 * (`8:acs:<resourceId>_<uuid>`). The wire shapes are built from these in `chat/wire.ts`.
 */

/** An identity created through the identity API. */
export interface UserRecord {
  id: string;
  createdOn: number;
  /** The app's own id for this identity (`customId`, api-version 2025-03-02-preview and later); unique per resource. */
  customId?: string;
  /** When a token was last issued for it. */
  lastTokenIssuedAt?: number;
  /** Tokens issued at or before this instant are rejected (`:revokeAccessTokens`). */
  revokedAt?: number;
  deleted?: boolean;
}

/** A member of a thread. */
export interface ParticipantRecord {
  rawId: string;
  displayName?: string;
  shareHistoryTime?: number;
  metadata?: Record<string, string>;
}

/** Chat message kinds, user-sent and system. */
export type MessageType = 'text' | 'html' | 'topicUpdated' | 'participantAdded' | 'participantRemoved';

/** Content of a message; system messages use topic/participants/initiator. */
export interface MessageContentRecord {
  message?: string;
  topic?: string;
  participants?: ParticipantRecord[];
  initiator?: string;
}

/** One message of a thread, system or user. */
export interface MessageRecord {
  id: string;
  type: MessageType;
  sequenceId: number;
  version: string;
  createdOn: number;
  content?: MessageContentRecord;
  senderDisplayName?: string;
  sender?: string;
  editedOn?: number;
  deletedOn?: number;
  metadata?: Record<string, string>;
  /**
   * The versions this message had before its current one, oldest first (absent until the first
   * edit or delete). A paged listing is a snapshot at the moment of its first page: these let a
   * later page place a message that changed meanwhile where it stood in that snapshot.
   */
  previousVersions?: string[];
}

/** Thread properties. */
export interface ThreadRecord {
  id: string;
  topic: string;
  createdOn: number;
  createdBy: string;
  metadata?: Record<string, string>;
  retentionPolicy?: RetentionPolicy;
  deletedOn?: number;
  lastMessageOn: number;
}

/** Thread retention policy as the 2025-03-15 API models it. */
export type RetentionPolicy = { kind: 'none' } | { kind: 'threadCreationDate'; deleteThreadAfterDays: number };

/** A participant's read position. */
export interface ReceiptRecord {
  rawId: string;
  messageId: string;
  readOn: number;
}

/**
 * One state change. The store applies these both live and when replaying the journal, so
 * the in-memory state and the persisted state can never be built by two different code paths.
 */
export type StoreEntry =
  | { t: 'user'; user: UserRecord }
  | { t: 'thread'; thread: ThreadRecord }
  | { t: 'participant'; threadId: string; participant: ParticipantRecord }
  | { t: 'participantRemoved'; threadId: string; rawId: string }
  | { t: 'message'; threadId: string; message: MessageRecord }
  | { t: 'receipt'; threadId: string; receipt: ReceiptRecord }
  | { t: 'repeatability'; key: string; threadId: string };
