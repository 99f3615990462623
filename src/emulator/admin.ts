import { safeEqual } from './auth/safeEqual.js';
import { httpErrors } from './errors.js';
import type { FaultInjector, FaultRule } from './faults.js';
import type { RequestContext, Router } from './router.js';
import type { SmsInbox } from './sms/inbox.js';
import { asObject, parseJsonBody } from './validate.js';

/**
 * Registers the emulator's own admin routes (not part of ACS), for driving fault injection from
 * outside the process (the CLI, a browser test):
 *
 * - `POST /_emulator/faults` with a {@link FaultRule} body (path as a string) → 201 `{ id }`
 * - `DELETE /_emulator/faults` → 204
 *
 * Both require the header `x-emulator-key: <access key>`.
 */
export function registerAdminRoutes(router: Router, faults: FaultInjector, accessKey: string): void {
  router.add(
    'POST',
    '/_emulator/faults',
    (ctx) => {
      checkKey(ctx, accessKey);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const path = body['path'];
      if (typeof path !== 'string' || !path.startsWith('/')) throw httpErrors.badRequest('path must be a string starting with /.', 'path');
      const rule: FaultRule = { path };
      if (typeof body['method'] === 'string') rule.method = body['method'];
      for (const key of ['status', 'delayMs', 'times', 'retryAfterSeconds'] as const) {
        const value = body[key];
        if (value === undefined) continue;
        if (typeof value !== 'number') throw httpErrors.badRequest(`${key} must be a number.`, key);
        rule[key] = value;
      }
      if (body['phase'] === 'before' || body['phase'] === 'after') rule.phase = body['phase'];
      try {
        return { status: 201, body: { id: faults.inject(rule).id } };
      } catch (error) {
        throw httpErrors.badRequest(error instanceof Error ? error.message : 'invalid fault');
      }
    },
    {},
  );
  router.add(
    'DELETE',
    '/_emulator/faults',
    (ctx) => {
      checkKey(ctx, accessKey);
      faults.clear();
      return { status: 204 };
    },
    {},
  );
}

/**
 * Registers the SMS inbox admin routes (not part of ACS), so that a test or a browser page outside
 * the process can read what the app sent:
 *
 * - `GET /_emulator/sms[?to=+1…][&from=+1…]` → 200 `{ value: SentSms[] }` (oldest first, `sentOn` as ISO)
 * - `DELETE /_emulator/sms` → 204
 *
 * Both require the header `x-emulator-key: <access key>`: the messages may hold one-time codes.
 *
 * @example
 * ```ts
 * registerSmsAdminRoutes(router, inbox, keys.accessKey);
 * ```
 */
export function registerSmsAdminRoutes(router: Router, inbox: SmsInbox, accessKey: string): void {
  router.add(
    'GET',
    '/_emulator/sms',
    (ctx) => {
      checkKey(ctx, accessKey);
      const to = ctx.query.get('to') ?? undefined;
      const from = ctx.query.get('from') ?? undefined;
      const value = inbox.messages({ ...(to !== undefined && { to }), ...(from !== undefined && { from }) });
      return { status: 200, body: { value: value.map((sms) => ({ ...sms, sentOn: sms.sentOn.toISOString() })) } };
    },
    {},
  );
  router.add(
    'DELETE',
    '/_emulator/sms',
    (ctx) => {
      checkKey(ctx, accessKey);
      inbox.clear();
      return { status: 204 };
    },
    {},
  );
}

/** Throws 401 unless the request carries `x-emulator-key: <access key>`. @internal */
export function checkKey(ctx: RequestContext, accessKey: string): void {
  if (!safeEqual(String(ctx.headers['x-emulator-key'] ?? ''), accessKey)) throw httpErrors.denied();
}
