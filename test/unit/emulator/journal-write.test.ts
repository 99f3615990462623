// Short writes: the journal must keep writing until the whole line is down (or fail loudly).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Controls how many bytes the mocked writeSync lets through per call (undefined = all).
const limit: { bytes: number | undefined } = { bytes: undefined };

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, buffer: NodeJS.ArrayBufferView, offset = 0, length?: number): number => {
    const available = (length ?? buffer.byteLength - offset);
    const n = limit.bytes === undefined ? available : Math.min(available, limit.bytes);
    return n === 0 ? 0 : fs.writeSync(fd, buffer, offset, n);
  };
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { openJournal } = await import('../../../src/emulator/store/journal.js');
const { EmulatorState } = await import('../../../src/emulator/store/state.js');

const dirs: string[] = [];
afterEach(() => {
  limit.bytes = undefined;
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
