import { httpErrors } from '../errors.js';
import type { RequestContext, Router } from '../router.js';
import { asObject, parseJsonBody } from '../validate.js';
import type { NotificationService } from './service.js';

/** api-version of the realtime configuration request (signaling 1.0.0-beta.34's `CONFIG_API_VERSION`). */
export const NOTIFICATION_CONFIG_API_VERSIONS = ['2024-09-01'] as const;

/**
 * Registers the HTTP side of the chat notification service: the realtime configuration, the
 * trouter allocation, the socket.io handshake, the registrar and the trouter's health URL.
 */
export function registerNotificationRoutes(router: Router, service: NotificationService): void {
  router.add('GET', '/chat/config/realTimeNotifications', (ctx) => ({ status: 200, body: service.config(ctx) }), {
    apiVersions: NOTIFICATION_CONFIG_API_VERSIONS,
  });
  router.add('POST', '/v4/a', (ctx) => ({ status: 200, body: service.allocate(ctx) }), {});
  router.add('GET', '/socket.io/1', (ctx) => ({ status: 200, text: service.handshake(ctx) }), {});
  router.add(
    'POST',
    '/v3/registrations',
    (ctx) => {
      service.register(ctx);
      return { status: 202, body: {} };
    },
    {},
  );
  router.add('GET', '/trouter/h', () => ({ status: 200 }), {});
}

/**
 * The notification service's fault from outside the process: `POST /_emulator/notifications` with
 * `{ "available": false }` drops every socket and refuses new ones, `{ "available": true }` allows
 * them again; answers `{ available, sockets }`. Requires `x-emulator-key: <access key>`.
 *
 * @example
 * ```ts
 * registerNotificationAdminRoutes(router, notifications, (ctx) => checkKey(ctx, keys.accessKey));
 * ```
 */
export function registerNotificationAdminRoutes(router: Router, service: NotificationService, checkKey: (ctx: RequestContext) => void): void {
  router.add(
    'POST',
    '/_emulator/notifications',
    (ctx) => {
      checkKey(ctx);
      const available = asObject(parseJsonBody(ctx.body), 'body')['available'];
      if (typeof available !== 'boolean') throw httpErrors.badRequest('available must be true or false.', 'available');
      service.setAvailable(available);
      return { status: 200, body: { available, sockets: service.socketCount } };
    },
    {},
  );
}
