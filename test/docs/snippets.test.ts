import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSnippets, ENTRIES, extractSnippets, root, runSnippet, typeCheck, type Snippet } from './snippets.js';

// The docs cannot drift from the code: every ts/tsx/js/mjs block of README.md and docs/*.md is
// type-checked against src/ as `acs-session` / `acs-session/emulator`, and every block marked
// `js run` is run with Node against the built package and must exit 0.
const work = join(root, '.tmp', 'docs-snippets');
const snippets = allSnippets();
const checked = snippets.filter((snippet) => snippet.skipReason === undefined);
const where = (snippet: Snippet) => `${snippet.file}:${snippet.line}`;

describe('code in README.md and docs/*.md', () => {
  it('is found, and opting a block out needs a reason (there are very few)', () => {
    expect(snippets.length).toBeGreaterThan(5);
    const skipped = snippets.filter((snippet) => snippet.skipReason !== undefined);
    for (const snippet of skipped) expect(snippet.skipReason, where(snippet)).not.toBe('');
    expect(skipped.length).toBeLessThanOrEqual(2);
  });

  it('maps every entry of the package to its source', () => {
    const { name, exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    const entries = Object.keys(exports)
      .filter((path) => path !== './package.json')
      .map((path) => (path === '.' ? name : `${name}/${path.slice(2)}`));
    expect(Object.keys(ENTRIES).sort()).toEqual(entries.sort());
    for (const source of Object.values(ENTRIES)) expect(existsSync(join(root, source)), source).toBe(true);
  });

  it('type-checks against the package entries', () => {
    const problems = typeCheck(checked, join(work, 'check'));
    expect(problems.map(({ where, message }) => `${where}: ${message}`)).toEqual([]);
  }, 120_000);

  const runnable = checked.filter((snippet) => snippet.run);
  it('marks at least the emulator quick start as a program to run, in JavaScript', () => {
    expect(runnable.map((snippet) => snippet.file)).toContain('README.md');
    for (const snippet of runnable) expect(['js', 'mjs'], `${where(snippet)} runs on Node as is`).toContain(snippet.lang);
  });

  for (const snippet of runnable) {
    it(`${where(snippet)} runs to exit code 0`, async () => {
      if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
      const { code, output } = await runSnippet(snippet, join(work, 'run'));
      expect({ code, output }).toMatchObject({ code: 0 });
    }, 40_000);
  }
});

describe('the snippet checker', () => {
  const markdown = [
    '# Doc',
    '',
    '```ts',
    "import { createSession } from 'acs-session';",
    'const ok = await createSession({ endpoint, token: fetchToken });',
    '```',
    '',
    '```js run',
    "import { startEmulator } from 'acs-session/emulator';",
    'const emu = await startEmulator();',
    "emu.issueToken(emu.createUser(), ['chat']);",
    'await emu.close();',
    'process.exit(3);',
    '```',
    '',
    '<!-- snippet: skip (shows a call that does not exist yet) -->',
    '```ts',
    'session.nope();',
    '```',
    '',
    '```ts',
    "session.on('stateChanged', (e) => e.state.toFixed());",
    '```',
  ].join('\n');
  const found = extractSnippets(markdown, 'WRONG.md');

  it('reads language, run marker, skip reason and the line of each block', () => {
    expect(found.map(({ line, lang, run, skipReason }) => ({ line, lang, run, skipReason }))).toEqual([
      { line: 4, lang: 'ts', run: false, skipReason: undefined },
      { line: 9, lang: 'js', run: true, skipReason: undefined },
      { line: 18, lang: 'ts', run: false, skipReason: 'shows a call that does not exist yet' },
      { line: 22, lang: 'ts', run: false, skipReason: undefined },
    ]);
  });

  it('reports a wrong snippet at its file and line', () => {
    const problems = typeCheck(
      found.filter((snippet) => snippet.skipReason === undefined),
      join(work, 'self-test'),
    );
    expect(problems).toEqual([{ where: 'WRONG.md:22', message: expect.stringMatching(/^TS\d+: Property 'toFixed' does not exist on type 'ConnectionState'/) }]);
  }, 120_000);

  it('reports a program that exits with an error', async () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
    const result = await runSnippet(found[1]!, join(work, 'self-test-run'));
    expect(result.code).toBe(3);
  }, 40_000);
});
