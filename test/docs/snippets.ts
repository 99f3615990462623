// Finds the code blocks of the Markdown docs, type-checks them against src/ through the package's
// own entry names, and runs the ones marked as complete programs. Used by snippets.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

export const root = resolve(import.meta.dirname, '../..');

/**
 * The package's entry names and their sources: snippets are checked against src/, not a build.
 * snippets.test.ts checks that this lists every entry of package.json `exports`.
 */
export const ENTRIES: Readonly<Record<string, string>> = {
  'acs-session': 'src/index.ts',
  'acs-session/emulator': 'src/emulator/index.ts',
  'acs-session/server': 'src/server/index.ts',
  'acs-session/data': 'src/data/index.ts',
  'acs-session/testing': 'src/testing/index.ts',
};

/** Info-string languages that are checked. `js run` (or `mjs run`) also runs the block with Node. */
const CHECKED = new Set(['ts', 'tsx', 'js', 'mjs']);
/** `<!-- snippet: skip (reason) -->` on the line right above a fence opts that block out. */
const SKIP = /^<!--\s*snippet:\s*skip\s*\((.*)\)\s*-->$/;

export interface Snippet {
  /** Repository-relative Markdown file. */
  file: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  line: number;
  lang: string;
  /** Marked `run`: a complete program, run with Node against the built package. */
  run: boolean;
  /** Why the block is not checked, when it is opted out. */
  skipReason: string | undefined;
  code: string;
}

/** Every fenced code block in `markdown` whose language is ts, tsx, js or mjs. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', lang = '', info = ''] = open;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').trim().startsWith(fence)) end++;
    const above = (lines[i - 1] ?? '').trim();
    if (CHECKED.has(lang)) {
      snippets.push({
        file,
        line: start + 1,
        lang,
        run: info.split(/\s+/).includes('run'),
        skipReason: SKIP.exec(above)?.[1]?.trim(),
        code: lines
          .slice(start, end)
          .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
          .join('\n'),
      });
    }
    i = end;
  }
  return snippets;
}

/** The Markdown files whose code is checked: README.md and docs/*.md. */
export function docFiles(): string[] {
  const docs = ts.sys.readDirectory(join(root, 'docs'), ['.md'], undefined, undefined, 1);
  return [join(root, 'README.md'), ...docs].map((path) => relative(root, path)).sort();
}

export function allSnippets(files = docFiles()): Snippet[] {
  return files.flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file));
}

/**
 * The names snippets may use without defining them, as an app that already has them would. Keep it
 * small and true to the API: each is what the name means everywhere in the docs.
 */
export const PRELUDE = `import type { Session, TokenFetcher } from 'acs-session';
import type { Emulator } from 'acs-session/emulator';
import type { CallData, DataParticipant } from 'acs-session/data';
import type { Call } from '@azure/communication-calling';
declare global {
  /** A call of the ACS calling SDK (browser). */
  const call: Call;
  /** The data helper of a call, as createCallData returns it. */
  const data: CallData;
  /** Another participant of the call. */
  const participant: DataParticipant;
  /** A connected session, as createSession returns it. */
  const session: Session;
  /** The caller's AbortSignal. */
  const signal: AbortSignal;
  /** The ACS endpoint, https://<resource>.communication.azure.com. */
  const endpoint: string;
  /** The app's token fetcher. */
  const fetchToken: TokenFetcher;
  /** A running emulator, as startEmulator returns it. */
  const emu: Emulator;
  /** The app's own sign-in sessions, which a token service asks who is calling. */
  const mySessions: { verify(request: unknown): Promise<{ userId: string } | undefined> };
  /** React's useSyncExternalStore. */
  function useSyncExternalStore<T>(subscribe: (onStoreChange: () => void) => () => void, getSnapshot: () => T): T;
}
export {};
`;

export interface Problem {
  /** `file:line` in the Markdown source. */
  where: string;
  message: string;
}

const extension: Record<string, string> = { ts: '.ts', tsx: '.tsx', js: '.mjs', mjs: '.mjs' };

/** Where snippet `index` is written: `<dir>/<markdown name>-<line>.<ext>`. */
function snippetPath(dir: string, snippet: Snippet): string {
  return join(dir, `${snippet.file.replace(/[^\w]+/g, '_')}-L${snippet.line}${extension[snippet.lang] ?? '.ts'}`);
}

/**
 * Type-checks every snippet (each as its own module) against src/, with `acs-session` and
 * `acs-session/emulator` mapped to the entry files and the project's strictness. Returns one
 * problem per diagnostic, located in the Markdown file.
 */
export function typeCheck(snippets: readonly Snippet[], dir: string): Problem[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const prelude = join(dir, 'prelude.d.ts');
  writeFileSync(prelude, PRELUDE);
  const bySource = new Map<string, Snippet>();
  for (const snippet of snippets) {
    const path = snippetPath(dir, snippet);
    // `export {}` makes every block a module: its own scope, top-level await allowed.
    writeFileSync(path, `${snippet.code}\nexport {};\n`);
    bySource.set(resolve(path), snippet);
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.disposable.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    paths: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, [join(root, source)]])),
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    allowJs: true,
    checkJs: true,
    jsx: ts.JsxEmit.Preserve,
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
  };
  const program = ts.createProgram({ rootNames: [prelude, ...bySource.keys()], options });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    if (!file || diagnostic.start === undefined) return { where: '(no file)', message };
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start);
    const snippet = bySource.get(resolve(file.fileName));
    if (!snippet) return { where: `${relative(root, file.fileName)}:${line + 1}`, message };
    return { where: `${snippet.file}:${snippet.line + line}`, message: `TS${diagnostic.code}: ${message}` };
  });
}

const execFileAsync = promisify(execFile);

/**
 * Runs a `run` snippet as an ES module with the current Node. The file lives inside the repository,
 * so `acs-session` resolves to the built package (dist/) by self-reference, as it does for examples/.
 */
export async function runSnippet(snippet: Snippet, dir: string): Promise<{ code: number; output: string }> {
  mkdirSync(dir, { recursive: true });
  const path = snippetPath(dir, snippet).replace(/\.\w+$/, '.run.mjs');
  writeFileSync(path, snippet.code);
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [path], { cwd: root, timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? String(error)}` };
  }
}
