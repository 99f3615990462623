import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The published tarball, installed into a throwaway consumer project, used the ways an app would.
// The consumer lives under the repository so that the package's own dependencies resolve from the
// repository's node_modules without touching the network.
const root = resolve(import.meta.dirname, '../..');
const work = join(root, '.tmp', 'package-test');
const consumer = join(work, 'consumer');
const installed = join(consumer, 'node_modules', 'acs-session');
const checkout = join(work, 'checkout');
let tarball = '';

const run = (command: string, args: string[], cwd = consumer) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A copy of what a fresh clone holds (tracked files plus untracked ones that are not ignored, as
 * edited), without dist/ or any other build output: packing the working tree itself would let a
 * dist/ left by an earlier build hide a package that builds nothing when packed.
 */
function cleanCheckout(into: string): void {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root).split('\0');
  for (const file of listed) {
    // A deleted tracked file is still listed; node_modules is linked below, not copied.
    if (!file || file === 'node_modules' || !existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(root, file), join(into, file));
  }
  symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'), 'dir');
}

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  cleanCheckout(checkout);
  if (existsSync(join(checkout, 'dist'))) throw new Error('the clean checkout must not contain dist/');
  run('npm', ['pack', '--silent', '--pack-destination', work], checkout);
  const name = readdirSync(work).find((file) => file.endsWith('.tgz'));
  if (!name) throw new Error('npm pack produced no tarball');
  tarball = join(work, name);
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 180_000);

