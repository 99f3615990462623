import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

// Whether a Node script stays alive while it awaits a send is only seen in a real process.
const root = resolve(import.meta.dirname, '../../..');
const bundle = join(root, '.tmp', 'data-lifetime', 'testing.mjs');

beforeAll(async () => {
  mkdirSync(join(root, '.tmp', 'data-lifetime'), { recursive: true });
  await build({
    entryPoints: [join(root, 'src/testing/index.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
}, 60_000);

const runScript = (body: string) =>
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `import { createTestCallDataPair } from ${JSON.stringify(pathToFileURL(bundle).href)};\n${body}`],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    },
  ).trim();

describe('process lifetime', () => {
  it('a script whose last task is awaiting a large send and its arrival runs to the end', () => {
    const output = runScript(`
const [a, b] = createTestCallDataPair({ maxMessageSize: 1024 });
const arrived = new Promise((resolve) => b.channel('bulk', { codec: 'binary' }).on('message', ({ value }) => resolve(value.length)));
await a.channel('bulk', { codec: 'binary' }).send(new Uint8Array(5_000_000));
console.log('sent', await arrived);
a.close(); b.close();`);
    expect(output).toBe('sent 5000000');
  });

  it('a paced send keeps the script alive until it is done', () => {
    const output = runScript(`
const [a, b] = createTestCallDataPair({ maxMessageSize: 1024, data: { bitrateKbps: { durable: 160 } } });
const started = Date.now();
await a.channel('bulk', { codec: 'binary' }).send(new Uint8Array(40_000));
console.log('paced', Date.now() - started >= 900);
a.close(); b.close();`);
    expect(output).toBe('paced true');
  });

  it('a script awaiting an RPC that gets no answer ends with RPC_TIMEOUT rather than exiting', () => {
    const output = runScript(`
const [a, b] = createTestCallDataPair();
b.handle('never', () => new Promise(() => {}));
const result = await a.request('never', {}, { to: b.self, timeoutMs: 300 }).catch((e) => e.code);
console.log(result);
a.close(); b.close();`);
    expect(output).toBe('RPC_TIMEOUT');
  });

  it('closed CallData objects let the script exit at once', () => {
    const started = Date.now();
    const output = runScript(`
const [a, b] = createTestCallDataPair({ data: { rpcTimeoutMs: 60_000 } });
b.handle('never', () => new Promise(() => {}));
a.request('never', {}, { to: b.self }).catch((e) => console.log(e.code));
a.close(); b.close();`);
    expect(output).toBe('DISPOSED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
