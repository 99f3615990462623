import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionErrorCodes } from '../../src/index.js';

// The README's errors table is where users look a code up: it must list every code the package can
// throw, and nothing else.
const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The first-column codes of the table whose header starts `| code |`. */
function readmeErrorCodes(markdown: string): string[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*code\s*\|/.test(line));
  if (header < 0) throw new Error('README.md has no table with a `code` column');
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cell = /^\|\s*`([A-Z_]+)`\s*\|/.exec(line);
    if (!cell?.[1]) throw new Error(`README.md errors table: cannot read the code in ${JSON.stringify(line)}`);
    rows.push(cell[1]);
  }
  return rows;
}

describe("README.md's errors table", () => {
  const codes = readmeErrorCodes(readme);

  it('lists exactly the codes of SessionErrorCodes', () => {
    expect([...codes].sort()).toEqual(Object.keys(SessionErrorCodes).sort());
  });

  it('lists each code once', () => {
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([]);
  });

  it('reads the first column of that table and stops where the table ends', () => {
    const table = ['| code | when |', '|---|---|', '| `TIMEOUT` | slow |', '| `EXTRA_CODE` | x |', '', '| `AFTER` | not in the table |'].join('\n');
    expect(readmeErrorCodes(table)).toEqual(['TIMEOUT', 'EXTRA_CODE']);
  });
});
