// Builds the package's JavaScript (dist/) when it is missing or older than its sources, quietly, so
// that `npm run demo` works on a fresh clone and starts at once afterwards. It skips the type
// declarations (the slow half of `npm run build`, which examples do not need) and leaves any existing
// ones in place; `npm run build` and `npm test` do the full build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const outputs = ['index.js', 'emulator.js', 'server.js', 'cli.js'].map((file) => join(root, 'dist', file));
const inputs = ['tsup.config.ts', 'tsconfig.json', 'package.json'].map((file) => join(root, file));

/** Newest modification time among `paths` and everything under the directories among them. */
function newest(paths) {
  let latest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    if (stat.isDirectory()) latest = Math.max(latest, newest(readdirSync(path).map((entry) => join(path, entry))));
    else latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

const built = outputs.every((file) => existsSync(file)) ? Math.min(...outputs.map((file) => statSync(file).mtimeMs)) : 0;
if (built < newest([...inputs, join(root, 'src')])) {
  const tsup = createRequire(join(root, 'package.json')).resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup, '--silent', '--no-dts', '--no-clean'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
