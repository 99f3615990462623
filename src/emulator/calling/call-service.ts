import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  CALL_SERVICE_PATH,
  CallServiceCloseCodes,
  type ClientMessage,
  decodeRelayFrame,
  encodeRelayFrame,
  MAX_DATA_MESSAGE_SIZE,
  type ServerMessage,
} from '../../calling/local/protocol.js';
import type { EmulatorServices } from '../services.js';
import type { SimulatedPhones } from './phones.js';
import { END } from './end-codes.js';
import { admitToMeeting, isMeeting } from './meetings.js';
import { CallRegistry, CallServiceError, type Peer } from './registry.js';

/** Options of {@link startCallService}. */
export interface CallServiceOptions {
  services: EmulatorServices;
  phones: SimulatedPhones;
  now: () => number;
  /** How long a 1:1 call rings before it ends as not answered. */
  ringTimeoutMs: number;
  /** How long a new socket has to send its `hello`. */
  helloTimeoutMs?: number;
}

/** The running call service. */
export interface CallService {
  /** For `server.on('upgrade', …)`: handles the call-service path, returns false for anything else. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** The membership registry (tests inspect it). */
  readonly registry: CallRegistry;
  /** Open sockets (said hello or not yet). */
  readonly socketCount: number;
  /**
   * `false` drops every open socket (as a network cut would: no close frame) and answers new
   * connections 503 until set `true` again. A fault for tests of reconnection.
   */
  setAvailable(available: boolean): void;
  /**
   * Closes (4401) every socket whose token has expired on the emulator clock; the emulator calls it
   * when its clock is advanced. Revocations are seen at once through the change feed.
   */
  checkTokens(): void;
  /** Closes every socket and clears every timer. */
  close(): void;
}

/** An authenticated socket: who it is and how long its token lives. */
interface Holder {
  peer: Peer;
  /** Token issued-at and expiry, epoch ms. */
  issuedAt: number;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
}

const VOIP_SCOPES = ['voip', 'voip.join'];
// A control message is small; a relay frame is the payload plus its header.
const MAX_SOCKET_MESSAGE = MAX_DATA_MESSAGE_SIZE + 8 * 1024;

/**
 * The emulator's call service: a WebSocket at `/_emulator/calling` on the emulator's HTTPS port
 * that carries call membership (no media) and relays app-data frames, for the local calling
 * provider. Protocol in src/calling/local/protocol.ts and docs/calls.md.
 *
 * @example
 * ```ts
 * const calls = startCallService({ services, phones, now: () => clock.now(), ringTimeoutMs: 30_000 });
 * server.on('upgrade', (req, socket, head) => calls.handleUpgrade(req, socket, head) || socket.destroy());
 * ```
 */
export function startCallService(options: CallServiceOptions): CallService {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE, perMessageDeflate: false });
  const registry = new CallRegistry({ ringTimeoutMs: options.ringTimeoutMs, phones: options.phones });
  const sockets = new Set<WebSocket>();
  const holders = new Map<WebSocket, Holder>();

  // A token that stops being good mid-call ends that session's calls as the service does (495/4507)
  // and closes its socket with 4401, so the client refreshes its token and comes back.
  const refuse = (ws: WebSocket, holder: Holder, why: string) => {
    clearTimeout(holder.timer);
    holders.delete(ws);
    registry.evict(holder.peer, END.tokenInvalid);
    ws.close(CallServiceCloseCodes.unauthorized, why);
  };
  const watchExpiry = (ws: WebSocket, holder: Holder) => {
    clearTimeout(holder.timer);
    const left = holder.expiresAt - options.now();
    if (left <= 0) return refuse(ws, holder, 'token expired');
    // The emulator clock can be moved; a timer that fires early just looks again.
    holder.timer = setTimeout(() => watchExpiry(ws, holder), Math.min(left, 2 ** 31 - 1));
    holder.timer.unref();
  };
  const stopFeed = options.services.feed.subscribe((change) => {
    if (change.kind !== 'commit') return;
    for (const entry of change.entries) {
      if (entry.t !== 'user') continue;
      const { id, revokedAt, deleted } = entry.user;
      for (const [ws, holder] of [...holders]) {
        if (holder.peer.rawId !== id) continue;
        if (deleted) refuse(ws, holder, 'identity deleted');
        else if (revokedAt !== undefined && holder.issuedAt <= revokedAt) refuse(ws, holder, 'token revoked');
      }
    }
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    let peer: Peer | undefined;
    const hello = setTimeout(() => ws.close(CallServiceCloseCodes.protocolError, 'hello expected'), options.helloTimeoutMs ?? 10_000);
    hello.unref();
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(hello);
      clearTimeout(holders.get(ws)?.timer);
      holders.delete(ws);
      sockets.delete(ws);
      if (peer) registry.disconnect(peer);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      if (!peer) {
        clearTimeout(hello);
        const accepted = authenticate(ws, bytes, isBinary, options);
        if (accepted) {
          peer = accepted.peer;
          registry.connect(peer);
          peer.send({ ev: 'welcome', rawId: peer.rawId, maxMessageSize: MAX_DATA_MESSAGE_SIZE });
          const holder: Holder = { ...accepted, timer: undefined };
          holders.set(ws, holder);
          watchExpiry(ws, holder);
        }
        return;
      }
      if (!holders.has(ws)) return; // refused, closing
      if (isBinary) relay(registry, peer, bytes);
      else handle(registry, peer, bytes, options);
    });
  });

  let available = true;
  return {
    registry,
    get socketCount() {
      return sockets.size;
    },
    setAvailable(value) {
      available = value;
      if (!value) for (const ws of [...sockets]) ws.terminate();
    },
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'https://emulator.invalid').pathname;
      if (path !== CALL_SERVICE_PATH) return false;
      if (!available) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      return true;
    },
    checkTokens() {
      for (const [ws, holder] of [...holders]) watchExpiry(ws, holder);
    },
    close() {
      stopFeed();
      for (const holder of holders.values()) clearTimeout(holder.timer);
      holders.clear();
      registry.close();
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      wss.close();
    },
  };
}

