/** The events a call-service socket reports. @internal */
export interface SocketHandlers {
  message(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/** The part of a WebSocket the local provider uses, the same over the browser's and `ws`. @internal */
export interface CallSocket {
  send(data: string | Uint8Array): void;
  close(code?: number): void;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
}

/** Options for {@link openCallSocket}. @internal */
export interface OpenSocketOptions {
  /** A CA (PEM) to trust in Node, e.g. the emulator's self-signed certificate. */
  ca?: string | undefined;
  signal: AbortSignal;
}

/**
 * Opens a WebSocket with the runtime's own `WebSocket` where there is one, or the `ws` package
 * (loaded with `import()` only then, so browser bundles never need it). A CA to trust needs `ws`
 * too: the WHATWG WebSocket has no TLS options. Resolves once open.
 * @internal
 */
export async function openCallSocket(url: string, handlers: SocketHandlers, options: OpenSocketOptions): Promise<CallSocket> {
  const native = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (native && !(inNode && options.ca !== undefined)) return openNative(native, url, handlers, options.signal);
  return openWithWs(url, handlers, options);
}

function openNative(Native: typeof WebSocket, url: string, handlers: SocketHandlers, signal: AbortSignal): Promise<CallSocket> {
  return new Promise((resolve, reject) => {
    const socket = new Native(url);
    socket.binaryType = 'arraybuffer';
    let open = false;
    const onAbort = () => socket.close();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.addEventListener('open', () => {
      open = true;
      resolve(socket);
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      const { data } = event;
      if (typeof data === 'string') handlers.message(data);
      else if (data instanceof ArrayBuffer) handlers.message(new Uint8Array(data));
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      signal.removeEventListener('abort', onAbort);
      if (!open) reject(new Error(`WebSocket closed before it opened (${event.code})`));
      handlers.close(event.code, event.reason);
    });
  });
}

async function openWithWs(url: string, handlers: SocketHandlers, options: OpenSocketOptions): Promise<CallSocket> {
  const { WebSocket: Ws } = await import('ws');
  return new Promise((resolve, reject) => {
    const socket = new Ws(url, { ...(options.ca !== undefined && { ca: options.ca }), perMessageDeflate: false });
    let open = false;
    const onAbort = () => socket.terminate();
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error: Error) => {
      if (!open) reject(error);
    });
    socket.on('open', () => {
      open = true;
      resolve({
        send: (data) => socket.send(data),
        close: (code) => socket.close(code),
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
      });
    });
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (isBinary) handlers.message(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      else handlers.message(bytes.toString('utf8'));
    });
    socket.on('close', (code: number, reason: Buffer) => {
      options.signal.removeEventListener('abort', onAbort);
      if (!open) reject(new Error(`WebSocket closed before it opened (${code})`));
      handlers.close(code, reason.toString('utf8'));
    });
  });
}
