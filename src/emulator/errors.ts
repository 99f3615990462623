/**
 * The ACS error wire shape, `{"error":{"code","message","target?"}}`, and the exception the route
 * handlers throw to produce it. One place, so every failure path answers the same way the real
 * service does and the real clients can deserialize it into a `RestError`.
 */

/** Body of every ACS error response. */
export interface AcsErrorBody {
  error: { code: string; message: string; target?: string; innererror?: { code: string; message?: string } };
}

/**
 * An HTTP error answered with the ACS error body.
 */
export class AcsHttpError extends Error {
  override readonly name = 'AcsHttpError';
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Optional `error.target`. */
  readonly target: string | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { headers?: Record<string, string>; target?: string } = {},
  ) {
    super(message);
    this.headers = options.headers ?? {};
    this.target = options.target;
  }

  /** The JSON body for this error. */
  toBody(): AcsErrorBody {
    return errorBody(this.code, this.message, this.target);
  }
}

/**
 * Builds the ACS error body.
 *
 * @example
 * ```ts
 * errorBody('NotFound', 'No such route'); // { error: { code: 'NotFound', message: 'No such route' } }
 * ```
 */
export function errorBody(code: string, message: string, target?: string): AcsErrorBody {
  return { error: target === undefined ? { code, message } : { code, message, target } };
}

/**
 * Shorthands for the errors the routes use, with the codes the real service answers.
 */
export const httpErrors = {
  badRequest: (message: string, target?: string): AcsHttpError => new AcsHttpError(400, 'BadRequest', message, target === undefined ? {} : { target }),
  validation: (message: string, target?: string): AcsHttpError => new AcsHttpError(400, 'ValidationError', message, target === undefined ? {} : { target }),
  unauthorized: (message = 'Invalid or expired token.'): AcsHttpError => new AcsHttpError(401, 'Unauthorized', message),
  denied: (): AcsHttpError => new AcsHttpError(401, 'Denied', 'Denied by the resource provider.'),
  forbidden: (message = 'Permissions check failed'): AcsHttpError => new AcsHttpError(403, 'Forbidden', message),
  notFound: (message = 'Not found.'): AcsHttpError => new AcsHttpError(404, 'NotFound', message),
  payloadTooLarge: (limit: number): AcsHttpError => new AcsHttpError(413, 'RequestEntityTooLarge', `The request body exceeds ${limit} bytes.`),
} as const;