function authenticate(ws: WebSocket, bytes: Buffer, isBinary: boolean, options: CallServiceOptions): Omit<Holder, 'timer'> | undefined {
  const message = isBinary ? undefined : parse(bytes);
  if (message?.op !== 'hello' || typeof message.token !== 'string') {
    ws.close(CallServiceCloseCodes.protocolError, 'hello expected');
    return undefined;
  }
  const { services } = options;
  const claims = services.jwt.verify(message.token);
  const rawId = claims ? `8:${claims.skypeid}` : '';
  const user = services.state.users.get(rawId);
  const revoked = user?.revokedAt !== undefined && claims !== undefined && claims.iat * 1000 <= user.revokedAt;
  if (!claims || claims.resourceId !== services.keys.resourceId || claims.exp * 1000 <= options.now() || !user || user.deleted || revoked) {
    ws.close(CallServiceCloseCodes.unauthorized, 'token refused');
    return undefined;
  }
  const scopes = claims.acsScope.split(',').map((s) => s.trim());
  if (!VOIP_SCOPES.some((s) => scopes.includes(s))) {
    ws.close(CallServiceCloseCodes.forbidden, 'the token has no voip scope');
    return undefined;
  }
  const displayName = typeof message.displayName === 'string' ? message.displayName.slice(0, 256) : undefined;
  const peer: Peer = {
    rawId,
    displayName,
    send: (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    },
    sendBinary: (frame: Uint8Array) => {
      if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true });
    },
  };
  return { peer, issuedAt: claims.iat * 1000, expiresAt: claims.exp * 1000 };
}

function handle(registry: CallRegistry, peer: Peer, bytes: Buffer, options: CallServiceOptions): void {
  const message = parse(bytes);
  const req = message && typeof (message as { req?: unknown }).req === 'number' ? (message as { req: number }).req : -1;
  try {
    if (!message) throw new CallServiceError('InvalidArgument', 'The message is not valid JSON.');
    const callId = (message as { callId?: unknown }).callId;
    const needsCall = message.op !== 'hello' && message.op !== 'start' && message.op !== 'join';
    if (needsCall && typeof callId !== 'string') throw new CallServiceError('InvalidArgument', 'callId is required.');
    switch (message.op) {
      case 'start': {
        const targets = message.targets;
        if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) throw new CallServiceError('InvalidArgument', 'targets must be raw ids.');
        peer.send({ ev: 'result', req, callId: registry.start(peer, targets, message.alternateCallerId) });
        return;
      }
      case 'join': {
        if ((message.kind !== 'group' && message.kind !== 'room' && message.kind !== 'meeting') || typeof message.id !== 'string') {
          throw new CallServiceError('InvalidArgument', 'join needs a kind and an id.');
        }
        if (message.kind === 'meeting') {
          if (!isMeeting(options.services, message.id)) throw new CallServiceError('NotFound', 'There is no meeting with that thread id.');
          // As in a Teams meeting, joining its call makes the joiner a member of its chat.
          admitToMeeting(options.services, message.id, peer.rawId, peer.displayName, options.now());
        }
        // The result goes first, so the client knows the call id before its first view arrives.
        const callId = registry.join(peer, message.kind, message.id);
        peer.send({ ev: 'result', req, callId });
        return;
      }
      case 'accept':
        registry.accept(peer, message.callId);
        break;
      case 'reject':
        registry.reject(peer, message.callId);
        break;
      case 'mute':
        registry.mute(peer, message.callId, message.muted === true);
        break;
      case 'hold':
        registry.hold(peer, message.callId, message.held === true);
        break;
      case 'dtmf':
        registry.dtmf(peer, message.callId, String(message.tone).slice(0, 32));
        break;
      case 'hangUp':
        registry.hangUp(peer, message.callId, message.forEveryone === true);
        break;
      case 'add':
        if (typeof message.rawId !== 'string') throw new CallServiceError('InvalidArgument', 'rawId is required.');
        if (message.alternateCallerId !== undefined && typeof message.alternateCallerId !== 'string') {
          throw new CallServiceError('InvalidArgument', 'alternateCallerId must be a phone number.');
        }
        registry.add(peer, message.callId, message.rawId, message.alternateCallerId);
        break;
      case 'remove':
        if (typeof message.rawId !== 'string') throw new CallServiceError('InvalidArgument', 'rawId is required.');
        registry.remove(peer, message.callId, message.rawId);
        break;
      default:
        throw new CallServiceError('InvalidArgument', 'Unknown operation.');
    }
    peer.send({ ev: 'result', req });
  } catch (error) {
    if (!(error instanceof CallServiceError)) throw error;
    peer.send({ ev: 'result', req, error: { code: error.code, message: error.message } });
  }
}

function relay(registry: CallRegistry, peer: Peer, bytes: Buffer): void {
  const frame = decodeRelayFrame(bytes);
  // Malformed, empty or oversized frames are dropped, as ACS refuses them at the sender.
  if (!frame || frame.payload.length === 0 || frame.payload.length > MAX_DATA_MESSAGE_SIZE || (frame.header.to?.length ?? 0) > 64) return;
  const { c, ch, to } = frame.header;
  registry.relay(peer, c, to, (from) => encodeRelayFrame({ c, ch, from }, frame.payload));
}

function parse(bytes: Buffer): ClientMessage | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string' ? (value as ClientMessage) : undefined;
  } catch {
    return undefined;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
