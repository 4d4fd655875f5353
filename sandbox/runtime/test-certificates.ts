/**
 * The sandbox's test CA and server certificate. Same shape as sandbox/server/tls/certificates.ts
 * (a CA, a leaf signed by it with SAN names and serverAuth), but quick enough to make at every
 * sandbox start: the RSA keys are generated off the main thread and the two signatures are made
 * by node:crypto instead of forge's JavaScript big-number code (about 0.7 s -> a few ms). Where
 * node:crypto cannot sign raw digests (some WebContainer builds), forge signs as before.
 */
import { constants, generateKeyPair, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { SandboxCertificates } from './virtual-files.ts';

/** Names the leaf certificate is valid for: the sandbox's own and the lessons' example hosts. */
export const CERTIFICATE_HOSTNAMES = ['localhost', 'example.com', 'www.example.com'];
export const CERTIFICATE_IPS = ['127.0.0.1'];

const CA_SUBJECT = [
  { name: 'commonName', value: 'wslab sandbox CA' },
  { name: 'organizationName', value: 'Apache WebSocket Lab' },
];

/** DER prefix of a DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface KeyPair {
  publicPem: string;
  privatePem: string;
}

/** Create the CA and the leaf certificate. */
export async function createSandboxCertificates(): Promise<SandboxCertificates> {
  const [caKeys, leafKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);

  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caKeys.publicPem);
  ca.serialNumber = serialNumber();
  setValidity(ca);
  ca.setSubject(CA_SUBJECT);
  ca.setIssuer(CA_SUBJECT);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(signer(caKeys.privatePem), forge.md.sha256.create());

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = forge.pki.publicKeyFromPem(leafKeys.publicPem);
  leaf.serialNumber = serialNumber();
  setValidity(leaf);
  leaf.setSubject([{ name: 'commonName', value: CERTIFICATE_HOSTNAMES[0] }]);
  leaf.setIssuer(CA_SUBJECT);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...CERTIFICATE_HOSTNAMES.map((value) => ({ type: 2, value })), ...CERTIFICATE_IPS.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(signer(caKeys.privatePem), forge.md.sha256.create());

  return { caCert: forge.pki.certificateToPem(ca), cert: forge.pki.certificateToPem(leaf), key: leafKeys.privatePem };
}

function rsaKeyPair(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (error, publicPem, privatePem) => (error ? reject(error) : resolve({ publicPem, privatePem })),
    );
  });
}

/**
 * What forge's cert.sign() needs from a key: sign(md) returning the RSASSA-PKCS1-v1_5 signature
 * as a binary string. privateEncrypt with PKCS#1 padding over the DigestInfo is exactly that.
 */
function signer(privatePem: string): forge.pki.rsa.PrivateKey {
  let fallback: forge.pki.rsa.PrivateKey | undefined;
  const sign = (md: forge.md.MessageDigest): string => {
    const digest = Buffer.from(md.digest().getBytes(), 'binary');
    try {
      return privateEncrypt({ key: privatePem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString('binary');
    } catch {
      fallback ??= forge.pki.privateKeyFromPem(privatePem);
      return fallback.sign(md);
    }
  };
  return { sign } as unknown as forge.pki.rsa.PrivateKey;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

function setValidity(certificate: forge.pki.Certificate): void {
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 60 * 60 * 1000);
  certificate.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
}
