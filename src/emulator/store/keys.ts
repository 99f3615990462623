import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CertificatePair, certificateHosts, createSelfSignedCertificate, isUsableCertificate } from '../tls/certificate.js';
import { readFileIfExists, writeFileAtomic } from './files.js';
import { SessionError } from '../../errors.js';
import { isPlainObject } from '../../internal/options.js';
import { isBase64Key } from '../options.js';

/** The emulator's identity: everything that must stay the same across restarts with a data dir. */
export interface EmulatorKeys {
  /** The emulated resource's id, part of every user id (`8:acs:<resourceId>_<uuid>`). */
  resourceId: string;
  /** Base64 access key of the connection string (HMAC key). */
  accessKey: string;
  /** HS256 secret for user tokens. */
  tokenSecret: Buffer;
  /** TLS certificate and key. */
  certificate: CertificatePair;
}

interface KeysFile {
  resourceId: string;
  accessKey: string;
  tokenSecret: string;
}

/**
 * Loads the keys and certificate from `dataDir`, creating (and persisting) what is missing. A
 * `keys.json` that exists but is not valid is refused with `INVALID_OPTIONS` (new keys would
 * orphan every stored identity); an unusable certificate is regenerated. Without a data dir everything is fresh and in memory. The certificate covers the
 * loopback names and `host` (the interface the emulator binds): a stored one that does not cover
 * `host` is regenerated, or clients connecting to that host would fail the TLS name check.
 *
 * @example
 * ```ts
 * const keys = loadOrCreateKeys('/tmp/emu');            // same keys on every start
 * const fresh = loadOrCreateKeys(undefined, myAccessKey, '192.168.1.20');
 * ```
 */
export function loadOrCreateKeys(dataDir: string | undefined, accessKey?: string, host?: string): EmulatorKeys {
  const altNames = certificateHosts(host);
  if (accessKey !== undefined && !isBase64Key(accessKey)) {
    throw new SessionError('INVALID_OPTIONS', 'accessKey must be a non-empty base64 string');
  }
  if (dataDir === undefined) {
    return {
      resourceId: randomUUID(),
      accessKey: accessKey ?? randomBytes(32).toString('base64'),
      tokenSecret: randomBytes(32),
      certificate: createSelfSignedCertificate({ altNames }),
    };
  }
  mkdirSync(dataDir, { recursive: true });
  const keysPath = join(dataDir, 'keys.json');
  const text = readFileIfExists(keysPath);
  let stored = text === undefined ? undefined : parseKeys(text);
  if (text !== undefined && !stored) {
    // Generating new keys here would silently orphan every stored identity and token (user ids
    // embed the resource id): the user must repair or remove the file knowingly.
    throw new SessionError(
      'INVALID_OPTIONS',
      `startEmulator: ${keysPath} is not a valid emulator keys file (expected JSON with resourceId, accessKey and tokenSecret); restore it, or delete it to start with new keys (identities stored in this data dir will then no longer be usable)`,
    );
  }
  if (!stored || (accessKey !== undefined && stored.accessKey !== accessKey)) {
    stored = {
      resourceId: stored?.resourceId ?? randomUUID(),
      accessKey: accessKey ?? stored?.accessKey ?? randomBytes(32).toString('base64'),
      tokenSecret: stored?.tokenSecret ?? randomBytes(32).toString('base64'),
    };
    writeFileAtomic(keysPath, JSON.stringify(stored, null, 2) + '\n');
  }

  const certPath = join(dataDir, 'cert.pem');
  const keyPath = join(dataDir, 'key.pem');
  const cert = readFileIfExists(certPath);
  const key = readFileIfExists(keyPath);
  let certificate: CertificatePair | undefined = cert && key ? { cert, key } : undefined;
  if (!certificate || !isUsableCertificate(certificate, new Date(), altNames)) {
    certificate = createSelfSignedCertificate({ altNames });
    // Key first: a kill between the two writes leaves a cert/key mismatch, which the
    // isUsableCertificate check above catches next time and regenerates.
    writeFileAtomic(keyPath, certificate.key);
    writeFileAtomic(certPath, certificate.cert);
  }
  return {
    resourceId: stored.resourceId,
    accessKey: stored.accessKey,
    tokenSecret: Buffer.from(stored.tokenSecret, 'base64'),
    certificate,
  };
}

function parseKeys(text: string): KeysFile | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isPlainObject(value)) return undefined;
    const { resourceId, accessKey, tokenSecret } = value;
    if (typeof resourceId !== 'string' || typeof accessKey !== 'string' || typeof tokenSecret !== 'string') return undefined;
    if (!resourceId || !isBase64Key(accessKey) || !isBase64Key(tokenSecret)) return undefined;
    return { resourceId, accessKey, tokenSecret };
  } catch {
    return undefined;
  }
}
