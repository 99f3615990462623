import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateHosts, createSelfSignedCertificate, isUsableCertificate } from '../../../src/emulator/tls/certificate.js';
import { bitString, boolean, integer, oid, sequence, time, tlv } from '../../../src/emulator/tls/der.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('DER encoder', () => {
  it('encodes lengths in short and long form', () => {
    expect(hex(tlv(0x04, Buffer.alloc(3)))).toBe('0403000000');
    expect(hex(tlv(0x04, Buffer.alloc(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('encodes integers minimally and keeps them positive', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0, 0x01])))).toBe('020101');
    expect(hex(integer(Buffer.from([0xff])))).toBe('020200ff');
  });

  it('encodes OIDs, booleans, bit strings and times', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(bitString(Buffer.from([0x84]), 2))).toBe('03020284');
    expect(time(new Date('2030-01-02T03:04:05Z')).toString('latin1').slice(2)).toBe('300102030405Z');
    expect(time(new Date('2051-01-02T03:04:05Z'))[0]).toBe(0x18);
    expect(hex(sequence())).toBe('3000');
  });
});

describe('self-signed certificate', () => {
  it('parses with Node, covers localhost/127.0.0.1/::1, verifies with its own key', () => {
    const pair = createSelfSignedCertificate();
    const x509 = new X509Certificate(pair.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(isUsableCertificate(pair)).toBe(true);
  });

  it('is unusable when expired, mismatched or garbage', () => {
    const a = createSelfSignedCertificate();
    const b = createSelfSignedCertificate();
    expect(isUsableCertificate({ cert: a.cert, key: b.key })).toBe(false);
    expect(isUsableCertificate(createSelfSignedCertificate({ now: new Date('2000-01-01T00:00:00Z'), days: 30 }))).toBe(false);
    expect(isUsableCertificate({ cert: 'nope', key: 'nope' })).toBe(false);
  });

  it('is unusable for a host it does not cover; certificateHosts adds the bound host', () => {
    expect(certificateHosts(undefined)).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(certificateHosts('0.0.0.0')).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(certificateHosts('::')).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(certificateHosts('[fd00::5]')).toEqual(['localhost', '127.0.0.1', '::1', 'fd00::5']);
    const lanHosts = certificateHosts('dev-box.lan');
    const loopbackOnly = createSelfSignedCertificate();
    expect(isUsableCertificate(loopbackOnly, new Date(), lanHosts)).toBe(false);
    const lan = createSelfSignedCertificate({ altNames: lanHosts });
    expect(isUsableCertificate(lan, new Date(), lanHosts)).toBe(true);
    expect(new X509Certificate(lan.cert).checkHost('dev-box.lan')).toBe('dev-box.lan');
    expect(isUsableCertificate(createSelfSignedCertificate({ altNames: certificateHosts('192.168.1.20') }), new Date(), ['192.168.1.20'])).toBe(true);
  });
});
