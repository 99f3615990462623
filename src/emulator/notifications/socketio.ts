/**
 * socket.io 0.9 framing (`type:id[+]:endpoint:data`), the protocol the trouter client speaks over
 * its WebSocket. Only what the emulator needs: parse the client's frames, format the server's.
 */

/** A parsed client frame. */
export interface SocketIoFrame {
  /** 0 disconnect, 1 connect, 2 heartbeat, 3 message, 4 json, 5 event, 6 ack, 7 error, 8 noop. */
  type: number;
  /** Message id with its `+` (data ack requested) kept, e.g. `'3+'`; empty when absent. */
  id: string;
  data: string;
}

/** Parses `5:3+::{"name":"ping"}`; `undefined` for anything that is not a frame. */
export function parseFrame(text: string): SocketIoFrame | undefined {
  const match = /^([0-8]):([0-9]*\+?):[^:]*:?([\s\S]*)$/.exec(text);
  if (!match) return undefined;
  return { type: Number(match[1]), id: match[2] ?? '', data: match[3] ?? '' };
}

/** `5:<id>::{"name","args"}` — an event from the server. */
export function eventFrame(id: number, name: string, args: readonly unknown[]): string {
  return `5:${id}::${JSON.stringify({ name, args })}`;
}

/** `3:::<json>` — a plain message; trouter carries its HTTP-like requests this way. */
export function messageFrame(value: unknown): string {
  return `3:::${JSON.stringify(value)}`;
}

/** The acknowledgement of a client event that asked for one (`id` ends with `+`), with `args`. */
export function ackFrame(id: string, args: readonly unknown[]): string {
  const plain = id.endsWith('+') ? id.slice(0, -1) : id;
  return id.endsWith('+') ? `6:::${plain}+${JSON.stringify(args)}` : `6:::${plain}`;
}

/** The event name of a `5:` frame's data, or `undefined`. */
export function eventName(data: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string') return parsed.name;
  } catch {
    // not JSON: no event name
  }
  return undefined;
}
