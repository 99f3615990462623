import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/package/**/*.test.ts',
      'test/examples/**/*.test.ts',
      'test/process/**/*.test.ts',
      'test/docs/**/*.test.ts',
    ],
    environment: 'node',
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line (its second run,
    // on Node 24, names another file).
    reporters: ['default', ['json', { outputFile: process.env['VITEST_JSON_REPORT'] ?? '.tmp/vitest-report.json' }]],
    testTimeout: 20_000,
    // Any unhandled rejection fails the run: the refresher promises never to produce one.
    dangerouslyIgnoreUnhandledErrors: false,
    // Type tests (`*.test-d.ts`) are compiled by tsc and reported like tests: a `@ts-expect-error`
    // that is not an error fails the run.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
