import { defineConfig } from 'vitest/config';

// The browser suite: headless Debian Chromium driven by playwright-core. Run it with
// `npm run test:browser`, which puts it in a loopback-only network namespace when run as root.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-browser-report.json' }]],
  },
});
