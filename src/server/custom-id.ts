import { createHash, createHmac } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { AcsTarget } from './acs-target.js';

/**
 * The identity api-version that knows `customId`. The released `@azure/communication-identity`
 * (1.3.1) sends 2023-10-01 and has no `customId` parameter, so the token service makes this one
 * call itself, signed the way the client signs.
 */
export const CUSTOM_ID_API_VERSION = '2025-06-30';

/** Scope of an Entra token for ACS. */
const ACS_SCOPE = 'https://communication.azure.com//.default';

/** The 201 body of `POST /identities` with a `customId`. @internal */
export interface CustomIdIdentity {
  identity: { id: string; customId?: string };
  accessToken?: { token: string; expiresOn: string };
}

/** A failed ACS call, shaped like the Azure pipeline's `RestError` so that `fromAcsError` reads it. @internal */
export class AcsRequestError extends Error {
  override readonly name = 'RestError';
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    readonly response: { status: number; headers: { get(name: string): string | undefined } } | undefined,
  ) {
    super(message);
  }
}

/**
 * `POST /identities?api-version=2025-06-30` with `{ customId, createTokenWithScopes?, expiresInMinutes? }`:
 * the identity for `customId` (created on first use, the same one afterwards) and, with scopes, a token.
 * @internal
 */
export async function createIdentityWithCustomId(
  target: AcsTarget,
  body: { customId: string; createTokenWithScopes?: readonly string[]; expiresInMinutes?: number },
  options: { ca?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<CustomIdIdentity> {
  const url = new URL(`identities?api-version=${CUSTOM_ID_API_VERSION}`, target.endpoint.endsWith('/') ? target.endpoint : `${target.endpoint}/`);
  const payload = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...(await authHeaders(target, url, payload)) };
  const response = await send(url, headers, payload, options);
  if (response.status === 201 || response.status === 200) return JSON.parse(response.text) as CustomIdIdentity;
  let code: string | undefined;
  let message = `ACS answered ${response.status}`;
  try {
    const error = (JSON.parse(response.text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code === 'string') code = error.code;
    if (typeof error?.message === 'string') message = error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new AcsRequestError(message, response.status, code, { status: response.status, headers: { get: (name) => response.headers[name.toLowerCase()] } });
}

async function authHeaders(target: AcsTarget, url: URL, payload: string): Promise<Record<string, string>> {
  const accessKey = target.kind === 'connectionString' ? target.accessKey : 'key' in target.credential ? target.credential.key : undefined;
  const contentHash = createHash('sha256').update(payload).digest('base64');
  if (accessKey === undefined) {
    const credential = target.kind === 'credential' && !('key' in target.credential) ? target.credential : undefined;
    const entra = await credential?.getToken(ACS_SCOPE);
    if (!entra) throw new AcsRequestError('The credential returned no token for Azure Communication Services', undefined, undefined, undefined);
    return { authorization: `Bearer ${entra.token}`, 'x-ms-content-sha256': contentHash };
  }
  // The same string to sign as the identity client's HMAC policy: query as URLSearchParams, host with port.
  const date = new Date().toUTCString();
  const pathAndQuery = `${url.pathname}?${url.searchParams.toString()}`;
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(`POST\n${pathAndQuery}\n${date};${url.host};${contentHash}`).digest('base64');
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

function send(
  url: URL,
  headers: Record<string, string>,
  payload: string,
  options: { ca?: string | undefined; signal?: AbortSignal | undefined },
): Promise<{ status: number; headers: Record<string, string | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
        ...(options.ca !== undefined && { ca: options.ca }),
        ...(options.signal && { signal: options.signal }),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const flat: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ status: res.statusCode ?? 0, headers: flat, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new AcsRequestError('ACS did not answer within 30 s', undefined, 'REQUEST_SEND_ERROR', undefined)));
    req.on('error', (error) =>
      reject(
        error.name === 'AbortError' || error instanceof AcsRequestError
          ? error
          : new AcsRequestError(error.message, undefined, 'REQUEST_SEND_ERROR', undefined),
      ),
    );
    req.end(payload);
  });
}
