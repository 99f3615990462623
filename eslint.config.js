// ESLint flat config: the house rules of DESIGN.md §2 as code. Formatting is Prettier's job
// (.prettierrc.json); nothing here is stylistic.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// Who may import whom inside src/ (DESIGN.md §2). Paths are resolved, so `../session/x.js`,
// `../session/index.js` and a type-only import all count.
const client = ['src/*.ts', 'src/!(emulator|server)/**'];
const adapters = ['src/chat', 'src/calling', 'src/data'];
const importZones = [
  {
    target: client,
    from: ['src/emulator', 'src/server'],
    message: 'Client code (src/ outside emulator/ and server/) runs in browsers: it never imports the emulator or the token service.',
  },
  {
    target: ['src/token/**', 'src/events/**', ...adapters.map((folder) => `${folder}/**`)],
    from: ['src/session'],
    message: 'The session composes token/, events/ and the adapters; they never import it back (pass what they need instead).',
  },
  {
    target: ['src/data/**'],
    from: ['src/calling'],
    message: 'The data-channel helper works over a DataTransport port, never the calling adapter.',
  },
];

// The scripts (bench, examples, test runners) run in Node: its globals are exactly what this
// process has (no `globals` package needed, and never out of date with the Node that runs them).
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));

// `x as unknown as T` defeats the type checker; tests use typed fakes of the ports instead.
const noDoubleCast = {
  selector: 'TSAsExpression > TSAsExpression.expression > TSUnknownKeyword.typeAnnotation',
  message: 'No `as unknown as`: write a typed fake of the port, or narrow with a check.',
};

export default defineConfig(
  { ignores: ['dist/', 'docs/api/', 'coverage/', '.tmp/', '**/.acs-emulator/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: nodeGlobals },
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads only .js files and no-cycle silently sees no TypeScript import.
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts', '.cts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: importZones }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-unused-vars': 'off', // the TypeScript version below covers JavaScript too
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', noDoubleCast],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    // Value cycles, caught in the editor. Only src/: a test cannot be part of a cycle in src, and walking
    // the graph from every test file costs ~5 s more. test/unit/architecture also catches type-only cycles.
    files: ['src/**'],
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    // Type-aware rules for the promise mistakes that matter in an SDK built on waiting and
    // teardown: a floating promise is an unhandled rejection in the app (or, in a test, an
    // `expect(...).rejects` that cannot fail). They cost about 7 s of CPU (lint: ~4 s without,
    // ~11.5 s with, on this 2-core machine); worth it next to a ~90 s `npm test`.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // Tests may use `@ts-expect-error` to prove a type is refused, if they say what they expect.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description', minimumDescriptionLength: 3 }],
    },
  },
);