describe('the packed package', () => {
  it('ships the built entries and nothing from src or test', () => {
    const listing = run('tar', ['-tzf', tarball]);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.cjs');
    expect(listing).toContain('package/dist/emulator.js');
    expect(listing).toContain('package/dist/data.js');
    expect(listing).toContain('package/dist/testing.cjs');
    expect(listing).toContain('package/dist/cli.js');
    expect(listing).not.toMatch(/package\/(src|test|node_modules)\//);
    expect(listing).not.toContain('communication-calling');
  });

  const loaders = {
    'imports as ESM': {
      file: 'esm.mjs',
      load: (names: string, from: string) => `import { ${names} } from '${from}';`,
    },
    'requires as CommonJS': {
      file: 'cjs.cjs',
      load: (names: string, from: string) => `const { ${names} } = require('${from}');`,
    },
  };
  for (const [title, { file, load }] of Object.entries(loaders)) {
    it(title, () => {
      writeFileSync(
        join(consumer, file),
        [
          load('createSession, createTokenRefresher, SessionError, isSessionError', 'acs-session'),
          load('startEmulator', 'acs-session/emulator'),
          load('createCallData, createAcsDataTransport', 'acs-session/data'),
          load('createTestCallDataPair', 'acs-session/testing'),
          `const error = new SessionError('TIMEOUT', 'x');`,
          `const [a, b] = createTestCallDataPair();`,
          `b.handle('ping', () => 'pong');`,
          `a.request('ping', null, { to: b.self }).then((reply) => {`,
          `  a.close(); b.close();`,
          `  console.log(JSON.stringify([typeof createSession, typeof createTokenRefresher, isSessionError(error), typeof startEmulator, typeof createCallData, typeof createAcsDataTransport, reply]));`,
          `});`,
        ].join('\n'),
      );
      expect(JSON.parse(run('node', [file]))).toEqual(['function', 'function', true, 'function', 'function', 'function', 'pong']);
    });
  }

  it('does not load the calling SDK on import', () => {
    writeFileSync(
      join(consumer, 'no-calling.mjs'),
      `import 'acs-session';
import { createRequire } from 'node:module';
const loaded = Object.keys(createRequire(import.meta.url).cache ?? {}).some((p) => p.includes('communication-calling'));
console.log(String(loaded));`,
    );
    expect(run('node', ['no-calling.mjs']).trim()).toBe('false');
  });

  it('resolves its types from ESM and CommonJS TypeScript projects', () => {
    const usage = `import { createSession, type Session, type SessionErrorCode } from 'acs-session';
import { startEmulator } from 'acs-session/emulator';
import { createTestCallDataPair } from 'acs-session/testing';
import type { CallData, DataTransport } from 'acs-session/data';
export async function main(): Promise<Session> {
  const [a]: CallData[] = createTestCallDataPair({ maxMessageSize: 1024 });
  const transport: DataTransport | undefined = undefined;
  void transport;
  await a.channel<{ x: number }>('cursor').send({ x: 1 });
  // @ts-expect-error the channel carries { x: number }
  await a.channel<{ x: number }>('other').send({ y: 1 });
  const code: SessionErrorCode = 'DISPOSED';
  void code;
  void startEmulator;
  const session = await createSession({ endpoint: 'https://x.communication.azure.com', token: async () => 'jwt' });
  session.on('stateChanged', (e) => e.state.toUpperCase());
  // @ts-expect-error unknown event name
  session.on('nope', () => undefined);
  return session;
}
`;
    writeFileSync(join(consumer, 'types-esm.mts'), usage);
    writeFileSync(join(consumer, 'types-cjs.cts'), usage);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          lib: ['es2022', 'dom'],
        },
        files: ['types-esm.mts', 'types-cjs.cts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run('node', [tsc, '-p', 'tsconfig.json'])).not.toThrow();
  }, 120_000); // tsc over the packed declarations and the Azure ones (no skipLibCheck): slow on a busy machine

  it('type-checks in a browser project (no Node types): our declarations need only ES2022, DOM and esnext.disposable', () => {
    writeFileSync(
      join(consumer, 'browser-app.ts'),
      `import { createSession, type Session } from 'acs-session';
export async function main(): Promise<void> {
  await using session: Session = await createSession({ endpoint: 'https://x.communication.azure.com', token: async () => 'jwt' });
  for await (const e of session.events({ types: ['stateChanged'] })) console.log(e.state.toUpperCase());
}
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.browser.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          lib: ['es2022', 'dom', 'esnext.disposable'],
        },
        files: ['browser-app.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      run('node', [tsc, '-p', 'tsconfig.browser.json']);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    // The Azure packages' own declarations reference Node types (NodeJS, Buffer) — theirs to fix,
    // and silenced by skipLibCheck in real apps. Nothing may come from ours or from the app file.
    const errors = output.split('\n').filter((line) => line.includes('error TS'));
    const ours = errors.filter((line) => !/node_modules\/(@azure|@typespec)\//.test(line));
    expect(ours).toEqual([]);
  }, 120_000);

  it('passes publint and are-the-types-wrong', () => {
    const publint = run('node', [join(root, 'node_modules', 'publint', 'src', 'cli.js'), '--strict'], checkout);
    expect(publint).toContain('All good');
    const attw = run('node', [join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--format', 'json'], root);
    const report = JSON.parse(attw) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  }, 120_000);
});

// One SessionError class for every entry and every copy: `instanceof` must hold for an error thrown
// by `acs-session/emulator` or `acs-session/server`, from ESM and from CommonJS, across the ESM and
// CommonJS builds loaded in one process (the dual-package hazard), and across two installed copies.
describe('SessionError across entries and copies', () => {
  const probe = `
    async function thrownBy(start) {
      try {
        await start();
      } catch (error) {
        return error;
      }
      throw new Error(String(start) + ' did not throw');
    }
    async function report(main, emulator, server, others) {
      const errors = [
        await thrownBy(() => emulator.startEmulator({ port: -1 })),
        await thrownBy(() => server.createTokenService({})),
      ];
      return {
        codes: errors.map((error) => error.code),
        // The very same class (one shared chunk), not only a brand that matches.
        sameClass: errors.map((error) => Object.getPrototypeOf(error) === main.SessionError.prototype),
        sameEntry: errors.map((error) => error instanceof main.SessionError),
        others: others.map((other) => errors.every((error) => error instanceof other.SessionError)),
        fromOthers: others.map((other) => new other.SessionError('TIMEOUT', 'x') instanceof main.SessionError),
        plainIsNot: [new Error('x'), { name: 'SessionError', code: 'TIMEOUT', retryable: false }, null].some((v) => v instanceof main.SessionError),
      };
    }`;
  const expected = {
    codes: ['INVALID_OPTIONS', 'INVALID_OPTIONS'],
    sameClass: [true, true],
    sameEntry: [true, true],
    others: [true, true],
    fromOthers: [true, true],
    plainIsNot: false,
  };

  beforeAll(() => {
    // A second copy, as when two dependencies each install their own acs-session.
    run('cp', ['-R', installed, join(consumer, 'node_modules', 'acs-session-copy')]);
  });

  it('holds from ESM (against the CommonJS build and a second copy)', () => {
    writeFileSync(
      join(consumer, 'errors-esm.mjs'),
      `import { createRequire } from 'node:module';
      import * as main from 'acs-session';
      import * as emulator from 'acs-session/emulator';
      import * as server from 'acs-session/server';
      import * as copy from 'acs-session-copy';
      const require = createRequire(import.meta.url);
      ${probe}
      console.log(JSON.stringify(await report(main, emulator, server, [require('acs-session'), copy])));`,
    );
    expect(JSON.parse(run('node', ['errors-esm.mjs']))).toEqual(expected);
  });

  it('holds from CommonJS (against the ESM build and a second copy)', () => {
    writeFileSync(
      join(consumer, 'errors-cjs.cjs'),
      `const main = require('acs-session');
      const emulator = require('acs-session/emulator');
      const server = require('acs-session/server');
      ${probe}
      (async () => {
        const esm = await import('acs-session');
        const copy = require('acs-session-copy');
        console.log(JSON.stringify(await report(main, emulator, server, [esm, copy])));
      })();`,
    );
    expect(JSON.parse(run('node', ['errors-cjs.cjs']))).toEqual(expected);
  });
});
