/**
 * Just enough PEM and DER reading for the checks mod_ssl makes while it loads SSLCertificateFile
 * and SSLCertificateKeyFile at startup (ssl_engine_init.c, ssl_init_server_certs): is there a
 * certificate in the file, is there a private key in the key file, and does the key belong to the
 * certificate. Pure TypeScript: the public key of the certificate is compared with the public half
 * the private key carries (RSA's modulus and exponent, the EC point of an ECPrivateKey or PKCS#8
 * structure). Keys whose public half cannot be read without curve arithmetic (Ed25519, encrypted
 * keys) are taken to match.
 */

/** One `-----BEGIN LABEL-----` block, decoded. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** Labels PEM_read_bio_X509_AUX accepts (it skips any other block). */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);
/** Labels PEM_read_bio_PrivateKey accepts. */
const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

const OID_RSA = '2a864886f70d010101';
const OID_EC = '2a8648ce3d0201';

export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    const body = match[2]
      .split(/\r?\n/)
      .filter((line) => !line.includes(':'))
      .join('');
    const der = decodeBase64(body);
    if (der) blocks.push({ label: match[1], der });
  }
  return blocks;
}

export function firstCertificate(text: string): PemBlock | null {
  return pemBlocks(text).find((block) => CERTIFICATE_LABELS.has(block.label)) ?? null;
}

export function firstPrivateKey(text: string): PemBlock | null {
  return pemBlocks(text).find((block) => PRIVATE_KEY_LABELS.has(block.label)) ?? null;
}

/**
 * False when the key provably is not the certificate's (SSL_CTX_check_private_key fails); true
 * when it matches or when the sandbox cannot tell.
 */
export function keyMatchesCertificate(certificate: PemBlock, key: PemBlock): boolean {
  const certKey = certificatePublicKey(certificate.der);
  const keyPublic = privateKeyPublicPart(key);
  if (!certKey || !keyPublic) return true;
  if (certKey.algorithm !== keyPublic.algorithm) return false;
  if (keyPublic.algorithm === OID_RSA) {
    const rsa = children(certKey.keyBits, 0);
    const sequence = rsa[0];
    if (!sequence || sequence.tag !== 0x30) return true;
    const [modulus, exponent] = children(certKey.keyBits, sequence.contentStart, sequence.end);
    if (!modulus || !exponent) return true;
    return sameInteger(content(certKey.keyBits, modulus), keyPublic.parts[0]) && sameInteger(content(certKey.keyBits, exponent), keyPublic.parts[1]);
  }
  return sameBytes(certKey.keyBits, keyPublic.parts[0]);
}

interface Tlv {
  tag: number;
  contentStart: number;
  end: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) return null;
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + bytes[start + index];
    start += count;
  }
  if (start + length > bytes.length) return null;
  return { tag, contentStart: start, end: start + length };
}

/** The TLVs one after another from `start` to `end`. */
function children(bytes: Uint8Array, start: number, end = bytes.length): Tlv[] {
  const out: Tlv[] = [];
  let offset = start;
  while (offset < end) {
    const tlv = readTlv(bytes, offset);
    if (!tlv || tlv.end > end) break;
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

function content(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The algorithm OID (hex) of an AlgorithmIdentifier. */
function algorithmOf(bytes: Uint8Array, algorithm: Tlv): string | null {
  const oid = children(bytes, algorithm.contentStart, algorithm.end)[0];
  return oid && oid.tag === 0x06 ? hex(content(bytes, oid)) : null;
}

/** A BIT STRING's bits without the unused-bits byte. */
function bitString(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart + 1, tlv.end);
}

/** The SubjectPublicKeyInfo of an X.509 certificate: algorithm OID and the key bits. */
function certificatePublicKey(der: Uint8Array): { algorithm: string; keyBits: Uint8Array } | null {
  const certificate = readTlv(der, 0);
  if (!certificate || certificate.tag !== 0x30) return null;
  const tbs = children(der, certificate.contentStart, certificate.end)[0];
  if (!tbs || tbs.tag !== 0x30) return null;
  const fields = children(der, tbs.contentStart, tbs.end);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const spki = fields[first + 5];
  if (!spki || spki.tag !== 0x30) return null;
  const [algorithm, key] = children(der, spki.contentStart, spki.end);
  if (!algorithm || !key || key.tag !== 0x03) return null;
  const oid = algorithmOf(der, algorithm);
  return oid ? { algorithm: oid, keyBits: bitString(der, key) } : null;
}

/** The public half a private key carries: RSA [n, e], EC [point]. */
function privateKeyPublicPart(block: PemBlock): { algorithm: string; parts: Uint8Array[] } | null {
  const { der } = block;
  if (block.label === 'RSA PRIVATE KEY') return rsaPrivateKeyPublic(der);
  if (block.label === 'EC PRIVATE KEY') return ecPrivateKeyPublic(der);
  if (block.label !== 'PRIVATE KEY') return null;
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30) return null;
  const fields = children(der, outer.contentStart, outer.end);
  const [, algorithm, privateKey] = fields;
  if (!algorithm || !privateKey || privateKey.tag !== 0x04) return null;
  const oid = algorithmOf(der, algorithm);
  const inner = content(der, privateKey);
  if (oid === OID_RSA) return rsaPrivateKeyPublic(inner);
  if (oid === OID_EC) {
    const fromInner = ecPrivateKeyPublic(inner);
    if (fromInner) return fromInner;
    // OneAsymmetricKey's [1] publicKey
    const publicKey = fields.find((field) => field.tag === 0x81);
    return publicKey ? { algorithm: OID_EC, parts: [der.subarray(publicKey.contentStart + 1, publicKey.end)] } : null;
  }
  return null;
}

function rsaPrivateKeyPublic(der: Uint8Array): { algorithm: string; parts: Uint8Array[] } | null {
  const sequence = readTlv(der, 0);
  if (!sequence || sequence.tag !== 0x30) return null;
  const [, modulus, exponent] = children(der, sequence.contentStart, sequence.end);
  if (!modulus || !exponent || modulus.tag !== 0x02 || exponent.tag !== 0x02) return null;
  return { algorithm: OID_RSA, parts: [content(der, modulus), content(der, exponent)] };
}

function ecPrivateKeyPublic(der: Uint8Array): { algorithm: string; parts: Uint8Array[] } | null {
  const sequence = readTlv(der, 0);
  if (!sequence || sequence.tag !== 0x30) return null;
  const explicit = children(der, sequence.contentStart, sequence.end).find((field) => field.tag === 0xa1);
  if (!explicit) return null;
  const point = readTlv(der, explicit.contentStart);
  if (!point || point.tag !== 0x03) return null;
  return { algorithm: OID_EC, parts: [bitString(der, point)] };
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let index = 0;
  while (index < bytes.length - 1 && bytes[index] === 0) index++;
  return bytes.subarray(index);
}

function sameInteger(a: Uint8Array, b: Uint8Array): boolean {
  return sameBytes(stripLeadingZeros(a), stripLeadingZeros(b));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE64.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}
