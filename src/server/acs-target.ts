import { SessionError } from '../errors.js';

/**
 * An access key credential (`AzureKeyCredential` of `@azure/core-auth` fits).
 *
 * @example
 * ```ts
 * const credential: AccessKeyCredential = new AzureKeyCredential(process.env.ACS_ACCESS_KEY!);
 * ```
 */
export interface AccessKeyCredential {
  /** The base64 access key of the Communication Services resource. */
  readonly key: string;
}

/**
 * A Microsoft Entra credential (`DefaultAzureCredential` of `@azure/identity` fits).
 *
 * @example
 * ```ts
 * const credential: EntraCredential = new DefaultAzureCredential();
 * ```
 */
export interface EntraCredential {
  /** Gets an Entra access token for `scopes`. */
  getToken(scopes: string | string[], options?: object): Promise<EntraAccessToken | null>;
}

/**
 * What {@link EntraCredential.getToken} resolves with (`AccessToken` of `@azure/core-auth`).
 *
 * @example
 * ```ts
 * const { token }: EntraAccessToken = (await credential.getToken('https://communication.azure.com//.default'))!;
 * ```
 */
export interface EntraAccessToken {
  /** The bearer token. */
  token: string;
  /** When it expires, in epoch milliseconds. */
  expiresOnTimestamp: number;
}

/** Where the ACS resource is and how to authenticate to it, from the service options. @internal */
export type AcsTarget =
  | { readonly kind: 'connectionString'; readonly connectionString: string; readonly endpoint: string; readonly accessKey: string }
  | { readonly kind: 'credential'; readonly endpoint: string; readonly credential: AccessKeyCredential | EntraCredential };

/**
 * Parses `endpoint=https://…/;accesskey=…`. The error never repeats the string: it holds the key.
 * @internal
 */
export function parseConnectionString(connectionString: string): { endpoint: string; accessKey: string } {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const endpoint = parts.get('endpoint');
  const accessKey = parts.get('accesskey');
  if (!endpoint || !accessKey || !/^https?:\/\//i.test(endpoint)) {
    throw new SessionError(
      'INVALID_OPTIONS',
      'createTokenService got invalid options:\n  - connectionString must look like "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"',
    );
  }
  return { endpoint, accessKey };
}
