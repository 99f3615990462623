import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeAcsToken, rawIdOf } from '../support/tokens.js';

// Whether a Node script stays alive, exits, or ends with its top-level await unsettled (exit code
// 13) is only seen in a real process with real timers. Each script imports the built package, as
// a user's script would.
const root = resolve(import.meta.dirname, '../..');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function runScript(name: string): Promise<Outcome> {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(import.meta.dirname, 'scripts', name)],
      { cwd: root, timeout: 15_000, env: { ...process.env, ACS_TEST_TOKEN: fakeAcsToken(), AZURE_LOG_LEVEL: '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
  });
}

describe('a Node script waiting on the session', () => {
  it('connects on the retry when the first fetch fails, and exits 0', async () => {
    const { code, stdout, stderr } = await runScript('first-fetch-fails.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`connected after 2 fetches as ${rawIdOf()}`);
  });

  it("runs the caller's catch with TOKEN_FETCH_FAILED when every attempt fails, and exits normally", async () => {
    const { code, stdout, stderr } = await runScript('every-fetch-fails.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('caught TOKEN_FETCH_FAILED after 3 fetches');
  });

  it('times a hung fetcher out and runs the catch', async () => {
    const { code, stdout, stderr } = await runScript('hung-fetcher.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/caught TOKEN_FETCH_FAILED: .*did not answer within 300 ms/);
  });

  it('gets the retried token in a getToken() waiting after a failed forced refresh', async () => {
    const { code, stdout, stderr } = await runScript('forced-refresh-retry.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('forced refresh failed with TOKEN_FETCH_FAILED');
    expect(stdout).toMatch(/got a token after 3 fetches, expires .*, state connected/);
  });
});

describe('a Node script that forgets its session', () => {
  it('exits at once: an idle session keeps nothing alive', async () => {
    const { code, stdout, elapsedMs } = await runScript('idle-session.mjs');
    expect(code).toBe(0);
    expect(stdout).toContain(`connected as ${rawIdOf()}, state connected`);
    // The proactive refresh is 50 minutes away; the 15 s kill timeout would show as code null.
    expect(elapsedMs).toBeLessThan(10_000);
  });
});
