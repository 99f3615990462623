import type { JwtSigner } from './auth/jwt.js';
import type { ChangeFeed } from './feed.js';
import type { IdGenerator } from './ids.js';
import type { EmulatorKeys } from './store/keys.js';
import type { EmulatorState } from './store/state.js';

/** The shared objects the route modules work with. */
export interface EmulatorServices {
  state: EmulatorState;
  keys: EmulatorKeys;
  jwt: JwtSigner;
  ids: IdGenerator;
  /** Committed changes and transient signals (typing), for the notification service. */
  feed: ChangeFeed;
}

/**
 * api-versions of the identity routes. The released client (1.3.1) sends 2023-10-01; the service's
 * June 2025 recordings also list 2025-03-02-preview and 2025-06-30, which add `customId` on create
 * and `GET /identities/{id}` ({@link IDENTITY_CUSTOM_ID_API_VERSIONS}).
 */
export const IDENTITY_API_VERSIONS = ['2021-03-07', '2022-06-01', '2022-10-01', '2023-08-01', '2023-10-01', '2025-03-02-preview', '2025-06-30'] as const;

/** The identity api-versions that know `customId` and `GET /identities/{id}`. */
export const IDENTITY_CUSTOM_ID_API_VERSIONS = ['2025-03-02-preview', '2025-06-30'] as const;

/** api-versions of the chat routes (the installed client sends the last one). */
export const CHAT_API_VERSIONS = ['2021-09-07', '2023-11-07', '2024-03-07', '2024-09-01', '2025-03-15'] as const;
