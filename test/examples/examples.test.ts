import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Every example runs as a user would run it (`node examples/<file>`, against the built package)
// and must exit 0 with the output it promises. They talk only to the emulator on loopback.
const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** What each example must print, so a silently broken example cannot pass. */
const expectations: Record<string, RegExp[]> = {
  'calls-on-emulator.mjs': [
    /Grace: Ada is calling/,
    /Ada: connected to Grace/,
    /Ada sees Grace muted[\s\S]*Ada sees Grace unmuted/,
    /Ada: call ended: hungUp \(0\/0\)/,
    /Ada: Alan joined[\s\S]*Ada: Alan left/,
    /Grace: call ended: endedForEveryone \(0\/4097\)/,
    /Ada: call ended: notAnswered \(487\/10004\)[\s\S]*Ada: call ended: unreachable \(480\/10037\)/,
  ],
  'session-on-emulator.mjs': [
    /token fetch \(initial\)/,
    /connected as 8:acs:[\w-]+_[\w-]+/,
    /message: Hello, emulator!/,
    /after revocation: HTTP 401/,
    /token fetch \(rejected\)/,
    /after a forced refresh: topic "Hello from acs-session"/,
    /state: connected → disconnected/,
  ],
  'node-bot.mjs': [
    /bot: added to "Bot test"/,
    /ada: got "Hi, I am Echo bot\. Say anything and I echo it back\."/,
    /bot: heard "help" from Ada/,
    /bot: heard "hello bot" from Ada/,
    /ada: got "echo: hello bot"/,
    /transcript: Hi, I am Echo bot\. Say anything and I echo it back\. \| Say anything and I echo it back\. \| echo: hello bot$/m,
  ],
  'token-server.mjs': [
    /without signing in: HTTP 401/,
    /connected as 8:acs:[\w-]+_[\w-]+/,
    /message: Hello from a served token!/,
    /same identity on the next issue: true/,
    /after revoke: HTTP 401/,
    /token from the service \(rejected\)/,
    /after a forced refresh: topic "Tokens from the service"/,
    /fetchToken without credentials: TOKEN_FETCH_FAILED \(HTTP 401\)/,
  ],
};

/** Examples run through an npm script rather than `node`, tested below. */
const runByScript = ['demo.mjs'];

describe('examples', () => {
  const files = readdirSync(join(root, 'examples')).filter((file) => file.endsWith('.mjs'));

  it('every example has expectations', () => {
    expect(files.sort()).toEqual([...Object.keys(expectations), ...runByScript].sort());
  });

  for (const file of files.filter((name) => !runByScript.includes(name))) {
    it(`${file} runs and prints what it promises`, async () => {
      if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
      const { stdout } = await run(process.execPath, [join('examples', file)], { cwd: root, timeout: 30_000 });
      for (const pattern of expectations[file] ?? []) expect(stdout).toMatch(pattern);
    }, 40_000);
  }
});
