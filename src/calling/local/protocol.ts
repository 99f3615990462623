/**
 * The wire protocol between the local calling provider and the emulator's call service: JSON text
 * frames for membership, binary frames for the app-data relay. Types only, so both sides share one
 * definition without the client importing emulator code. Documented in docs/calls.md.
 * @internal
 */

/** The path of the call service's WebSocket on the emulator's HTTPS server. */
export const CALL_SERVICE_PATH = '/_emulator/calling';

/** WebSocket close codes the call service uses (4000–4999 is the application range). */
export const CallServiceCloseCodes = {
  /** The `hello` did not arrive in time or was malformed. */
  protocolError: 4400,
  /** The token was refused (signature, expiry, revoked, unknown user). */
  unauthorized: 4401,
  /** The token has no `voip` / `voip.join` scope. */
  forbidden: 4403,
  /** The emulator is closing. */
  goingAway: 1001,
} as const;

/** The largest app-data payload, as the ACS DataChannel's `maxMessageSize`. */
export const MAX_DATA_MESSAGE_SIZE = 32_768;

/** A participant as the call service describes it. */
export interface WireParticipant {
  rawId: string;
  displayName?: string;
  state: 'ringing' | 'connected' | 'hold';
  muted: boolean;
}

/** One call as one member sees it; sent whole on every change. */
export interface WireCall {
  id: string;
  kind: 'group' | 'room' | 'meeting' | 'adhoc';
  /** The viewer's own state in the call. */
  state: 'ringing' | 'connected' | 'localHold';
  muted: boolean;
  /** Everyone else, connected or being rung. */
  participants: WireParticipant[];
}

/** ACS end-reason code pair. */
export interface WireEndReason {
  code: number;
  subCode: number;
}

/** Client → service. `req` correlates the `result`. */
export type ClientMessage =
  | { op: 'hello'; token: string; displayName?: string }
  | { op: 'start'; req: number; targets: string[]; alternateCallerId?: string }
  | { op: 'join'; req: number; kind: 'group' | 'room' | 'meeting'; id: string }
  | { op: 'accept'; req: number; callId: string }
  | { op: 'reject'; req: number; callId: string }
  | { op: 'mute'; req: number; callId: string; muted: boolean }
  | { op: 'hold'; req: number; callId: string; held: boolean }
  | { op: 'dtmf'; req: number; callId: string; tone: string }
  | { op: 'hangUp'; req: number; callId: string; forEveryone: boolean }
  | { op: 'remove'; req: number; callId: string; rawId: string }
  | { op: 'add'; req: number; callId: string; rawId: string; alternateCallerId?: string };

/** Service → client. */
export type ServerMessage =
  | { ev: 'welcome'; rawId: string; maxMessageSize: number }
  | { ev: 'result'; req: number; callId?: string; error?: { code: string; message: string } }
  | { ev: 'call'; call: WireCall }
  | { ev: 'ended'; callId: string; reason: WireEndReason }
  | { ev: 'incoming'; callId: string; caller: { rawId: string; displayName?: string } }
  | { ev: 'incomingEnded'; callId: string; reason: WireEndReason };

/**
 * Binary relay frame, both directions: `u32 (big-endian) header length`, a UTF-8 JSON header, then
 * the payload. Client → service header `{ c: callId, ch: channelId, to?: rawIds }`; service →
 * client header `{ c: callId, ch: channelId, from: rawId }`.
 */
export interface RelayHeader {
  c: string;
  ch: number;
  to?: string[];
  from?: string;
}

/** Encodes a relay frame. */
export function encodeRelayFrame(header: RelayHeader, payload: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + head.length + payload.length);
  new DataView(frame.buffer).setUint32(0, head.length);
  frame.set(head, 4);
  frame.set(payload, 4 + head.length);
  return frame;
}

/** Decodes a relay frame; `undefined` when it is malformed. */
export function decodeRelayFrame(frame: Uint8Array): { header: RelayHeader; payload: Uint8Array } | undefined {
  if (frame.length < 4) return undefined;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (length > 4096 || 4 + length > frame.length) return undefined;
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + length)));
    if (typeof header !== 'object' || header === null) return undefined;
    const { c, ch, to, from } = header as Record<string, unknown>;
    if (typeof c !== 'string' || typeof ch !== 'number' || !Number.isInteger(ch)) return undefined;
    if (to !== undefined && !(Array.isArray(to) && to.every((id) => typeof id === 'string'))) return undefined;
    if (from !== undefined && typeof from !== 'string') return undefined;
    const result: RelayHeader = { c, ch };
    if (to !== undefined) result.to = to;
    if (from !== undefined) result.from = from;
    return { header: result, payload: frame.subarray(4 + length) };
  } catch {
    return undefined;
  }
}
