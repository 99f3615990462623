import type { ConnectionState } from './types.js';

/**
 * The session lifecycle: `connecting → connected ⇄ reconnecting → disconnected`. Any state may end
 * in `disconnected`, which is final. Anything not in this table is not a transition (for example a
 * token refresh while already connected) and is ignored.
 */
const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['connected', 'disconnected'],
  connected: ['reconnecting', 'disconnected'],
  reconnecting: ['connected', 'disconnected'],
  disconnected: [],
};

/** Whether the lifecycle allows going from `from` to `to`. @internal */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every lifecycle state, for checking what a JavaScript caller passed. @internal */
export const CONNECTION_STATES: readonly ConnectionState[] = Object.keys(TRANSITIONS) as ConnectionState[];
