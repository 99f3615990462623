import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ChatTokenHolder, tokenProblem, verifyChatToken } from '../chat/access.js';
import { AcsHttpError, httpErrors } from '../errors.js';
import type { EmulatorChange } from '../feed.js';
import type { RequestContext } from '../router.js';
import type { EmulatorServices } from '../services.js';
import { pushesFor } from './pushes.js';
import { ackFrame, eventFrame, eventName, messageFrame, parseFrame } from './socketio.js';

/** Seconds the client may go without hearing from the server (socket.io handshake field 2). */
const HEARTBEAT_TIMEOUT_S = 60;
/** How often the server sends `2::`, well inside the heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 20_000;
/** Connection TTL announced at allocation and on `trouter.connected`, seconds. */
const CONNECTION_TTL_S = 3600;
/** Allocation tickets and handshakes kept at most (oldest dropped first). */
const MAX_PENDING = 10_000;

interface OpenSocket {
  ws: WebSocket;
  holder: ChatTokenHolder;
  heartbeat: NodeJS.Timeout;
  requestId: number;
}

/**
 * The emulator's chat notification service: the trouter allocation (`POST /v4/a`), the socket.io 0.9
 * handshake and WebSocket the browser `ChatClient` connects to, and the pushes it sends there, built
 * from the emulator's change feed. A push goes only to sockets of the thread's participants whose
 * token is still valid; a socket whose token expired or was revoked is closed at its next push.
 */
export class NotificationService {
  readonly #services: EmulatorServices;
  readonly #now: () => number;
  readonly #origin: () => string;
  readonly #wss = new WebSocketServer({ noServer: true });
  /** `sr` of an allocation → whose it is. */
  readonly #tickets = new Map<string, ChatTokenHolder>();
  /** socket.io session id (handshake) → whose it is; consumed by the WebSocket upgrade. */
  readonly #handshakes = new Map<string, ChatTokenHolder>();
  readonly #sockets = new Set<OpenSocket>();
  readonly #unsubscribe: () => void;
  #available = true;
  #closed = false;

  constructor(services: EmulatorServices, now: () => number, origin: () => string) {
    this.#services = services;
    this.#now = now;
    this.#origin = origin;
    this.#unsubscribe = services.feed.subscribe((change) => this.#deliver(change));
  }

  /** Open notification sockets (for tests and the admin API). */
  get socketCount(): number {
    return this.#sockets.size;
  }

