import { describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../../src/events/event-stream.js';
import type { ErrorEvent } from '../../../src/events/types.js';

interface TestEvents {
  ping: { type: 'ping'; n: number };
  error: ErrorEvent;
}

// Dispatch runs over the listeners as they were when the emit began; the stream must still honour removals
// and closing that happen in the middle of an emit.
describe('EventStream during an emit', () => {
  it('a listener removed by an earlier listener is not called for the same event', () => {
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const second = vi.fn();
    let offSecond = () => undefined as void;
    events.on('ping', () => offSecond());
    offSecond = events.on('ping', second);
    events.emit({ type: 'ping', n: 1 });
    expect(second).not.toHaveBeenCalled();
  });

  it('off() of a once listener by an earlier listener prevents it from firing', () => {
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const later = vi.fn();
    events.on('ping', () => events.off('ping', later));
    events.once('ping', later);
    events.emit({ type: 'ping', n: 1 });
    events.emit({ type: 'ping', n: 2 });
    expect(later).not.toHaveBeenCalled();
  });

  it('closing from a listener stops the listeners after it', () => {
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const after = vi.fn();
    events.on('ping', () => events.close());
    events.on('ping', after);
    events.emit({ type: 'ping', n: 1 });
    expect(after).not.toHaveBeenCalled();
  });

  it('seal() refuses new listeners but still delivers to existing ones', async () => {
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const existing = vi.fn();
    events.on('ping', existing);
    events.seal();
    expect(() => events.on('ping', () => undefined)).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
    await expect(events.waitFor('ping')).rejects.toMatchObject({ code: 'DISPOSED' });
    events.emit({ type: 'ping', n: 1 });
    expect(existing).toHaveBeenCalledTimes(1);
  });

  it('an all-types iterator sees an event before the error its listener caused', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const iterator = events.events();
    events.on('ping', () => {
      throw new Error('listener bug');
    });
    events.emit({ type: 'ping', n: 1 });
    expect((await iterator.next()).value?.type).toBe('ping');
    expect((await iterator.next()).value?.type).toBe('error');
    await iterator.return();
    consoleError.mockRestore();
  });

  it('treats null options as none', async () => {
    const events = new EventStream<TestEvents>('The test stream', { ping: true, error: true });
    const waiting = events.waitFor('ping', null as never);
    const iterator = events.events(null as never);
    events.emit({ type: 'ping', n: 7 });
    await expect(waiting).resolves.toEqual({ type: 'ping', n: 7 });
    await expect(iterator.next()).resolves.toEqual({ value: { type: 'ping', n: 7 }, done: false });
  });
});
