import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../support/emulatorClients.js';
import type { CallsRunInput } from './pages/calls-page.js';
import { type BrowserFixture, startBrowserFixture } from './support/browser-fixture.js';

// session.calls on the azure provider with the real calling SDK in headless Chromium, offline: the
// SDK is fetched only when the first call API runs, an agent is created, a join that cannot reach
// ACS ends as callEnded with a mapped reason, the DataChannel feature is reachable, and dispose()
// leaves no agent. The page is bundled the way an app bundles: ESM with splitting, the SDK coming
// from node_modules through calling.loadSdk into a lazy chunk under .tmp (never committed).
const root = resolve(import.meta.dirname, '../..');
let fx: BrowserFixture;
let identity: CommunicationIdentityClient;
let sdkChunk = '';

async function bundleCallsPage(): Promise<string> {
  const outdir = join(root, '.tmp', 'browser-calls');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'test', 'browser', 'pages', 'calls-page.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    metafile: true,
    logLevel: 'silent',
  });
  sdkChunk = chunkWith(result.metafile, '@azure/communication-calling');
  copyFileSync(join(root, 'test', 'browser', 'pages', 'calls.html'), join(outdir, 'calls.html'));
  return outdir;
}

beforeAll(async () => {
  fx = await startBrowserFixture({ bundle: bundleCallsPage });
  identity = identityClient(fx.emu);
}, 90_000);

afterAll(() => fx?.close());

describe('session.calls with the real calling SDK in Chromium (offline)', () => {
  it('loads the SDK on the first call API only, ends an unreachable join with a mapped reason, and disposes its agent', async () => {
    const { token } = await identity.createUserAndToken(['voip']);
    // The SDK tries Microsoft hosts on its own, which fail to resolve: only page errors count as failures here.
    const { page, requested, pageErrors } = await fx.newPage({ path: 'calls.html' });
    await page.waitForFunction(() => 'runCalls' in globalThis, undefined, { timeout: 15_000 });
    expect(requested.some((url) => url.endsWith(sdkChunk))).toBe(false);

    const input: CallsRunInput = { endpoint: fx.emu.endpoint, token };
    const result = await page.evaluate((args) => {
      if (!globalThis.runCalls) throw new Error('the page did not define runCalls');
      return globalThis.runCalls(args);
    }, input);

    expect(result.scriptsBeforeCalls.some((url) => url.endsWith(sdkChunk))).toBe(false);
    expect(requested.some((url) => url.endsWith(sdkChunk))).toBe(true);
    expect(result.connectError).toBeUndefined();
    expect(result.agentsCreated).toBe(1);
    // The SDK's initial 'None' is reported as the 'connecting' the call starts in, not as a state of its own.
    expect(result.events.filter((e) => e.startsWith('call'))).toEqual([
      'callStarted',
      'callStateChanged:disconnecting',
      'callStateChanged:disconnected',
      'callEnded:networkFailure',
    ]);
    expect(result.endReason).toEqual({ kind: 'networkFailure', code: 410, subCode: 3111 });
    expect(result.dataChannel).toEqual({ maxMessageSize: 32_768, open: true });
    expect(result.agentsDisposed).toBe(1);
    expect(result.clientsDisposed).toBe(1);
    expect(result.afterDispose).toBe('DISPOSED');
    expect(pageErrors()).toEqual([]);
    await page.close();
  }, 120_000);
});

function chunkWith(metafile: Metafile, pkg: string): string {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (Object.keys(output.inputs).some((input) => input.includes(`node_modules/${pkg}/`))) return file.split('/').pop() ?? file;
  }
  throw new Error(`no output chunk contains ${pkg}`);
}
