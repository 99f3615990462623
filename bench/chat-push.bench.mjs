// session.chat push in headless Chromium (realtime 'push', the real browser ChatClient underneath)
// against the emulator's notification service: send → messageReceived latency (p50/p95), beside a
// raw ChatClient sendMessage round trip measured in the same run (chat-polling.bench.mjs, in the same
// `npm run bench`, gives the polling latency). Sends come from a Node ChatClient, 0–300 ms apart; the
// page and Node share the machine's clock. No target. Chromium runs with the suite's network-safety
// flags (test/browser/support/chromium.ts) and talks to loopback only.
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { emulatorClientOptions, startEmulator } from '../dist/emulator.js';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSource } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The session-push test page, bundled for the browser as the browser suite bundles it. */
async function bundlePushPage() {
  const outdir = join(root, '.tmp', 'bench-pages');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(root, 'test', 'browser', 'pages', 'session-push-page.ts')],
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  copyFileSync(join(root, 'test', 'browser', 'pages', 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

const SAMPLES = 40;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

export default async function chatPush(report) {
  const [{ launchChromium }, { serveStatic }] = await Promise.all([
    importSource('test/browser/support/chromium.ts'),
    importSource('test/browser/support/static-server.ts'),
  ]);
  const emu = await startEmulator();
  const pages = await serveStatic(await bundlePushPage());
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${pages.origin}/index.html`, { timeout: 15_000 });
    const [ada, grace] = [emu.createUser(), emu.createUser()];
    const adaChat = new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(emu.issueToken(ada, ['chat']).token), emulatorClientOptions(emu));
    await page.evaluate((input) => globalThis.openPushSession(input), {
      endpoint: emu.endpoint,
      token: emu.issueToken(grace, ['chat']).token,
      realtime: 'push',
    });
    const { chatThread } = await adaChat.createChatThread({ topic: 'push bench' }, { participants: [{ id: grace }] });
    const thread = adaChat.getChatThreadClient(chatThread.id);
    const record = () => page.evaluate(() => globalThis.pushSessionRecord());
    const deadline = Date.now() + 15_000;
    while ((await record()).modes.at(-1) !== 'push' && Date.now() < deadline) await sleep(20);

    const latencies = [];
    const trips = [];
    for (let i = 0; i < SAMPLES; i++) {
      await sleep(Math.random() * 300);
      const started = Date.now();
      await thread.sendMessage({ content: `sample ${i}` });
      trips.push(Date.now() - started);
      const until = started + 10_000;
      for (;;) {
        const arrived = (await record()).arrivals[`sample ${i}`];
        if (arrived !== undefined) {
          latencies.push(arrived - started);
          break;
        }
        if (Date.now() > until) break;
        await sleep(2);
      }
    }
    await page.evaluate(() => globalThis.closePushSession());
    report(`push (Chromium) send → messageReceived p50 (${latencies.length}/${SAMPLES} arrived)`, {
      value: percentile(latencies, 50),
      unit: 'ms',
      baseline: percentile(trips, 50),
    });
    report('push (Chromium) send → messageReceived p95', { value: percentile(latencies, 95), unit: 'ms', baseline: percentile(trips, 95) });
  } finally {
    await browser.close();
    await pages.close();
    await emu.close();
  }
}
