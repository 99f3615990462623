// Runs the browser suite (vitest.browser.config.ts). As root it re-runs itself inside a new network
// namespace that has only loopback (DESIGN.md §5): the calling SDK and Chromium try Microsoft and
// Google hosts on their own, and there they can neither resolve nor connect.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const isolated = process.env.ACS_SESSION_LOOPBACK_ONLY === '1';

function exit(result, what) {
  if (result.error) {
    console.error(`[browser tests] ${what} failed to start: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!existsSync(chromium) && !isolated && process.getuid?.() === 0 && hasApt) {
  // On the project's Debian machines (root) `npm install && npm test` must be all the set-up there is.
  console.log('[browser tests] Chromium is missing: installing the Debian package (apt-get install chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) console.error('[browser tests] apt-get could not install chromium; the suite will fail below.');
}

if (process.getuid?.() === 0 && !isolated) {
  const result = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, self], {
    stdio: 'inherit',
    env: { ...process.env, ACS_SESSION_LOOPBACK_ONLY: '1' },
  });
  if (result.status !== 0 && result.status !== null) {
    console.error('[browser tests] ran inside a loopback-only network namespace (unshare --net); see above for failures.');
  }
  exit(result, 'unshare --net (needs root and util-linux; the browser suite never runs as root with the network)');
} else {
  const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
  exit(spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.browser.config.ts'], { stdio: 'inherit', cwd: root }), 'vitest');
}
