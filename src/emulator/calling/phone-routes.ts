import { checkKey } from '../admin.js';
import { httpErrors } from '../errors.js';
import type { Router } from '../router.js';
import type { SimulatedPhones } from './phones.js';

/**
 * Admin routes (not part of ACS) that drive the simulated phones from outside the process, e.g.
 * from a browser page or the CLI. All need `x-emulator-key: <access key>`:
 *
 * - `GET /_emulator/phones` → 200 `{ value: PhoneCall[] }`
 * - `POST /_emulator/phones/{number}/:answer` | `:reject` | `:hangUp` → 204, or 404 when the phone
 *   has no such call.
 *
 * @example
 * ```ts
 * registerPhoneRoutes(router, phones, keys.accessKey);
 * ```
 */
export function registerPhoneRoutes(router: Router, phones: SimulatedPhones, accessKey: string): void {
  router.add(
    'GET',
    '/_emulator/phones',
    (ctx) => {
      checkKey(ctx, accessKey);
      return { status: 200, body: { value: phones.list() } };
    },
    {},
  );
  for (const action of ['answer', 'reject', 'hangUp'] as const) {
    router.add(
      'POST',
      `/_emulator/phones/{number}/:${action}`,
      (ctx, params) => {
        checkKey(ctx, accessKey);
        try {
          phones[action](params['number'] ?? '');
        } catch (error) {
          throw httpErrors.notFound(error instanceof Error ? error.message : 'No such call.');
        }
        return { status: 204 };
      },
      {},
    );
  }
}
