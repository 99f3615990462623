import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject } from '../../internal/options.js';
import type { StoreEntry } from './model.js';
import { readFileIfExists, writeFileAtomic, writeFully } from './files.js';
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
 * Each change (one or several entries) is written with one `write(2)` before the client gets
 * its answer, so a killed process loses nothing it acknowledged (the kernel keeps the page); a
 * failed write is cut back to the last complete line; a write torn by a power loss leaves a
 * partial last line, which replay skips. On open the journal is compacted into a
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
  const fd = openSync(path, 'a');
  const journal = new Journal(fd, fstatSync(fd).size, report);
  state.attach(journal);
  return journal;
}

/** The open journal file. */
export class Journal implements EntrySink {
  #fd: number | undefined;
  /** Bytes of complete lines in the file: where a failed append is cut back to. */
  #size: number;
  /** Why the journal stopped accepting appends, once it could not repair a failed one. */
  #broken: Error | undefined;

  constructor(
    fd: number,
    size: number,
    /** What replay found. */
    readonly replay: ReplayReport,
  ) {
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Appends one entry as one line. See {@link Journal.appendAll}.
   */
  append(entry: StoreEntry): void {
    this.appendAll([entry]);
  }

  /**
   * Appends entries as lines with one write. Normally one `write(2)`; a short write (a full disk,
   * a signal) is continued until everything is down, because the caller acknowledges the change
   * to the client as soon as this returns. When a write fails part-way, the partial bytes are
   * cut off again: left in place, the next acknowledged line would be glued onto them and lost
   * on replay. If even that cut fails, the journal refuses every later append (the requests
   * fail) instead of acknowledging changes it can no longer keep.
   */
  appendAll(entries: readonly StoreEntry[]): void {
    if (this.#broken) throw this.#broken;
    if (this.#fd === undefined) throw new Error('journal is closed');
    if (entries.length === 0) return;
    const buffer = Buffer.from(entries.map((entry) => JSON.stringify(entry) + '\n').join(''), 'utf8');
    try {
      writeFully(this.#fd, buffer);
    } catch (error) {
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch (truncateError) {
        this.#broken = new Error(`journal is unusable: a failed write could not be undone (${String(truncateError)})`, {
          cause: error,
        });
      }
      throw error;
    }
    this.#size += buffer.length;
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
    if (!isPlainObject(value)) return undefined;
    const kind = value['t'];
    if (typeof kind !== 'string' || !KINDS.has(kind as StoreEntry['t'])) return undefined;
    // The journal is only ever written by this module, so a line that parses and has a known
    // kind has the shape its kind says; a torn line fails JSON.parse.
    return value as StoreEntry;
  } catch {
    return undefined;
  }
}
