import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { firstCertificate, firstPrivateKey, keyMatchesCertificate, pemBlocks } from '../../../sandbox/engine/config/pem-keys.ts';
import { createTestCertificates } from '../../../sandbox/server/tls/certificates.ts';

const pair = createTestCertificates();
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('PEM reading for mod_ssl startup checks', () => {
  it('finds the certificate and the key, skipping other blocks as PEM_read_bio does', () => {
    const combined = `${pair.key}${pair.cert}`;
    expect(firstCertificate(combined)?.label).toBe('CERTIFICATE');
    expect(firstPrivateKey(combined)?.label).toMatch(/PRIVATE KEY$/);
    expect(firstCertificate(pair.key)).toBeNull();
    expect(firstPrivateKey(pair.cert)).toBeNull();
    expect(pemBlocks('garbage')).toEqual([]);
  });

  it('matches a certificate with its own key in PKCS#8 and PKCS#1 form', () => {
    const certificate = firstCertificate(pair.cert)!;
    expect(keyMatchesCertificate(certificate, firstPrivateKey(pair.key)!)).toBe(true);
    const pkcs8 = otherRsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pkcs1 = otherRsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(keyMatchesCertificate(certificate, firstPrivateKey(pkcs8)!)).toBe(false);
    expect(keyMatchesCertificate(certificate, firstPrivateKey(pkcs1)!)).toBe(false);
  });

  it('tells an EC key from the RSA certificate it does not belong to', () => {
    const certificate = firstCertificate(pair.cert)!;
    for (const type of ['pkcs8', 'sec1'] as const) {
      const pem = ec.privateKey.export({ type, format: 'pem' }) as string;
      expect(keyMatchesCertificate(certificate, firstPrivateKey(pem)!)).toBe(false);
    }
  });
});
