import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionError, isSessionError } from '../../../src/errors.js';
import { EventStream } from '../../../src/events/event-stream.js';
import type { ErrorEvent } from '../../../src/events/types.js';

interface TestEvents {
  ping: { type: 'ping'; n: number };
  pong: { type: 'pong'; text: string };
  error: ErrorEvent;
}

const stream = () => new EventStream<TestEvents>('The test stream', { ping: true, pong: true, error: true });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('EventStream on/once/off', () => {
  it('delivers typed payloads to every listener and unsubscribes', () => {
    const events = stream();
    const seen: number[] = [];
    const unsubscribe = events.on('ping', (e) => seen.push(e.n));
    events.on('ping', (e) => seen.push(e.n * 10));
    events.emit({ type: 'ping', n: 1 });
    unsubscribe();
    unsubscribe();
    events.emit({ type: 'ping', n: 2 });
    expect(seen).toEqual([1, 10, 20]);
  });

  it('once fires a single time; off removes the most recent registration of a listener', () => {
    const events = stream();
    const once = vi.fn();
    const twice = vi.fn();
    events.once('ping', once);
    events.on('ping', twice);
    events.on('ping', twice);
    events.emit({ type: 'ping', n: 1 });
    events.off('ping', twice);
    events.emit({ type: 'ping', n: 2 });
    events.off('ping', twice);
    events.off('ping', twice); // unknown by now: ignored
    events.emit({ type: 'ping', n: 3 });
    expect(once).toHaveBeenCalledTimes(1);
    expect(twice).toHaveBeenCalledTimes(3);
    expect(events.listenerCount('ping')).toBe(0);
  });

  it('a throwing listener does not stop the others and is reported as an error event', () => {
    const events = stream();
    const after = vi.fn();
    const errors: ErrorEvent[] = [];
    events.on('error', (e) => errors.push(e));
    events.on('ping', () => {
      throw new Error('boom');
    });
    events.on('ping', after);
    events.emit({ type: 'ping', n: 1 });
    expect(after).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.source).toBe('listener:ping');
    expect(errors[0]?.error.code).toBe('LISTENER_FAILED');
    expect((errors[0]?.error.cause as Error).message).toBe('boom');
  });

  it('reports on the console when nobody listens for error, and when an error listener itself throws', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const events = stream();
    events.on('ping', () => {
      throw new Error('first');
    });
    events.emit({ type: 'ping', n: 1 });
    expect(consoleError).toHaveBeenCalledTimes(1);
    events.on('error', () => {
      throw new Error('second');
    });
    events.emit({ type: 'ping', n: 2 });
    expect(consoleError).toHaveBeenCalledTimes(2);
  });

  it('rejects a listener that is not a function with INVALID_ARGUMENT', () => {
    expect(() => stream().on('ping', 'nope' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('resumes after each throwing listener, once listeners included, in registration order', () => {
    const events = stream();
    const calls: string[] = [];
    const errors: string[] = [];
    events.on('error', (e) => errors.push((e.error.cause as Error).message));
    events.on('ping', () => {
      calls.push('a');
      throw new Error('a');
    });
    events.once('ping', () => {
      calls.push('b');
      throw new Error('b');
    });
    events.on('ping', () => calls.push('c'));
    events.emit({ type: 'ping', n: 1 });
    events.emit({ type: 'ping', n: 2 });
    expect(calls).toEqual(['a', 'b', 'c', 'a', 'c']);
    expect(errors).toEqual(['a', 'b', 'a']);
    expect(events.listenerCount('ping')).toBe(2);
  });

  it('a listener added during an emit is called from the next emit on', () => {
    const events = stream();
    const late = vi.fn();
    events.once('ping', () => events.on('ping', late));
    events.emit({ type: 'ping', n: 1 });
    expect(late).not.toHaveBeenCalled();
    events.emit({ type: 'ping', n: 2 });
    expect(late).toHaveBeenCalledTimes(1);
  });
});

describe('EventStream refuses event names its owner does not have', () => {
  const invalid = expect.objectContaining({
    code: 'INVALID_ARGUMENT',
    message: expect.stringMatching(/The test stream has no event 'nope'; its events are: ping, pong, error/),
  });

  it('in on, once and off', () => {
    const events = stream();
    expect(() => events.on('nope' as never, () => undefined)).toThrow(invalid);
    expect(() => events.once('nope' as never, () => undefined)).toThrow(invalid);
    expect(() => events.off('nope' as never, () => undefined)).toThrow(invalid);
    // Inherited names are not event names either.
    expect(() => events.on('toString' as never, () => undefined)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('in waitFor (a rejection) and events({ types }) (at once)', async () => {
    const events = stream();
    await expect(events.waitFor('nope' as never)).rejects.toEqual(invalid);
    expect(() => events.events({ types: ['ping', 'nope' as never] })).toThrow(invalid);
    expect(events.listenerCount('ping')).toBe(0);
  });
});

describe('EventStream.waitFor', () => {
  it('resolves with the first matching event and removes its listener', async () => {
    const events = stream();
    const waiting = events.waitFor('ping', { filter: (e) => e.n > 1 });
    events.emit({ type: 'ping', n: 1 });
    events.emit({ type: 'ping', n: 2 });
    await expect(waiting).resolves.toEqual({ type: 'ping', n: 2 });
    expect(events.listenerCount('ping')).toBe(0);
  });

  it('rejects with TIMEOUT and ABORTED, leaving no listener or timer', async () => {
    vi.useFakeTimers();
    const events = stream();
    const timed = events.waitFor('ping', { timeoutMs: 100 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await timed).toMatchObject({ code: 'TIMEOUT' });
    const controller = new AbortController();
    const aborted = events.waitFor('ping', { signal: controller.signal, timeoutMs: 1000 }).catch((e: unknown) => e);
    controller.abort('stop');
    expect(await aborted).toMatchObject({ code: 'ABORTED', cause: 'stop' });
    await expect(events.waitFor('ping', { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(events.listenerCount('ping')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with what a filter threw', async () => {
    const events = stream();
    const waiting = events.waitFor('ping', {
      filter: () => {
        throw new RangeError('bad filter');
      },
    });
    events.emit({ type: 'ping', n: 1 });
    await expect(waiting).rejects.toBeInstanceOf(RangeError);
  });

  it('rejects pending waits with DISPOSED on close', async () => {
    const events = stream();
    const waiting = events.waitFor('pong');
    events.close();
    await expect(waiting).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(events.waitFor('pong')).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('EventStream.events()', () => {
  it('yields the discriminated union in order, filtered by type, and unsubscribes on break', async () => {
    const events = stream();
    const iterator = events.events({ types: ['pong'] });
    events.emit({ type: 'ping', n: 1 });
    events.emit({ type: 'pong', text: 'a' });
    events.emit({ type: 'pong', text: 'b' });
    const seen: string[] = [];
    for await (const e of iterator) {
      seen.push(e.text);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(events.listenerCount('pong')).toBe(0);
  });

  it('an all-types iterator sees every event; ending via signal exits the loop normally', async () => {
    const events = stream();
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of events.events({ signal: controller.signal })) {
        seen.push(e.type === 'ping' ? `ping${e.n}` : e.type === 'pong' ? `pong:${e.text}` : e.type);
      }
    })();
    events.emit({ type: 'ping', n: 1 });
    events.emit({ type: 'pong', text: 'x' });
    await Promise.resolve();
    controller.abort();
    await loop;
    expect(seen).toEqual(['ping1', 'pong:x']);
    events.emit({ type: 'ping', n: 2 });
    expect(seen).toHaveLength(2);
  });

  it("overflow 'error': buffered events are delivered, then EVENTS_OVERFLOW, and the iterator stops listening", async () => {
    const events = stream();
    const iterator = events.events({ types: ['ping'], bufferSize: 3 });
    for (let n = 1; n <= 5; n++) events.emit({ type: 'ping', n });
    expect(events.listenerCount('ping')).toBe(0);
    const seen: number[] = [];
    let failure: unknown;
    try {
      for await (const e of iterator) seen.push(e.n);
    } catch (error) {
      failure = error;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(isSessionError(failure, 'EVENTS_OVERFLOW')).toBe(true);
  });

  it("overflow 'dropOldest': keeps the newest events and carries on", async () => {
    const events = stream();
    const iterator = events.events({ types: ['ping'], bufferSize: 3, overflow: 'dropOldest' });
    for (let n = 1; n <= 500; n++) events.emit({ type: 'ping', n });
    const first = await iterator.next();
    expect(first).toEqual({ value: { type: 'ping', n: 498 }, done: false });
    events.emit({ type: 'ping', n: 501 });
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push(((await iterator.next()).value as { n: number }).n);
    expect(rest).toEqual([499, 500, 501]);
    await iterator.return?.();
  });

  it('ends on close; an iterator opened after close throws DISPOSED', async () => {
    const events = stream();
    const iterator = events.events();
    const next = iterator.next();
    events.close();
    await expect(next).resolves.toEqual({ value: undefined, done: true });
    await expect(events.events().next()).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(() => events.on('ping', () => undefined)).toThrow(SessionError);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => stream().events({ bufferSize: 0 })).toThrow(invalid);
    expect(() => stream().events({ overflow: 'ignore' as never })).toThrow(invalid);
    expect(() => stream().events({ types: 'ping' as never })).toThrow(invalid);
    await expect(stream().waitFor('ping', { timeoutMs: Number.NaN })).rejects.toEqual(invalid);
    await expect(stream().waitFor('ping', { timeoutMs: -1 })).rejects.toEqual(invalid);
    await expect(stream().waitFor('ping', { filter: 'yes' as never })).rejects.toEqual(invalid);
  });
});
