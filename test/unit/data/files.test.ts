import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallData } from '../../../src/data/call-data.js';
import type { FileProgress, IncomingFile } from '../../../src/data/incoming-file.js';
import { closeAll, collectDataErrors, pair, pattern, sameBytes, settle } from './support.js';

afterEach(() => {
  closeAll();
  vi.useRealTimers();
});

function nextFile(data: CallData): Promise<IncomingFile> {
  return new Promise((resolve) => {
    const off = data.on('incomingFile', ({ file }) => {
      off();
      resolve(file);
    });
  });
}

const isMonotonic = (values: number[]) => values.every((value, i) => i === 0 || value > values[i - 1]!);

describe('files', () => {
  it('sends bytes with name, type, size and sender, and progress that only grows on both sides', async () => {
    const [a, b] = pair({ maxMessageSize: 1024 });
    const payload = pattern(100_000);
    const incoming = nextFile(b);
    const sent: FileProgress[] = [];
    const sending = a.sendFile(payload, { name: 'data.bin', type: 'application/octet-stream', to: b.self, onProgress: (p) => sent.push(p) });
    const file = await incoming;
    const received: number[] = [];
    file.onProgress(({ transferred }) => received.push(transferred));
    expect(file).toMatchObject({ name: 'data.bin', type: 'application/octet-stream', size: 100_000, state: 'receiving' });
    expect(file.from.rawId).toBe(a.self.rawId);
    await sending;
    expect(sameBytes(await file.bytes(), payload)).toBe(true);
    expect(file.state).toBe('complete');
    expect(file.received).toBe(100_000);
    expect(isMonotonic(sent.map((p) => p.transferred))).toBe(true);
    expect(sent.at(-1)).toEqual({ transferred: 100_000, size: 100_000 });
    expect(isMonotonic(received)).toBe(true);
    expect(received.at(-1)).toBe(100_000);
    expect(a.pendingWork.transfers + b.pendingWork.transfers).toBe(0);
  });

  it('sends a Blob, an empty file, and an async iterable of unknown length', async () => {
    const [a, b] = pair({ maxMessageSize: 512 });
    const files: IncomingFile[] = [];
    b.on('incomingFile', ({ file }) => files.push(file));
    const text = 'hello blob '.repeat(500);
    await a.sendFile(new Blob([text], { type: 'text/plain' }), { name: 'a.txt', to: b.self });
    await a.sendFile(new Uint8Array(0), { name: 'empty' });
    async function* generate() {
      for (let i = 0; i < 10; i++) yield pattern(777, i);
    }
    await a.sendFile(generate(), { name: 'stream.bin', to: [b.self] });
    await settle();
    expect(files.map((f) => [f.name, f.type, f.size])).toEqual([
      ['a.txt', 'text/plain', text.length],
      ['empty', '', 0],
      ['stream.bin', '', undefined],
    ]);
    expect(await (await files[0]!.blob()).text()).toBe(text);
    expect((await files[1]!.bytes()).length).toBe(0);
    const expected = new Uint8Array(7770);
    for (let i = 0; i < 10; i++) expected.set(pattern(777, i), i * 777);
    expect(sameBytes(await files[2]!.bytes(), expected)).toBe(true);
  });

  it('streams the bytes as they arrive', async () => {
    const [a, b] = pair({ maxMessageSize: 256 });
    const payload = pattern(10_000);
    const incoming = nextFile(b);
    const sending = a.sendFile(payload, { name: 's', to: b.self });
    const file = await incoming;
    const parts: Uint8Array[] = [];
    const reader = file.stream().getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value);
    await sending;
    expect(sameBytes(Buffer.concat(parts), payload)).toBe(true);
  });

  it('cancels on the sender side: sendFile rejects with ABORTED and the receiver with TRANSFER_CANCELLED', async () => {
    const [a, b] = pair({ maxMessageSize: 256, latencyMs: 1 });
    const controller = new AbortController();
    const incoming = nextFile(b);
    let progressed = 0;
    const sending = a.sendFile(pattern(200_000), {
      name: 'big',
      to: b.self,
      signal: controller.signal,
      onProgress: ({ transferred }) => {
        progressed = transferred;
        if (transferred > 5_000) controller.abort();
      },
    });
    await expect(sending).rejects.toMatchObject({ code: 'ABORTED' });
    const file = await incoming;
    await expect(file.bytes()).rejects.toMatchObject({ code: 'TRANSFER_CANCELLED' });
    expect(file.state).toBe('cancelled');
    expect(progressed).toBeLessThan(200_000);
    await settle();
    expect(a.pendingWork.transfers + b.pendingWork.transfers).toBe(0);
  });

  it('cancels on the receiver side: the sender stops with TRANSFER_CANCELLED', async () => {
    const [a, b] = pair({ maxMessageSize: 256, latencyMs: 1 });
    b.on('incomingFile', ({ file }) => {
      file.onProgress(({ transferred }) => {
        if (transferred > 2_000) file.cancel('not interested');
      });
    });
    const errors = collectDataErrors(b);
    let sent = 0;
    const sending = a.sendFile(pattern(500_000), { name: 'big', to: b.self, onProgress: (p) => (sent = p.transferred) });
    await expect(sending).rejects.toMatchObject({ code: 'TRANSFER_CANCELLED' });
    expect(sent).toBeLessThan(500_000);
    await settle();
    expect(errors).toEqual([]); // trailing frames of a transfer we cancelled are expected, not hostile
    expect(a.pendingWork.transfers + b.pendingWork.transfers).toBe(0);
  });

  it('refuses a file when nobody listens for incomingFile', async () => {
    const [a, b] = pair({ maxMessageSize: 256, latencyMs: 1 });
    await expect(a.sendFile(pattern(300_000), { name: 'x', to: b.self })).rejects.toMatchObject({ code: 'TRANSFER_CANCELLED' });
  });

  it('refuses a file over maxFileBytes', async () => {
    const [a, b] = pair({ maxMessageSize: 256, latencyMs: 1, data: { maxFileBytes: 1_000 } });
    b.on('incomingFile', () => expect.unreachable('the file is refused before the event'));
    const errors = collectDataErrors(b);
    await expect(a.sendFile(pattern(300_000), { name: 'x', to: b.self })).rejects.toMatchObject({ code: 'TRANSFER_CANCELLED' });
    expect(errors.map((e) => e.error.code)).toEqual(['DATA_TOO_LARGE']);
  });

  it('fails a file whose sender goes silent after fileIdleTimeoutMs', async () => {
    vi.useFakeTimers();
    const [a, b] = pair({ data: { fileIdleTimeoutMs: 5_000 } });
    const incoming = nextFile(b);
    let release: () => void = () => undefined;
    async function* stall() {
      yield pattern(10);
      await new Promise<void>((resolve) => (release = resolve));
    }
    const sending = a.sendFile(stall(), { name: 'stalled', to: b.self });
    await vi.advanceTimersByTimeAsync(0);
    const file = await incoming;
    const result = file.bytes().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await result).toMatchObject({ code: 'DATA_INCOMPLETE' });
    release();
    await sending.catch(() => undefined);
  });

  it('a throwing progress listener is reported as an error event on either side, and the transfer goes on', async () => {
    const [a, b] = pair({ maxMessageSize: 512 });
    const failures: string[] = [];
    a.on('error', (e) => failures.push(`a ${e.error.code} ${e.source}`));
    b.on('error', (e) => failures.push(`b ${e.error.code} ${e.source}`));
    const incoming = nextFile(b);
    const sending = a.sendFile(pattern(2_000), {
      name: 'f',
      to: b.self,
      onProgress: () => {
        throw new Error('sender bug');
      },
    });
    const file = await incoming;
    file.onProgress(() => {
      throw new Error('receiver bug');
    });
    await sending;
    expect((await file.bytes()).length).toBe(2_000);
    expect(failures).toContain('a LISTENER_FAILED listener:sendFile.onProgress');
    expect(failures).toContain('b LISTENER_FAILED listener:incomingFile.onProgress');
  });

  it('validates its arguments', async () => {
    const [a] = pair();
    await expect(a.sendFile(pattern(1), { name: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // @ts-expect-error not a file source
    await expect(a.sendFile(42, { name: 'n' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.sendFile(pattern(1), { name: 'n', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
