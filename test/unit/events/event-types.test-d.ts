import { describe, expectTypeOf, it } from 'vitest';
import type { EventNames, Session, SessionEvent, SessionEvents, StateChangedEvent, TokenRefreshFailedEvent } from '../../../src/index.js';

// These assertions are checked by `tsc --noEmit` (part of `npm test`): a `@ts-expect-error` line
// that compiles fails the type check, so each one proves that the wrong use does not compile.
declare const session: Session;

describe('typed events (compile-time)', () => {
  it('listeners get the payload of their event', () => {
    session.on('stateChanged', (e) => {
      expectTypeOf(e).toEqualTypeOf<StateChangedEvent>();
      expectTypeOf(e.state).toEqualTypeOf<'connecting' | 'connected' | 'reconnecting' | 'disconnected'>();
    });
    session.on('tokenRefreshFailed', (e) => {
      expectTypeOf(e).toEqualTypeOf<TokenRefreshFailedEvent>();
      expectTypeOf(e.nextRetryInMs).toEqualTypeOf<number>();
    });
    expectTypeOf(session.on('error', () => undefined)).toEqualTypeOf<() => void>();
  });

  it('rejects unknown event names and wrong payloads', () => {
    // @ts-expect-error — no such event
    session.on('messageRecieved', () => undefined);
    // @ts-expect-error — stateChanged has no `token`
    session.on('stateChanged', (e) => e.token);
    // @ts-expect-error — the listener expects the wrong payload type
    session.on('tokenExpired', (e: StateChangedEvent) => e.state);
    // @ts-expect-error — waitFor filter gets the tokenExpired payload
    void session.waitFor('tokenExpired', { filter: (e) => e.previous === 'connected' });
  });

  it('events() yields a discriminated union narrowed by type', async () => {
    for await (const e of session.events()) {
      expectTypeOf(e).toEqualTypeOf<SessionEvent>();
      if (e.type === 'stateChanged') expectTypeOf(e.previous).toBeString();
      // @ts-expect-error — `expiresOn` exists only on tokenRefreshed, not on the whole union
      void e.expiresOn;
    }
    for await (const e of session.events({ types: ['tokenExpired', 'tokenRefreshed'] })) {
      expectTypeOf(e.type).toEqualTypeOf<'tokenExpired' | 'tokenRefreshed'>();
    }
    // @ts-expect-error — not an event name
    session.events({ types: ['nope'] });
  });

  it('an event-name list must name every event of its map', () => {
    // @ts-expect-error — tokenExpired is missing
    const missing: EventNames<SessionEvents> = { stateChanged: true, tokenRefreshed: true, tokenRefreshFailed: true, error: true };
    const extra: EventNames<SessionEvents> = {
      stateChanged: true,
      tokenRefreshed: true,
      tokenRefreshFailed: true,
      tokenExpired: true,
      error: true,
      // @ts-expect-error — not an event of the map
      nope: true,
    };
    void missing;
    void extra;
  });
});
