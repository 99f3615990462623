import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // Any unhandled rejection fails the run: the refresher promises never to produce one.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
