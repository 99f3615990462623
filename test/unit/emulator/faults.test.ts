import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultSpec } from '../../../src/emulator/faults.js';

describe('FaultInjector', () => {
  it('matches method and path patterns for the next N requests only', () => {
    const faults = new FaultInjector();
    const handle = faults.inject({ method: 'post', path: '/chat/threads/*/messages', status: 503, times: 2 });
    expect(faults.take('GET', '/chat/threads/19:a@thread.v2/messages')).toBeUndefined();
    expect(faults.take('POST', '/chat/threads/19:a@thread.v2/messages/1')).toBeUndefined();
    expect(faults.take('POST', '/chat/threads/19:a@thread.v2/messages')?.status).toBe(503);
    expect(handle.remaining).toBe(1);
    expect(faults.take('POST', '/chat/threads/x/messages')?.status).toBe(503);
    expect(faults.take('POST', '/chat/threads/x/messages')).toBeUndefined();
    expect(handle.remaining).toBe(0);
  });

  it('supports ** and RegExp patterns, cancel and clear', () => {
    const faults = new FaultInjector();
    const any = faults.inject({ path: '/chat/**', delayMs: 10 });
    faults.inject({ path: /^\/identities/g, status: 429, retryAfterSeconds: 3 });
    any.cancel();
    expect(faults.take('GET', '/chat/threads/a/messages')).toBeUndefined();
    expect(faults.take('POST', '/identities')).toMatchObject({ status: 429, retryAfterSeconds: 3, phase: 'before' });
    faults.inject({ path: '/x', status: 500, times: 9 });
    faults.clear();
    expect(faults.pending).toBe(0);
  });

  it('validates rules', () => {
    const faults = new FaultInjector();
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => faults.inject({ path: '/x' })).toThrow(invalid);
    expect(() => faults.inject({ path: '/x', status: 42 })).toThrow(invalid);
    // Informational statuses would leave the client waiting for a final response.
    for (const status of [100, 101, 102, 103, 199]) expect(() => faults.inject({ path: '/x', status })).toThrow(invalid);
    expect(() => parseFaultSpec('/x=100')).toThrow(invalid);
    expect(faults.inject({ path: '/x', status: 200 })).toBeDefined();
    expect(() => faults.inject({ path: '/x', status: 503, times: 0 })).toThrow(invalid);
    expect(() => parseFaultSpec('/x=abc')).toThrow(invalid);
  });
});

describe('parseFaultSpec', () => {
  it('parses the CLI form', () => {
    expect(parseFaultSpec('POST /chat/threads/*/messages=503x2')).toEqual({ method: 'POST', path: '/chat/threads/*/messages', status: 503, times: 2 });
    expect(parseFaultSpec('/chat/threads=@1500')).toEqual({ path: '/chat/threads', delayMs: 1500 });
    expect(parseFaultSpec('get /x=429@20ms')).toEqual({ method: 'GET', path: '/x', status: 429, delayMs: 20 });
    expect(() => parseFaultSpec('nonsense')).toThrow(/expected/);
    expect(() => parseFaultSpec('/x=')).toThrow();
    // Validated at parse time, so the CLI refuses them before it starts serving.
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => parseFaultSpec('/x=999')).toThrow(invalid);
    expect(() => parseFaultSpec('/x=099')).toThrow(invalid);
    expect(() => parseFaultSpec('/x=503x0')).toThrow(invalid);
    expect(() => parseFaultSpec('/x=@600001')).toThrow(invalid);
  });
});
