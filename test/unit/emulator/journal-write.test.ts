// Short writes and a full disk: every file write must keep going until all bytes are down, or
// fail without leaving a torn file (or a torn journal line) behind.
import type * as nodeFs from 'node:fs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Controls how many bytes the mocked writeSync lets through per call (undefined = all), and how
// many bytes in total it writes before failing with ENOSPC like a full disk (undefined = no limit).
// `truncateFails` makes ftruncateSync fail too (the disk went bad, not just full).
const limit: { bytes: number | undefined; diskLeft: number | undefined; truncateFails: boolean } = {
  bytes: undefined,
  diskLeft: undefined,
  truncateFails: false,
};

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  const writeSync = (fd: number, buffer: NodeJS.ArrayBufferView, offset = 0, length?: number): number => {
    const available = length ?? buffer.byteLength - offset;
    let n = limit.bytes === undefined ? available : Math.min(available, limit.bytes);
    if (limit.diskLeft !== undefined) {
      if (limit.diskLeft === 0 && n > 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      n = Math.min(n, limit.diskLeft);
      limit.diskLeft -= n;
    }
    return n === 0 ? 0 : fs.writeSync(fd, buffer, offset, n);
  };
  const ftruncateSync = (fd: number, len?: number): void => {
    if (limit.truncateFails) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
    fs.ftruncateSync(fd, len);
  };
  return { ...fs, default: { ...fs, writeSync, ftruncateSync }, writeSync, ftruncateSync };
});

const { openJournal } = await import('../../../src/emulator/store/journal.js');
const { EmulatorState } = await import('../../../src/emulator/store/state.js');
const { writeFileAtomic } = await import('../../../src/emulator/store/files.js');

const dirs: string[] = [];
afterEach(() => {
  limit.bytes = undefined;
  limit.diskLeft = undefined;
  limit.truncateFails = false;
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('journal append', () => {
  it('completes a line written a few bytes at a time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-journal-'));
    dirs.push(dir);
    const state = new EmulatorState();
    const journal = openJournal(dir, state);
    limit.bytes = 7;
    state.commit({ t: 'user', user: { id: '8:acs:r_' + 'u'.repeat(100), createdOn: 1 } });
    limit.bytes = undefined;
    journal.close();
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ t: 'user', user: { id: '8:acs:r_' + 'u'.repeat(100), createdOn: 1 } }]);
  });

  it('throws instead of spinning when a write makes no progress', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-journal-'));
    dirs.push(dir);
    const journal = openJournal(dir, new EmulatorState());
    limit.bytes = 0;
    expect(() => journal.append({ t: 'user', user: { id: 'x', createdOn: 0 } })).toThrow(/no progress/);
    limit.bytes = undefined;
    journal.close();
  });
});

const user = (n: number) => ({ t: 'user' as const, user: { id: `8:acs:r_${n}`, createdOn: n } });

