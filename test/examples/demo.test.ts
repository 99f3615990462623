import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `npm run demo` as a newcomer runs it: a real npm child process, which builds dist/ only if it is
// missing or stale (npm test has just built it) and runs examples/demo.mjs on the emulator (loopback).
const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Each step of the demo, and what the *other* sessions must have received during it. */
const steps: [title: string, ...received: RegExp[]][] = [
  ['Ada creates a thread and adds Grace', /^ {2}\[Grace\] ← threadCreated: Ada added you to "Launch plans"$/m],
  ['Ada says hello', /^ {2}\[Grace\] ← messageReceived: from Ada: "Hi Grace, ready for Friday\?"$/m],
  ['Grace answers', /^ {2}\[Ada\] ← messageReceived: from Grace: "Almost: the slides need one more pass\."$/m],
  ['Ada edits her message', /^ {2}\[Grace\] ← messageEdited: Ada edited a message: "Hi Grace, ready for the launch on Friday\?"$/m],
  ['Grace sends a message by mistake', /^ {2}\[Ada\] ← messageReceived: from Grace: "\(meant for another thread\)"$/m],
  ['Grace deletes it', /^ {2}\[Ada\] ← messageDeleted: Grace deleted a message$/m],
  ["Grace marks Ada's message as read", /^ {2}\[Ada\] ← readReceiptReceived: Grace read "Hi Grace, ready for the launch on Friday\?"$/m],
  ['Grace renames the thread', /^ {2}\[Ada\] ← threadUpdated: Grace set the topic to "Launch on Friday"$/m],
  ['Ada calls Grace', /^ {2}\[Grace\] ← incomingCall: Ada is calling$/m],
  ['Grace picks up', /^ {2}\[Ada\] ← participantUpdated: Grace picked up$/m],
  ['Grace mutes', /^ {2}\[Ada\] ← participantUpdated: Grace muted$/m],
  ['Grace unmutes', /^ {2}\[Ada\] ← participantUpdated: Grace unmuted$/m],
  ['Ada adds Alan to the call: it rings him', /^ {2}\[Alan\] ← incomingCall: Ada is calling$/m, /^ {2}\[Grace\] ← participantJoined: Alan is ringing$/m],
  ['Alan picks up and joins the call', /^ {2}\[Ada\] ← participantUpdated: Alan picked up$/m, /^ {2}\[Grace\] ← participantUpdated: Alan picked up$/m],
  ['Alan hangs up: he leaves, the call goes on', /^ {2}\[Ada\] ← participantLeft: Alan left$/m, /^ {2}\[Grace\] ← participantLeft: Alan left$/m],
  [
    'Ada moves her pointer: Grace sees where (a lossy channel)',
    /^ {2}\[Grace\] ← pointer: Ada at \(120, 80\)\n {2}\[Grace\] ← pointer: Ada at \(180, 95\)\n {2}\[Grace\] ← pointer: Ada at \(240, 130\)\n {2}\[Grace\] ← pointer: Ada at \(300, 160\)$/m,
  ],
  [
    "Grace asks Ada's app which slide is showing (a request with an answer)",
    /^ {2}\[Ada\] ← request currentSlide from Grace$/m,
    /^ {2}\[Grace\] got the answer: slide 12, "Launch timeline"$/m,
  ],
  [
    'Ada sends Grace the slides: a 1 MB file, with progress',
    /^ {2}\[Ada\] → slides\.pdf \[#{24}\] 100%$/m,
    /^ {2}\[Grace\] ← incomingFile: Ada is sending "slides\.pdf" \(1,048,576 bytes\)$/m,
    /^ {2}\[Grace\] saved slides\.pdf: 1,048,576 bytes$/m,
  ],
  ['Ada ends the call for everyone', /^ {2}\[Grace\] ← callEnded: endedForEveryone: The call was ended for everyone\.$/m],
];

/** The transcript cut at its numbered step headers: what was printed during each step. */
function sections(stdout: string): { title: string; body: string }[] {
  const found: { title: string; body: string }[] = [];
  let current: { title: string; body: string } | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^\d+\. (.*)$/.exec(line);
    if (header) found.push((current = { title: header[1] ?? '', body: '' }));
    else if (current && !line.startsWith('Done:')) current.body += `${line}\n`;
  }
  return found;
}

describe('npm run demo', () => {
  it('exits 0 with a transcript that shows every step as received by the other sessions', async () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
    const { stdout } = await run('npm', ['run', 'demo'], { cwd: root, timeout: 60_000 }); // rejects on a non-zero exit
    const printed = sections(stdout);
    expect(printed.map((section) => section.title)).toEqual(steps.map(([title]) => title));
    steps.forEach(([, ...received], index) => {
      for (const line of received) expect(printed[index]?.body).toMatch(line);
    });
    // Nothing received twice.
    const receivedLines = stdout.split('\n').filter((line) => line.includes(' ← '));
    expect(new Set(receivedLines).size).toBe(receivedLines.length);
    // Nobody is told about a hang-up they did themselves: only Grace's session prints a callEnded.
    expect(receivedLines.filter((line) => line.includes('callEnded'))).toEqual([expect.stringMatching(/^ {2}\[Grace\] /)]);
    // The file's progress bar went forward, a line per quarter (stdout is not a terminal here).
    const bar = stdout
      .split('\n')
      .filter((line) => line.includes('→ slides.pdf'))
      .map((line) => Number(/(\d+)%$/.exec(line)?.[1]));
    expect(bar.length).toBeGreaterThanOrEqual(4);
    expect(bar.every((percent, i) => i === 0 || percent > bar[i - 1]!)).toBe(true);
    expect(stdout).toMatch(/^Done: 19 steps, each received by the other sessions, in \d+\.\d s\.$/m);
  }, 70_000);

  it('exits non-zero naming the step whose event never came', async () => {
    // execFile's callback form: the failure's exit code and stderr, with no cast of a rejection.
    const failure = await new Promise<{ code: number | string | null | undefined; stderr: string }>((resolveRun) => {
      const env = { ...process.env, DEMO_STEP_TIMEOUT_MS: '1' }; // no event arrives within 1 ms
      execFile(process.execPath, [join('examples', 'demo.mjs')], { cwd: root, timeout: 30_000, env }, (error, _stdout, stderr) =>
        resolveRun({ code: error?.code, stderr }),
      );
    });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(
      /^demo failed at step 1 \(Ada creates a thread and adds Grace\): Grace's session received no threadCreated event within 1 ms$/m,
    );
  }, 40_000);
});
