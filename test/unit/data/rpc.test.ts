import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RPC_TOPIC, encodeMessage } from '../../../src/data/frame.js';
import type { RpcErrorDetails } from '../../../src/data/rpc.js';
import { type SessionError, isSessionError } from '../../../src/errors.js';
import { closeAll, collectDataErrors, pair, settle } from './support.js';

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

describe('RPC', () => {
  it('answers with the handler result and tells the handler who asked', async () => {
    const [a, b] = pair();
    const seen: string[] = [];
    b.handle<{ x: number }, { doubled: number }>('double', ({ x }, { from, method }) => {
      seen.push(`${method} from ${from.rawId}`);
      return { doubled: x * 2 };
    });
    await expect(a.request('double', { x: 21 }, { to: b.self })).resolves.toEqual({ doubled: 42 });
    await expect(a.request('double', { x: 1 }, { to: b.self.rawId })).resolves.toEqual({ doubled: 2 });
    expect(seen).toEqual([`double from ${a.self.rawId}`, `double from ${a.self.rawId}`]);
  });

  it('carries payloads and answers larger than a frame', async () => {
    const [a, b] = pair({ maxMessageSize: 128 });
    b.handle<string, string>('echo', async (text) => text.toUpperCase());
    const text = 'abc'.repeat(5_000);
    await expect(a.request('echo', text, { to: b.self })).resolves.toBe(text.toUpperCase());
  });

  it('turns a remote handler error into RPC_REMOTE_ERROR with its code, message and data', async () => {
    const [a, b] = pair();
    b.handle('withdraw', () => {
      throw Object.assign(new Error('insufficient funds'), { code: 'NO_FUNDS', data: { balance: 3 } });
    });
    b.handle('crash', () => {
      throw new TypeError('boom');
    });
    const error = await a.request('withdraw', { amount: 10 }, { to: b.self }).catch((e: unknown) => e);
    expect(isSessionError(error, 'RPC_REMOTE_ERROR')).toBe(true);
    expect((error as SessionError).cause).toEqual({ code: 'NO_FUNDS', message: 'insufficient funds', data: { balance: 3 } } satisfies RpcErrorDetails);
    const crash = await a.request('crash', null, { to: b.self }).catch((e: unknown) => e);
    expect((crash as SessionError).cause).toEqual({ code: 'HANDLER_FAILED', message: 'boom' });
  });

  it('rejects with RPC_UNKNOWN_METHOD when the remote has no handler, also after the handler was removed', async () => {
    const [a, b] = pair();
    await expect(a.request('nope', {}, { to: b.self })).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
    const off = b.handle('ping', () => 'pong');
    await expect(a.request('ping', {}, { to: b.self })).resolves.toBe('pong');
    off();
    await expect(a.request('ping', {}, { to: b.self })).rejects.toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
  });

  it('times out with RPC_TIMEOUT and ignores the late answer', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { rpcTimeoutMs: 1_000 } });
    let release: (value: string) => void = () => undefined;
    b.handle('slow', () => new Promise<string>((resolve) => (release = resolve)));
    const pending = a.request('slow', {}, { to: b.self }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(a.pendingWork.requests).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ code: 'RPC_TIMEOUT', retryable: true });
    const errors = collectDataErrors(a);
    release('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([]);
    expect(a.pendingWork.requests).toBe(0);
    const custom = a.request('slow', {}, { to: b.self, timeoutMs: 50 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await custom).toMatchObject({ code: 'RPC_TIMEOUT' });
  });

  it('rejects with ABORTED when the signal fires, before or during the request', async () => {
    const [a, b] = pair();
    b.handle('never', () => new Promise(() => undefined));
    await expect(a.request('never', {}, { to: b.self, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    const controller = new AbortController();
    const pending = a.request('never', {}, { to: b.self, signal: controller.signal });
    await settle();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(a.pendingWork.requests).toBe(0);
  });

  it('ignores an answer from someone other than the participant asked', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { rpcTimeoutMs: 100 } });
    b.handle('never', () => new Promise(() => undefined));
    const pending = a.request('never', {}, { to: b.self }).catch((e: unknown) => e);
    // Request ids start at 1; a forged answer from a third party must not settle it.
    const body = new TextEncoder().encode(JSON.stringify({ i: 1, r: 'forged' }));
    const frame = new Uint8Array([0x11, 0, 0, 0, 0, 0, 1, ...body]);
    a.deliverRaw(frame, { from: '8:acs:mallory' });
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toMatchObject({ code: 'RPC_TIMEOUT' });
  });

  it('validates its arguments', async () => {
    const [a, b] = pair();
    expect(() => b.handle('', () => 1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    b.handle('x', () => 1);
    expect(() => b.handle('x', () => 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // @ts-expect-error `to` is required
    await expect(a.request('x', {}, {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.request('x', { big: 1n }, { to: b.self })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.request('x', {}, { to: b.self, timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects pending requests with DISPOSED on close', async () => {
    const [a, b] = pair();
    b.handle('never', () => new Promise(() => undefined));
    const pending = a.request('never', {}, { to: b.self });
    a.close();
    await expect(pending).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(a.request('never', {}, { to: b.self })).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('RPC outcomes', () => {
  it('gives each outcome its own code and leaves no request, timer or abort listener behind', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { rpcTimeoutMs: 1_000 } });
    b.handle('ok', () => 'fine');
    b.handle('fails', async () => {
      await Promise.resolve();
      throw Object.assign(new Error('nope'), { code: 'DENIED' });
    });
    b.handle('never', () => new Promise(() => undefined));
    const outcome = async (method: string, abortAfterMs?: number) => {
      const controller = new AbortController();
      const request = a.request(method, {}, { to: b.self, signal: controller.signal }).then(
        (value) => ({ ok: value }),
        (error: unknown) => ({ code: (error as SessionError).code, cause: (error as SessionError).cause }),
      );
      if (abortAfterMs !== undefined) {
        await vi.advanceTimersByTimeAsync(abortAfterMs);
        controller.abort();
      }
      await vi.advanceTimersByTimeAsync(1_000);
      const result = await request;
      expect(getEventListeners(controller.signal, 'abort'), method).toHaveLength(0);
      expect(a.pendingWork.requests, method).toBe(0);
      return result;
    };
    expect(await outcome('ok')).toEqual({ ok: 'fine' });
    expect(await outcome('fails')).toEqual({ code: 'RPC_REMOTE_ERROR', cause: { code: 'DENIED', message: 'nope' } });
    expect(await outcome('missing')).toMatchObject({ code: 'RPC_UNKNOWN_METHOD' });
    expect(await outcome('never')).toMatchObject({ code: 'RPC_TIMEOUT' });
    expect(await outcome('never', 10)).toMatchObject({ code: 'ABORTED' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out a request to someone who is not in the call', async () => {
    vi.useFakeTimers();
    const [a] = pair();
    const pending = a.request('x', {}, { to: '8:acs:nobody', timeoutMs: 500 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toMatchObject({ code: 'RPC_TIMEOUT' });
  });

  it('answers with a failure when the result is too large to send, rather than leaving the caller to time out', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { maxMessageBytes: 1_000, rpcTimeoutMs: 60_000 } });
    b.handle('big', () => 'x'.repeat(2_000));
    const pending = a.request('big', {}, { to: b.self }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(a.pendingWork.requests).toBe(0);
    const error = (await pending) as SessionError;
    expect(error.code).toBe('RPC_REMOTE_ERROR');
    expect((error.cause as RpcErrorDetails).code).toBe('DATA_TOO_LARGE');
  });

  it('ignores a response kind it does not know instead of failing the request with it', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { rpcTimeoutMs: 1_000 } });
    let release: (value: string) => void = () => undefined;
    b.handle('slow', () => new Promise<string>((resolve) => (release = resolve)));
    const errors = collectDataErrors(a);
    const pending = a.request('slow', {}, { to: b.self }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    // Kind 9 from the participant asked, for request 1: a later protocol version's message, not a failure.
    const body = new TextEncoder().encode(JSON.stringify({ i: 1, e: 'not a failure' }));
    a.deliverRaw(encodeMessage(RPC_TOPIC, 100, Uint8Array.of(9, ...body)), { from: b.self.rawId });
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_INVALID_FRAME']);
    release('done');
    await vi.advanceTimersByTimeAsync(0);
    expect(await pending).toBe('done');
  });
});
