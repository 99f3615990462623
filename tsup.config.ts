import { defineConfig } from 'tsup';

// Azure packages and eventemitter3 stay external: they are dependencies or peers, resolved by the
// app's bundler, and the calling SDK in particular must never end up inside our bundle (licence, size).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    emulator: 'src/emulator/index.ts',
    cli: 'src/emulator/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  external: [/^@azure\//, 'eventemitter3'],
});
