import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreEntry } from './model.js';
import { readFileIfExists, writeFileAtomic } from './files.js';
import type { EmulatorState, EntrySink } from './state.js';

const JOURNAL = 'journal.jsonl';

/** What {@link openJournal} found while replaying. */
export interface ReplayReport {
  /** Entries applied. */
  applied: number;
  /** Lines that did not parse (a torn last write after a kill, normally 0 or 1). */
  skipped: number;
}

/**
 * An append-only JSON-lines journal of {@link StoreEntry}s in `dataDir`.
 *
 * Each entry is written with one `write(2)` before the client gets its answer, so a killed
 * process loses nothing it acknowledged (the kernel keeps the page); a write torn by a power
 * loss leaves a partial last line, which replay skips. On open the journal is compacted into a
 * fresh file (write-temp + fsync + rename), so it never grows past one run's worth of changes.
 *
 * @example
 * ```ts
 * const state = new EmulatorState();
 * const journal = openJournal(dataDir, state); // replays, compacts, then attaches
 * // …
 * journal.close();
 * ```
 */
export function openJournal(dataDir: string, state: EmulatorState): Journal {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, JOURNAL);
  const report: ReplayReport = { applied: 0, skipped: 0 };
  const text = readFileIfExists(path) ?? '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const entry = parseEntry(line);
    if (entry) {
      state.apply(entry);
      report.applied++;
    } else report.skipped++;
  }
  const compacted: string[] = [];
  for (const entry of state.entries()) compacted.push(JSON.stringify(entry));
  writeFileAtomic(path, compacted.length ? compacted.join('\n') + '\n' : '');
  const journal = new Journal(openSync(path, 'a'), report);
  state.attach(journal);
  return journal;
}

/** The open journal file. */
export class Journal implements EntrySink {
  #fd: number | undefined;

  constructor(
    fd: number,
    /** What replay found. */
    readonly replay: ReplayReport,
  ) {
    this.#fd = fd;
  }

  /**
   * Appends one entry as one line. Normally one `write(2)`; a short write (a full disk, a
   * signal) is continued until the whole line is down, because the caller acknowledges the
   * change to the client as soon as this returns.
   */
  append(entry: StoreEntry): void {
    if (this.#fd === undefined) throw new Error('journal is closed');
    const buffer = Buffer.from(JSON.stringify(entry) + '\n', 'utf8');
    let offset = 0;
    while (offset < buffer.length) {
      const written = writeSync(this.#fd, buffer, offset, buffer.length - offset);
      // 0 bytes and no error would loop forever; fail the request instead (answered as a 500).
      if (written <= 0) throw new Error(`journal write made no progress (${offset} of ${buffer.length} bytes written)`);
      offset += written;
    }
  }

  /** Closes the file; later appends throw. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

const KINDS = new Set<StoreEntry['t']>(['user', 'thread', 'participant', 'participantRemoved', 'message', 'receipt', 'repeatability']);

function parseEntry(line: string): StoreEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || !('t' in value)) return undefined;
    const kind = value.t;
    if (typeof kind !== 'string' || !KINDS.has(kind as StoreEntry['t'])) return undefined;
    // The journal is only ever written by this module, so a line that parses and has a known
    // kind has the shape its kind says; a torn line fails JSON.parse.
    return value as StoreEntry;
  } catch {
    return undefined;
  }
}
