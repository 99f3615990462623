import { randomUUID } from 'node:crypto';
import { isPlainObject } from '../../internal/options.js';
import { verifyHmacRequest } from '../auth/hmac.js';
import type { RouteResult, Router } from '../router.js';
import type { EmulatorServices } from '../services.js';
import { asObject, parseJsonBody } from '../validate.js';
import type { SmsInbox } from './inbox.js';

/** api-versions of the SMS send API (`@azure/communication-sms` 1.1 sends 2021-03-07). */
export const SMS_API_VERSIONS = ['2021-03-07'] as const;

/** E.164: a plus, then up to 15 digits, not starting with 0. */
const E164 = /^\+[1-9]\d{1,14}$/;
/** The service's limit on `message`, as the client's model declares it. */
const MAX_MESSAGE_LENGTH = 2048;

/**
 * Registers `POST /sms` (what `SmsClient.send` calls), HMAC-signed like the identity API. It answers
 * as the service does: 202 with one result per recipient (an invalid `to` fails only its own
 * entry), 400 with a model-validation body for a malformed `from` or request, and **401 with an
 * empty body** when `from` is a well-formed number the resource does not own. Accepted messages go
 * to `inbox`; a retry that repeats a recipient's `repeatabilityRequestId` is not delivered twice.
 *
 * @example
 * ```ts
 * registerSmsRoutes(router, services, ['+14255550100'], inbox);
 * ```
 */
export function registerSmsRoutes(router: Router, services: EmulatorServices, phoneNumbers: readonly string[], inbox: SmsInbox): void {
  router.add(
    'POST',
    '/sms',
    (ctx) => {
      verifyHmacRequest({ method: ctx.method, url: ctx.rawUrl, headers: ctx.headers, body: ctx.body }, services.keys.accessKey);
      const body = asObject(parseJsonBody(ctx.body), 'body');
      const from = body['from'];
      if (typeof from !== 'string' || from === '') return validation('From', 'The From field is required.');
      if (!E164.test(from)) return validation('From', 'Invalid From phone number format');
      const message = body['message'];
      if (typeof message !== 'string') return validation('Message', 'The Message field is required.');
      if (message.length > MAX_MESSAGE_LENGTH)
        return validation('Message', `The field Message must be a string with a maximum length of ${MAX_MESSAGE_LENGTH}.`);
      const recipients = body['smsRecipients'];
      if (!Array.isArray(recipients) || recipients.length === 0) return validation('SmsRecipients', 'The SmsRecipients field is required.');
      const options = body['smsSendOptions'] === undefined ? {} : asObject(body['smsSendOptions'], 'smsSendOptions');
      const tag = typeof options['tag'] === 'string' ? options['tag'] : undefined;
      const enableDeliveryReport = options['enableDeliveryReport'] === true;
      // Checked after the format: the recorded service refuses a number it does not own with a bare 401.
      if (!phoneNumbers.includes(from)) return { status: 401 };

      const value = recipients.map((raw: unknown) => {
        const recipient = isPlainObject(raw) ? raw : {};
        const to = typeof recipient['to'] === 'string' ? recipient['to'] : '';
        if (!E164.test(to)) return { to, httpStatusCode: 400, errorMessage: 'Invalid To phone number format.', successful: false };
        const requestId = typeof recipient['repeatabilityRequestId'] === 'string' ? recipient['repeatabilityRequestId'] : undefined;
        const repeated = inbox.repeated(requestId);
        if (repeated !== undefined) return { to, messageId: repeated, httpStatusCode: 202, repeatabilityResult: 'accepted', successful: true };
        const messageId = `Outgoing_${compactTime(ctx.now)}${randomUUID()}_noam`;
        inbox.add({ messageId, from, to, message, ...(tag !== undefined && { tag }), enableDeliveryReport, sentOn: new Date(ctx.now) }, requestId);
        return { to, messageId, httpStatusCode: 202, repeatabilityResult: 'accepted', successful: true };
      });
      return { status: 202, body: { value } };
    },
    { apiVersions: SMS_API_VERSIONS },
  );
}

/** The service's ASP.NET model-validation body: `{"From":["Invalid From phone number format"]}`. */
function validation(field: string, message: string): RouteResult {
  return { status: 400, body: { [field]: [message] } };
}

/** `yyyyMMddHHmmss`, as the service's message ids start. */
function compactTime(now: number): string {
  return new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
