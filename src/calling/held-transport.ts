import type { DataTransport, TransportMessage } from '../data/transport.js';
import type { Unsubscribe } from '../events/types.js';

/** Frames held before release, at most; past it they are dropped and counted. */
const HOLD_LIMIT = 1024;

/**
 * A transport whose incoming frames are held until {@link HeldTransport.release}. `call.data`
 * listens from the moment the call object exists, but the app can only register its RPC handlers,
 * channels and file listeners once `start()`/`accept()` has returned: frames that arrive before are
 * kept (in order, bounded) and handed over when the call starts, a task later. @internal
 */
export interface HeldTransport {
  readonly transport: DataTransport;
  /** Hands over what was held, then lets frames through; returns how many were dropped. */
  release(): number;
}

/** Wraps `inner` so that its frames wait for `release()`. @internal */
export function holdUntilReleased(inner: DataTransport & { close?(): void }): HeldTransport {
  const onParticipantLeft = inner.onParticipantLeft?.bind(inner);
  let released = false;
  let dropped = 0;
  const held: [listener: (message: TransportMessage) => void, message: TransportMessage][] = [];
  const transport: DataTransport = {
    get maxMessageSize() {
      return inner.maxMessageSize;
    },
    bitrateKbps: inner.bitrateKbps,
    send: (bytes, options) => inner.send(bytes, options),
    onMessage: (listener): Unsubscribe =>
      inner.onMessage((message) => {
        if (released) listener(message);
        else if (held.length < HOLD_LIMIT) held.push([listener, message]);
        else dropped++;
      }),
    ...(onParticipantLeft && { onParticipantLeft }),
    close: () => {
      held.length = 0;
      inner.close?.();
    },
  };
  return {
    transport,
    release: () => {
      if (released) return 0;
      released = true;
      for (const [listener, message] of held.splice(0)) listener(message);
      return dropped;
    },
  };
}
