import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/emulator/store/journal.js';
import { loadOrCreateKeys } from '../../../src/emulator/store/keys.js';
import { lockDataDir } from '../../../src/emulator/store/lock.js';
import { EmulatorState } from '../../../src/emulator/store/state.js';

const dirs: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'acs-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function seed(state: EmulatorState): void {
  state.commit({ t: 'user', user: { id: '8:acs:r_a', createdOn: 1 } });
  state.commit({ t: 'thread', thread: { id: '19:t@thread.v2', topic: 't', createdOn: 1, createdBy: '8:acs:r_a', lastMessageOn: 1 } });
  state.commit({ t: 'participant', threadId: '19:t@thread.v2', participant: { rawId: '8:acs:r_a' } });
  for (let i = 1; i <= 3; i++) {
    state.commit({
      t: 'message',
      threadId: '19:t@thread.v2',
      message: { id: String(i), type: 'text', sequenceId: i, version: String(i), createdOn: i, content: { message: `m${i}` } },
    });
  }
  state.commit({
    t: 'message',
    threadId: '19:t@thread.v2',
    message: { id: '2', type: 'text', sequenceId: 2, version: '9', createdOn: 2, editedOn: 9, content: { message: 'edited' } },
  });
  state.commit({ t: 'participantRemoved', threadId: '19:t@thread.v2', rawId: '8:acs:r_a' });
}

describe('journal', () => {
  it('replays to the same state, compacts, and skips a torn last line', () => {
    const d = dir();
    const a = new EmulatorState();
    const journal = openJournal(d, a);
    seed(a);
    journal.close();
    appendFileSync(join(d, 'journal.jsonl'), '{"t":"user","user":{"id":"8:ac');

    const b = new EmulatorState();
    const reopened = openJournal(d, b);
    expect(reopened.replay).toEqual({ applied: 8, skipped: 1 });
    expect([...b.entries()]).toEqual([...a.entries()]);
    const thread = b.threads.get('19:t@thread.v2');
    expect(thread?.messages.map((m) => m.content?.message)).toEqual(['m1', 'edited', 'm3']);
    expect(thread?.participants.size).toBe(0);
    reopened.close();
    // Compacted: one line per live record, the torn line gone.
    expect(readFileSync(join(d, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(() => reopened.append({ t: 'user', user: { id: 'x', createdOn: 0 } })).toThrow(/closed/);
  });
});

describe('journal and own __proto__ keys', () => {
  it('round-trips a metadata key named __proto__', () => {
    const d = dir();
    const a = new EmulatorState();
    const journal = openJournal(d, a);
    const metadata = JSON.parse('{"__proto__":"x","k":"v"}') as Record<string, string>;
    a.commit({ t: 'thread', thread: { id: '19:p@thread.v2', topic: 't', createdOn: 1, createdBy: '8:acs:r_a', lastMessageOn: 1, metadata } });
    journal.close();
    const b = new EmulatorState();
    openJournal(d, b).close();
    expect(Object.entries(b.threads.get('19:p@thread.v2')?.record.metadata ?? {})).toEqual([
      ['__proto__', 'x'],
      ['k', 'v'],
    ]);
  });
});

describe('keys', () => {
  it('persists keys and certificate, and honours a given access key', () => {
    const d = dir();
    const first = loadOrCreateKeys(d);
    const second = loadOrCreateKeys(d);
    expect(second.resourceId).toBe(first.resourceId);
    expect(second.accessKey).toBe(first.accessKey);
    expect(second.tokenSecret.equals(first.tokenSecret)).toBe(true);
    expect(second.certificate).toEqual(first.certificate);
    const custom = Buffer.alloc(32, 1).toString('base64');
    const third = loadOrCreateKeys(d, custom);
    expect(third.accessKey).toBe(custom);
    expect(third.resourceId).toBe(first.resourceId);
    expect(() => loadOrCreateKeys(undefined, 'not base64!')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
  it('refuses to start on a keys.json it cannot read, leaving the file as it is', () => {
    const d = dir();
    const first = loadOrCreateKeys(d);
    const keysPath = join(d, 'keys.json');
    const valid = readFileSync(keysPath, 'utf8');
    for (const broken of ['{"resourceId": "r", "accessKey": ', '[]', JSON.stringify({ resourceId: first.resourceId, accessKey: '!', tokenSecret: 'QUJD' })]) {
      writeFileSync(keysPath, broken);
      expect(() => loadOrCreateKeys(d)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining(keysPath) }));
      expect(readFileSync(keysPath, 'utf8')).toBe(broken);
    }
    writeFileSync(keysPath, valid);
    expect(loadOrCreateKeys(d).resourceId).toBe(first.resourceId);
  });
});

describe('data dir lock', () => {
  const lockPath = (d: string): string => join(d, 'lock');
  const age = (path: string): void => {
    const past = new Date(Date.now() - 60_000);
    utimesSync(path, past, past);
  };

  it('refuses a lock file that has no pid yet, instead of deleting it under the starter writing it', () => {
    const d = dir();
    writeFileSync(lockPath(d), '');
    expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(readFileSync(lockPath(d), 'utf8')).toBe('');
  });

  it('takes over a pid-less lock file left long ago, and leaves no temp files', () => {
    const d = dir();
    writeFileSync(lockPath(d), '');
    age(lockPath(d));
    const lock = lockDataDir(d);
    expect(readFileSync(lockPath(d), 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(d)).toEqual(['lock']);
    lock.release();
    expect(readdirSync(d)).toEqual([]);
  });

  it('removes a break guard left by a crashed starter, but waits for a live one', () => {
    const d = dir();
    writeFileSync(lockPath(d), '999999999\n'); // no such pid
    writeFileSync(join(d, 'lock.break'), '');
    expect(() => lockDataDir(d)).toThrow(/taking over/);
    expect(readFileSync(lockPath(d), 'utf8')).toBe('999999999\n');
    age(join(d, 'lock.break'));
    const lock = lockDataDir(d);
    expect(readdirSync(d)).toEqual(['lock']);
    lock.release();
  });
});
