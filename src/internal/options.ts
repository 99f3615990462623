import { SessionError } from '../errors.js';

/**
 * Collects every problem with an options object so that one `INVALID_OPTIONS` error can list them
 * all, instead of making the user fix them one run at a time.
 * @internal
 */
export class OptionProblems {
  readonly #problems: string[] = [];

  constructor(private readonly where: string) {}

  add(problem: string): void {
    this.#problems.push(problem);
  }

  /** Throws at once unless `options` is an object: nothing else can be checked without one. */
  requireObject(options: unknown): asserts options is Record<string, unknown> {
    if (isPlainObject(options)) return;
    this.add(`expected an options object, got ${show(options)}`);
    this.throwIfAny();
  }

  /** Adds a problem unless `value` is undefined or a finite number ≥ `min`. */
  optionalNumber(name: string, value: unknown, min: number): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      this.add(`${name} must be a finite number ≥ ${min}, got ${show(value)}`);
    }
  }

  /** Adds a problem for every key of `options` not in `known` (catches typos in plain JavaScript). */
  unknownKeys(options: object, known: readonly string[], prefix = ''): void {
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) this.add(`${prefix}${key} is not a known option (known: ${known.join(', ')})`);
    }
  }

  /** Throws one `INVALID_OPTIONS` error listing every problem, if there was any. */
  throwIfAny(): void {
    if (this.#problems.length === 0) return;
    const list = this.#problems.map((problem) => `  - ${problem}`).join('\n');
    throw new SessionError('INVALID_OPTIONS', `${this.where} got invalid options:\n${list}`);
  }
}

/** A short, safe description of a value for error messages (never the value of a secret). @internal */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') return String(value);
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Whether `value` is a non-null, non-array object. @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
