import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TestCertificateOptions {
  /** DNS names the leaf certificate is valid for; default ["localhost"]. */
  hostnames?: string[];
  /** IP addresses the leaf certificate is valid for; default ["127.0.0.1"]. */
  ips?: string[];
  /** Days the certificates stay valid; default 365. */
  validDays?: number;
}

/** A throwaway CA and a server certificate it signed, all as PEM text. */
export interface TestCertificates {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** Where writeTestCertificates put each PEM file. */
export interface TestCertificatePaths {
  caCertFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

const CA_SUBJECT = [
  { name: 'commonName', value: 'wslab test CA' },
  { name: 'organizationName', value: 'Apache WebSocket Lab' },
];

/**
 * Make a test CA and a leaf certificate signed by it (SAN DNS + IP, serverAuth), entirely in
 * JavaScript: nothing is downloaded and no openssl binary is needed, so it works in WebContainer.
 * RSA keys come from node:crypto because forge's pure-JS key generation takes seconds.
 */
export function createTestCertificates(options: TestCertificateOptions = {}): TestCertificates {
  const hostnames = options.hostnames ?? ['localhost'];
  const ips = options.ips ?? ['127.0.0.1'];
  const validDays = options.validDays ?? 365;

  const caKeys = generateRsaKeyPair();
  const caCertificate = forge.pki.createCertificate();
  caCertificate.publicKey = caKeys.publicKey;
  caCertificate.serialNumber = randomSerialNumber();
  setValidity(caCertificate, validDays);
  caCertificate.setSubject(CA_SUBJECT);
  caCertificate.setIssuer(CA_SUBJECT);
  caCertificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCertificate.sign(caKeys.privateKey, forge.md.sha256.create());

  const leafKeys = generateRsaKeyPair();
  const leafCertificate = forge.pki.createCertificate();
  leafCertificate.publicKey = leafKeys.publicKey;
  leafCertificate.serialNumber = randomSerialNumber();
  setValidity(leafCertificate, validDays);
  leafCertificate.setSubject([{ name: 'commonName', value: hostnames[0] ?? ips[0] ?? 'localhost' }]);
  leafCertificate.setIssuer(CA_SUBJECT);
  leafCertificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...hostnames.map((hostname) => ({ type: 2, value: hostname })), // dNSName
        ...ips.map((ip) => ({ type: 7, ip })), // iPAddress
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCertificate.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leafCertificate.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(caCertificate),
    caKey: caKeys.privateKeyPem,
    cert: forge.pki.certificateToPem(leafCertificate),
    key: leafKeys.privateKeyPem,
  };
}

/** Create test certificates and write them as ca.pem, ca-key.pem, cert.pem and key.pem in `dir`. */
export async function writeTestCertificates(dir: string, options: TestCertificateOptions = {}): Promise<TestCertificatePaths & TestCertificates> {
  const certificates = createTestCertificates(options);
  const paths: TestCertificatePaths = {
    caCertFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca-key.pem'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(paths.caCertFile, certificates.caCert);
  await writeFile(paths.caKeyFile, certificates.caKey, { mode: 0o600 });
  await writeFile(paths.certFile, certificates.cert);
  await writeFile(paths.keyFile, certificates.key, { mode: 0o600 });
  return { ...paths, ...certificates };
}

function generateRsaKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; privateKeyPem: string } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey),
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey),
    privateKeyPem: pair.privateKey,
  };
}

/** 16 random bytes with the top bit cleared: X.509 serials must be positive. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01; // no leading zero byte, which DER would otherwise have to strip
  return bytes.toString('hex');
}

function setValidity(certificate: forge.pki.Certificate, validDays: number): void {
  const now = Date.now();
  // Backdated a little so a client whose clock runs slightly behind still accepts it.
  certificate.validity.notBefore = new Date(now - 60 * 60 * 1000);
  certificate.validity.notAfter = new Date(now + validDays * 24 * 60 * 60 * 1000);
}