describe('journal append after a failed write', () => {
  it('cuts off the partial line, so the next acknowledged entry replays', () => {
    const dir = tempDir();
    const state = new EmulatorState();
    const journal = openJournal(dir, state);
    state.commit(user(1));
    limit.diskLeft = 10; // the disk fills 10 bytes into the next line
    expect(() => state.commit(user(2))).toThrow(/ENOSPC/);
    limit.diskLeft = undefined;
    state.commit(user(3));
    journal.close();
    const replayed = new EmulatorState();
    const reopened = openJournal(dir, replayed);
    reopened.close();
    expect([...replayed.users.keys()]).toEqual(['8:acs:r_1', '8:acs:r_3']);
    expect(reopened.replay.skipped).toBe(0);
  });

  it('refuses every later append when the partial line cannot be cut off', () => {
    const dir = tempDir();
    const state = new EmulatorState();
    const journal = openJournal(dir, state);
    state.commit(user(1));
    limit.diskLeft = 10;
    limit.truncateFails = true;
    expect(() => state.commit(user(2))).toThrow(/ENOSPC/);
    limit.diskLeft = undefined;
    limit.truncateFails = false;
    expect(() => state.commit(user(3))).toThrow(/unusable/);
    expect(state.users.has('8:acs:r_3')).toBe(false);
    journal.close();
  });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'acs-journal-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileAtomic', () => {
  it('writes the whole file when each write is short', () => {
    const path = join(tempDir(), 'keys.json');
    limit.bytes = 3;
    writeFileAtomic(path, 'x'.repeat(1000));
    limit.bytes = undefined;
    expect(readFileSync(path, 'utf8')).toBe('x'.repeat(1000));
  });

  it('keeps the old file and leaves no temp file when the disk fills midway', () => {
    const dir = tempDir();
    const path = join(dir, 'journal.jsonl');
    writeFileSync(path, 'old content\n');
    limit.diskLeft = 100;
    expect(() => writeFileAtomic(path, 'n'.repeat(1000))).toThrow(/ENOSPC/);
    limit.diskLeft = undefined;
    expect(readFileSync(path, 'utf8')).toBe('old content\n');
    expect(readdirSync(dir)).toEqual(['journal.jsonl']);
  });

  it('fails instead of renaming a truncated file when a write makes no progress', () => {
    const dir = tempDir();
    const path = join(dir, 'keys.json');
    writeFileSync(path, '{}');
    limit.bytes = 0;
    expect(() => writeFileAtomic(path, 'new')).toThrow(/no progress/);
    limit.bytes = undefined;
    expect(readFileSync(path, 'utf8')).toBe('{}');
    expect(existsSync(`${path}.${process.pid}.tmp`)).toBe(false);
  });
});

describe('journal compaction', () => {
  it('compacts completely with short writes, and a failed compaction keeps the journal', () => {
    const dir = tempDir();
    const state = new EmulatorState();
    const journal = openJournal(dir, state);
    for (let i = 0; i < 20; i++) state.commit({ t: 'user', user: { id: `8:acs:r_${i}`, createdOn: i } });
    journal.close();
    const before = readFileSync(join(dir, 'journal.jsonl'), 'utf8');

    limit.bytes = 5;
    openJournal(dir, new EmulatorState()).close();
    limit.bytes = undefined;
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toBe(before);

    limit.diskLeft = before.length - 10;
    expect(() => openJournal(dir, new EmulatorState())).toThrow(/ENOSPC/);
    limit.diskLeft = undefined;
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toBe(before);

    const replayed = new EmulatorState();
    openJournal(dir, replayed).close();
    expect(replayed.users.size).toBe(20);
  });
});

describe('multi-entry changes on a full disk', () => {
  it('a thread creation that fails leaves no thread, so the retry creates exactly one', async () => {
    const { startEmulator } = await import('../../../src/emulator/index.js');
    const { createUsers, rawRequest } = await import('../../support/emulatorClients.js');
    const dir = tempDir();
    const emu = await startEmulator({ port: 0, dataDir: dir, onError: () => undefined });
    try {
      const [ada] = await createUsers(emu, 1);
      const create = () =>
        rawRequest(emu, {
          method: 'POST',
          path: '/chat/threads?api-version=2025-03-15',
          headers: { authorization: `Bearer ${ada!.token}`, 'content-type': 'application/json', 'repeatability-request-id': 'once' },
          body: JSON.stringify({ topic: 'only one' }),
        });
      // Room for the thread entry but not for the rest (participants, system messages, key).
      limit.diskLeft = 400;
      expect((await create()).status).toBe(500);
      limit.diskLeft = undefined;
      expect((await create()).status).toBe(201);
      expect((await create()).status).toBe(201); // the repeatability key returns the same thread
      const threads = await rawRequest(emu, { path: '/chat/threads?api-version=2025-03-15', headers: { authorization: `Bearer ${ada!.token}` } });
      expect((JSON.parse(threads.text) as { value: unknown[] }).value).toHaveLength(1);
    } finally {
      await emu.close();
    }
    const replayed = new EmulatorState();
    openJournal(dir, replayed).close();
    expect(replayed.threads.size).toBe(1);
  });
});
