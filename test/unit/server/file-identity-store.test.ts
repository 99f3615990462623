import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileIdentityStore } from '../../../src/server/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'acs-file-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createFileIdentityStore', () => {
  it('writes mappings another store on the same file reads, and leaves no lock or temporary file', async () => {
    const file = join(dir, 'nested', 'ids.json');
    await createFileIdentityStore(file).set('ada', '8:acs:r_1');
    await createFileIdentityStore(file).set('bob', '8:acs:r_2');
    const reader = createFileIdentityStore(file);
    expect([await reader.get('ada'), await reader.get('bob'), await reader.get('carol')]).toEqual(['8:acs:r_1', '8:acs:r_2', undefined]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, identities: { ada: '8:acs:r_1', bob: '8:acs:r_2' } });
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['ids.json']);
  });

  it('runs exclusive work one at a time across stores, and set inside it does not wait for itself', async () => {
    const file = join(dir, 'ids.json');
    const [a, b] = [createFileIdentityStore(file), createFileIdentityStore(file)];
    let inside = 0;
    let most = 0;
    const work = (store: typeof a, user: string) => {
      // Without exclusive() there would be nothing to run, and the test would pass by doing nothing.
      if (!store.exclusive) throw new Error('the file identity store must offer exclusive()');
      return store.exclusive(user, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        await store.set(user, `8:acs:r_${user}`);
        inside--;
      });
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => work(i % 2 ? a : b, `u${i}`)));
    expect(most).toBe(1);
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { identities: object }).identities)).toHaveLength(10);
  });

  it('takes over a lock left by a crashed process, and times out on a live one', async () => {
    const file = join(dir, 'ids.json');
    writeFileSync(`${file}.lock`, '999999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await createFileIdentityStore(file, { staleLockMs: 30_000 }).set('ada', '8:acs:r_1');

    writeFileSync(`${file}.lock`, '999999\n');
    await expect(createFileIdentityStore(file, { lockTimeoutMs: 100 }).set('bob', '8:acs:r_2')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('keeps its lock fresh while slow work runs, so nobody takes it over as stale', async () => {
    const file = join(dir, 'ids.json');
    const [a, b] = [createFileIdentityStore(file, { staleLockMs: 60 }), createFileIdentityStore(file, { staleLockMs: 60 })];
    const order: string[] = [];
    const slow = a.exclusive?.('ada', async () => {
      await new Promise((r) => setTimeout(r, 250));
      order.push('a done');
    });
    await new Promise((r) => setTimeout(r, 10));
    await b.set('bob', '8:acs:r_2');
    order.push('b done');
    await slow;
    expect(order).toEqual(['a done', 'b done']);
  });

  it('refuses a file that is not an identity store', async () => {
    const file = join(dir, 'ids.json');
    writeFileSync(file, '{"something":"else"}');
    await expect(createFileIdentityStore(file).get('ada')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(() => createFileIdentityStore('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