  /**
   * Makes the service unreachable (`false`: every open socket is dropped, allocations and handshakes
   * answer 503) or reachable again (`true`). A fault for tests of fallback to polling.
   */
  setAvailable(available: boolean): void {
    this.#available = available;
    if (!available) for (const socket of [...this.#sockets]) this.#drop(socket);
  }

  /** `GET /chat/config/realTimeNotifications`: where the trouter and registrar are (here). */
  config(ctx: RequestContext): unknown {
    const origin = ctx.origin;
    verifyChatToken(bearer(ctx), this.#services, ctx.now);
    return { trouterServiceUrl: origin, registrarServiceUrl: origin, cloudType: 'public' };
  }

  /** `POST /v4/a`: allocates a connection and hands out the ticket (`connectparams.sr`) the handshake presents. */
  allocate(ctx: RequestContext): unknown {
    this.#checkAvailable();
    const holder = verifyChatToken(skypeToken(ctx), this.#services, ctx.now);
    const id = randomId();
    const sr = randomId();
    remember(this.#tickets, sr, holder);
    const origin = ctx.origin;
    return {
      id,
      ccid: randomId(),
      socketio: `${origin}/`,
      url: `${origin}/trouter/f/${id}/`,
      surl: `${origin}/trouter/f/${id}/`,
      curlb: origin,
      healthUrl: `${origin}/trouter/h`,
      ttl: String(CONNECTION_TTL_S),
      connectparams: { sr, issuer: 'emulator', sp: 'connect', st: String(ctx.now), se: String(ctx.now + CONNECTION_TTL_S * 1000), sig: randomId() },
    };
  }

  /** `GET /socket.io/1/`: the socket.io handshake, `<sid>:<heartbeat>:<close>:websocket`. */
  handshake(ctx: RequestContext): string {
    this.#checkAvailable();
    const header = optionalSkypeToken(ctx);
    const ticket = this.#tickets.get(ctx.query.get('sr') ?? '');
    const holder = header !== undefined ? verifyChatToken(header, this.#services, ctx.now) : ticket;
    if (!holder) throw httpErrors.unauthorized('The handshake has neither a token nor a valid connection ticket.');
    const problem = tokenProblem(holder, this.#services, ctx.now);
    if (problem) throw httpErrors.unauthorized(problem);
    const sid = randomId();
    remember(this.#handshakes, sid, holder);
    return `${sid}:${HEARTBEAT_TIMEOUT_S}:${HEARTBEAT_TIMEOUT_S}:websocket`;
  }

  /** `POST /v3/registrations`: accepted; pushes here go to every socket of the user anyway. */
  register(ctx: RequestContext): void {
    verifyChatToken(skypeToken(ctx), this.#services, ctx.now);
  }

  /**
   * For the HTTPS server's `upgrade` dispatcher: takes `/socket.io/1/websocket/<sid>` and returns
   * true, returns false for any other path (another service's).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = /^\/socket\.io\/1\/websocket\/([^/?]+)/.exec(req.url ?? '');
    if (!match?.[1]) return false;
    const sid = decodeURIComponent(match[1]);
    const holder = this.#handshakes.get(sid);
    this.#handshakes.delete(sid);
    if (this.#closed || !this.#available || !holder || tokenProblem(holder, this.#services, this.#now()) !== undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, holder));
    return true;
  }

  /** Closes every socket and stops reading the feed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const socket of [...this.#sockets]) this.#drop(socket);
    this.#wss.close();
  }

  #open(ws: WebSocket, holder: ChatTokenHolder): void {
    const socket: OpenSocket = {
      ws,
      holder,
      requestId: 0,
      heartbeat: setInterval(() => send(ws, '2::'), HEARTBEAT_EVERY_MS),
    };
    socket.heartbeat.unref();
    this.#sockets.add(socket);
    ws.on('message', (data) => this.#onFrame(socket, String(data)));
    ws.on('close', () => this.#forget(socket));
    ws.on('error', () => this.#drop(socket));
    send(ws, '1::');
    send(ws, eventFrame(1, 'trouter.connected', [{ ttl: CONNECTION_TTL_S, dur: '1' }]));
  }

  #onFrame(socket: OpenSocket, text: string): void {
    const frame = parseFrame(text);
    if (!frame) return;
    if (frame.type === 0) this.#drop(socket);
    else if (frame.type === 5 && frame.id !== '') {
      // The client's keep-alive is an event `ping` whose ack must come back; other events
      // (user activity) only want their ack.
      send(socket.ws, ackFrame(frame.id, eventName(frame.data) === 'ping' ? ['pong'] : []));
    }
    // 2:: heartbeats and 3::: responses to pushes need no answer.
  }

  #deliver(change: EmulatorChange): void {
    if (this.#sockets.size === 0) return;
    const now = this.#now();
    for (const push of pushesFor(change, this.#services.state)) {
      const recipients = new Set(push.recipients);
      for (const socket of [...this.#sockets]) {
        if (!recipients.has(socket.holder.rawId)) continue;
        if (tokenProblem(socket.holder, this.#services, now) !== undefined) {
          this.#drop(socket);
          continue;
        }
        socket.requestId += 1;
        const rawId = socket.holder.rawId;
        send(
          socket.ws,
          messageFrame({
            id: socket.requestId,
            method: 'POST',
            url: `${this.#origin()}/trouter/f/chat`,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...push.payload, recipientId: rawId.replace(/^8:/, ''), recipientMri: rawId }),
          }),
        );
      }
    }
  }

  #drop(socket: OpenSocket): void {
    this.#forget(socket);
    socket.ws.terminate();
  }

  #forget(socket: OpenSocket): void {
    clearInterval(socket.heartbeat);
    this.#sockets.delete(socket);
  }

  #checkAvailable(): void {
    if (!this.#available) throw new AcsHttpError(503, 'ServiceUnavailable', 'The notification service is unavailable (emulator fault).');
  }
}

function send(ws: WebSocket, text: string): void {
  if (ws.readyState === ws.OPEN) ws.send(text);
}

function bearer(ctx: RequestContext): string {
  const header = ctx.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) throw httpErrors.unauthorized('The request has no bearer token.');
  return match[1];
}

/** The trouter and registrar clients send the ACS token as `X-Skypetoken` (legacy) or as a bearer token. */
function optionalSkypeToken(ctx: RequestContext): string | undefined {
  const skype = ctx.headers['x-skypetoken'];
  if (typeof skype === 'string' && skype) return skype;
  const header = ctx.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

function skypeToken(ctx: RequestContext): string {
  const token = optionalSkypeToken(ctx);
  if (token === undefined) throw httpErrors.unauthorized('The request has no X-Skypetoken or bearer token.');
  return token;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_PENDING) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

function randomId(): string {
  return randomBytes(12).toString('base64url');
}
