import { SessionError } from '../errors.js';

/**
 * One fault-injection rule.
 *
 * @example
 * ```ts
 * const rule: FaultRule = { method: 'GET', path: '/chat/threads', status: 429, retryAfterSeconds: 2 };
 * ```
 */
export interface FaultRule {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /**
   * Path to match against the decoded path: a string where `*` stands for one segment and `**`
   * for any number of segments (`/chat/threads/*\/messages`), or a RegExp.
   */
  path: string | RegExp;
  /** Status to answer (401, 403, 429, 500, 503, …); omit to only delay. */
  status?: number;
  /** Delay before answering (or before handling, when there is no status). */
  delayMs?: number;
  /** How many matching requests this rule applies to. Default 1. */
  times?: number;
  /** `Retry-After` seconds sent with 429/503. Default 1. */
  retryAfterSeconds?: number;
  /**
   * `before` (default): answer without handling, as if the service rejected the request.
   * `after`: handle the request (state changes happen) and then answer the fault status instead,
   * as if the response were lost — the case idempotency keys exist for.
   */
  phase?: 'before' | 'after';
}

/**
 * A fault that matched one request.
 * @internal
 */
export interface FaultHit {
  status: number | undefined;
  delayMs: number;
  retryAfterSeconds: number;
  phase: 'before' | 'after';
}

/**
 * A registered rule, as {@link FaultInjector.inject} returns it.
 *
 * @example
 * ```ts
 * const handle = emu.faults.inject({ path: '/chat/threads', status: 503 });
 * handle.remaining; // 1 until a request consumed it
 * handle.cancel();
 * ```
 */
export interface FaultHandle {
  /** A number unique within this emulator, for logs. */
  readonly id: number;
  /** Requests this rule will still apply to. */
  readonly remaining: number;
  /** Removes the rule. */
  cancel(): void;
}

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  408: 'RequestTimeout',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/**
 * The ACS error code for an injected status.
 *
 * @example
 * ```ts
 * faultErrorCode(429); // 'TooManyRequests'
 * ```
 */
export function faultErrorCode(status: number): string {
  return ERROR_CODES[status] ?? 'InjectedFault';
}

interface ActiveRule {
  id: number;
  method: string | undefined;
  test: (path: string) => boolean;
  status: number | undefined;
  delayMs: number;
  remaining: number;
  retryAfterSeconds: number;
  phase: 'before' | 'after';
}

/**
 * Makes the next N requests matching a route fail with a status or wait, to test retries,
 * throttling and reconnection against the real clients. Rules are consumed in the order added.
 *
 * @example
 * ```ts
 * emu.faults.inject({ method: 'POST', path: '/chat/threads/*\/messages', status: 503, times: 2 });
 * emu.faults.inject({ path: '/chat/threads', status: 429, retryAfterSeconds: 0 });
 * emu.faults.clear();
 * ```
 */
export class FaultInjector {
  #rules: ActiveRule[] = [];
  #nextId = 1;

  /** Adds a rule and returns a handle to watch or cancel it. */
  inject(rule: FaultRule): FaultHandle {
    validateFaultRule(rule);
    const active: ActiveRule = {
      id: this.#nextId++,
      method: rule.method?.toUpperCase(),
      test: compilePath(rule.path),
      status: rule.status,
      delayMs: rule.delayMs ?? 0,
      remaining: rule.times ?? 1,
      retryAfterSeconds: rule.retryAfterSeconds ?? 1,
      phase: rule.phase ?? 'before',
    };
    this.#rules.push(active);
    const rules = (): ActiveRule[] => this.#rules;
    const drop = (): void => {
      this.#rules = this.#rules.filter((r) => r !== active);
    };
    return {
      id: active.id,
      get remaining() {
        return rules().includes(active) ? active.remaining : 0;
      },
      cancel: drop,
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /** Number of rules still armed. */
  get pending(): number {
    return this.#rules.length;
  }

  /** Consumes and returns the first rule matching this request, if any. @internal The server calls it per request. */
  take(method: string, path: string): FaultHit | undefined {
    const rule = this.#rules.find((r) => (r.method === undefined || r.method === method) && r.test(path));
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    return { status: rule.status, delayMs: rule.delayMs, retryAfterSeconds: rule.retryAfterSeconds, phase: rule.phase };
  }
}

/**
 * Parses the CLI form `[METHOD ]PATH=STATUS[xTIMES][@DELAYms]`, e.g.
 * `POST /chat/threads/{star}/messages=503x2` (`{star}` = `*`) or `/chat/threads=@1500` (delay only).
 *
 * @example
 * ```ts
 * parseFaultSpec('POST /chat/threads=429x3'); // { method: 'POST', path: '/chat/threads', status: 429, times: 3 }
 * ```
 */
export function parseFaultSpec(spec: string): FaultRule {
  const match = /^(?:([A-Za-z]+)\s+)?(\/\S*)=(\d{3})?(?:x(\d+))?(?:@(\d+)(?:ms)?)?$/.exec(spec.trim());
  if (!match?.[2] || (match[3] === undefined && match[5] === undefined)) {
    throw invalidFault(`bad fault "${spec}": expected "[METHOD ]PATH=STATUS[xTIMES][@DELAYms]"`);
  }
  const rule: FaultRule = { path: match[2] };
  if (match[1]) rule.method = match[1].toUpperCase();
  if (match[3]) rule.status = Number(match[3]);
  if (match[4]) rule.times = Number(match[4]);
  if (match[5]) rule.delayMs = Number(match[5]);
  // Checked here, not only at inject(): the CLI must refuse a bad spec before it starts serving.
  validateFaultRule(rule, `bad fault "${spec}": `);
  return rule;
}

/**
 * Throws `INVALID_ARGUMENT` unless `rule` is usable: status 200–599, `times` a whole number ≥ 1,
 * `delayMs` 0–600000, `retryAfterSeconds` ≥ 0, and a status or a delay.
 *
 * @example
 * ```ts
 * validateFaultRule({ path: '/chat/threads', status: 999 }); // throws SessionError('INVALID_ARGUMENT')
 * ```
 */
export function validateFaultRule(rule: FaultRule, prefix = ''): void {
  const times = rule.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw invalidFault(`${prefix}times must be a positive integer`);
  // 1xx are informational: a client answered with one keeps waiting for the final response.
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 200 || rule.status > 599)) {
    throw invalidFault(`${prefix}status must be a final HTTP status code (200-599)`);
  }
  const delayMs = rule.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 600_000) throw invalidFault(`${prefix}delayMs must be 0..600000`);
  const retryAfter = rule.retryAfterSeconds ?? 1;
  if (!Number.isFinite(retryAfter) || retryAfter < 0) throw invalidFault(`${prefix}retryAfterSeconds must be a number ≥ 0`);
  if (rule.status === undefined && delayMs === 0) throw invalidFault(`${prefix}a fault needs a status or a delayMs`);
  if (typeof rule.path !== 'string' && !(rule.path instanceof RegExp)) throw invalidFault(`${prefix}path must be a string or a RegExp`);
}

function invalidFault(message: string): SessionError {
  return new SessionError('INVALID_ARGUMENT', message);
}

function compilePath(path: string | RegExp): (path: string) => boolean {
  if (path instanceof RegExp) {
    // A copy without the stateful flags, so .test() never depends on a previous call.
    const re = new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
    return (p) => re.test(p);
  }
  const pattern = path
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '.*'
        : segment
            .split('*')
            .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
    )
    .join('/');
  const re = new RegExp(`^${pattern}/?$`);
  return (p) => re.test(p);
}
