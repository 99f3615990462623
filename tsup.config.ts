import { defineConfig, type Options } from 'tsup';

// Azure packages stay external (tsup also leaves every dependency and peer external): they are
// resolved by the app's bundler, and the calling SDK in particular must never end up inside our bundle (licence, size).
const shared: Options = {
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  external: [/^@azure\//],
};

export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      emulator: 'src/emulator/index.ts',
      server: 'src/server/index.ts',
      data: 'src/data/index.ts',
      testing: 'src/testing/index.ts',
    },
    format: ['esm', 'cjs'],
    // Code shared by the entries (SessionError above all) lives in one chunk that both load, so
    // `acs-session`, `acs-session/emulator` and `acs-session/server` hand out the same class. tsup splits ESM by default;
    // CommonJS needs asking.
    splitting: true,
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
