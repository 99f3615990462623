import { defineConfig, type Options } from 'tsup';

// Azure packages stay external (tsup also leaves every dependency and peer external): they are
// resolved by the app's bundler, and the calling SDK in particular must never end up inside our bundle (licence, size).
const shared: Options = {
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  external: [/^@azure\//],
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', emulator: 'src/emulator/index.ts', server: 'src/server/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
  },
  {
    // The `acs-session` command: Node ESM only, no types.
    ...shared,
    entry: { cli: 'src/emulator/cli.ts' },
    format: ['esm'],
    platform: 'node',
    clean: false,
  },
]);
