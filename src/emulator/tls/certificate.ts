import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, contextTag, integer, octetString, oid, sequence, set, time, utf8String } from './der.js';

/**
 * A PEM certificate with its PEM private key.
 *
 * @example
 * ```ts
 * const { cert, key }: CertificatePair = createSelfSignedCertificate();
 * ```
 */
export interface CertificatePair {
  /** PEM `CERTIFICATE`. */
  cert: string;
  /** PEM PKCS#8 `PRIVATE KEY`. */
  key: string;
}

/**
 * Options of {@link createSelfSignedCertificate}.
 *
 * @example
 * ```ts
 * createSelfSignedCertificate({ altNames: ['localhost', '127.0.0.1'], days: 30 });
 * ```
 */
export interface CertificateOptions {
  /** Subject common name. Default `acs-session emulator`. */
  commonName?: string;
  /** DNS names and IP addresses for the subjectAltName. Default localhost, 127.0.0.1 and ::1. */
  altNames?: readonly string[];
  /** Validity in days. Default 397 (the longest browsers accept for a leaf). */
  days?: number;
  /** Clock, for tests. */
  now?: Date;
}

/** The names every emulator certificate covers: the loopback interfaces. */
export const DEFAULT_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/**
 * The subjectAltNames for an emulator bound to `host`: the loopback names plus `host` itself,
 * unless it is a wildcard (`0.0.0.0`/`::`, reached through loopback) or already one of them.
 *
 * @example
 * ```ts
 * certificateHosts('192.168.1.20'); // ['localhost', '127.0.0.1', '::1', '192.168.1.20']
 * ```
 */
export function certificateHosts(host: string | undefined): string[] {
  const names = [...DEFAULT_ALT_NAMES];
  if (host === undefined) return names;
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare !== '0.0.0.0' && bare !== '::' && bare !== '' && !names.includes(bare)) names.push(bare);
  return names;
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/**
 * Creates a self-signed X.509 v3 certificate (EC P-256, ECDSA with SHA-256) valid for TLS servers
 * on the given host names and IP addresses.
 *
 * It is its own CA (basicConstraints CA:TRUE) so that it can be handed to Node as `ca` /
 * `NODE_EXTRA_CA_CERTS` and be both the trust anchor and the server certificate.
 *
 * @example
 * ```ts
 * const { cert, key } = createSelfSignedCertificate();
 * https.createServer({ cert, key }, handler);
 * ```
 */
export function createSelfSignedCertificate(options: CertificateOptions = {}): CertificatePair {
  const now = options.now ?? new Date();
  const days = options.days ?? 397;
  const altNames = options.altNames ?? DEFAULT_ALT_NAMES;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });

  const name = sequence(set(sequence(oid(OID.commonName), utf8String(options.commonName ?? 'acs-session emulator'))));
  // Serial: 16 random bytes, positive (RFC 5280 allows up to 20 octets).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const keyId = createHash('sha1').update(spki).digest();
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));

  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    // digitalSignature (bit 0) + keyCertSign (bit 5): 1000 0100, 2 unused trailing bits.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x84]), 2)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...altNames.map(generalName))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(contextTag(0, keyId, false))),
  );

  const tbs = sequence(
    contextTag(0, integer(2)), // v3
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(time(new Date(now.getTime() - 24 * 3600_000)), time(new Date(now.getTime() + days * 24 * 3600_000))),
    name,
    spki,
    contextTag(3, extensions),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));

  return {
    cert: toPem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * True when `pair` parses, its key matches, it covers every name in `hosts` (default: the
 * loopback names) and it stays valid for at least another day — the test applied to a
 * certificate loaded from a data dir.
 */
export function isUsableCertificate(pair: CertificatePair, now = new Date(), hosts: readonly string[] = DEFAULT_ALT_NAMES): boolean {
  try {
    const x509 = new X509Certificate(pair.cert);
    if (!x509.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (new Date(x509.validTo).getTime() < now.getTime() + 24 * 3600_000) return false;
    return hosts.every((host) => (isIP(host) ? x509.checkIP(host) : x509.checkHost(host)) !== undefined);
  } catch {
    return false;
  }
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function generalName(value: string): Buffer {
  const family = isIP(value);
  if (family === 4) return contextTag(7, Buffer.from(value.split('.').map(Number)), false);
  if (family === 6) return contextTag(7, ipv6Bytes(value), false);
  return contextTag(2, Buffer.from(value, 'ascii'), false);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const zeros = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
