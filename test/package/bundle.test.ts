import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What an app's bundler makes of acs-session: a chat-only app must not contain the calling SDK
// (7 MB, Microsoft's licence), and an app that calls gets the SDK as a lazy chunk of its own.
const root = resolve(import.meta.dirname, '../..');
const work = join(root, '.tmp', 'bundle-test');
// Strings found only in @azure/communication-calling's bundle, never in ours.
const SDK_MARKERS = ['teamsCallAgentCreated', 'ScenarioTracker: markStep'];

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function bundle(name: string, source: string, splitting: boolean) {
  const entry = join(work, `${name}.ts`);
  writeFileSync(entry, source.replaceAll('ACS_SESSION', join(root, 'dist', 'index.js')));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    splitting,
    outdir: join(work, name),
    write: false,
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => ({ path: file.path, text: file.text, entry: file.path.endsWith(`${name}.js`) }));
}

describe('bundling an app with esbuild', () => {
  it('a chat-only app contains no calling SDK code', async () => {
    const files = await bundle(
      'chat-only',
      `import { createSession } from 'ACS_SESSION';
const session = await createSession({ endpoint: 'https://r.communication.azure.com', token: async () => 'jwt' });
console.log(session.user.rawId);`,
      false,
    );
    const all = files.map((f) => f.text).join('\n');
    for (const marker of SDK_MARKERS) expect(all).not.toContain(marker);
    expect(all.length).toBeLessThan(1_000_000);
  });

  it('an app that passes calling.loadSdk gets the SDK as a separate lazy chunk, not in its entry', async () => {
    const files = await bundle(
      'calls',
      `import { createSession } from 'ACS_SESSION';
const session = await createSession({ endpoint: 'https://r.communication.azure.com', token: async () => 'jwt', calling: { loadSdk: () => import('@azure/communication-calling') } });
await session.calls.connect();`,
      true,
    );
    const entry = files.find((f) => f.entry);
    expect(entry).toBeDefined();
    for (const marker of SDK_MARKERS) expect(entry?.text).not.toContain(marker);
    expect(files.some((f) => !f.entry && SDK_MARKERS.every((m) => f.text.includes(m)))).toBe(true);
  }, 60_000);
});
