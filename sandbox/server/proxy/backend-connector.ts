/**
 * Opening the proxy's connection to a backend, and describing failures the way httpd's error log
 * does ("(111)Connection refused"). Name resolution, the connect timeout and TLS to the backend
 * (wss://, https:// with SSLProxyEngine) live here so the request flow only sees success or a
 * classified failure.
 */
import type { TlsVersionName } from '../../engine/routing/ssl-protocol-range.ts';
import net from 'node:net';
import tls from 'node:tls';
import { lookup } from 'node:dns/promises';
import { connectReusingReadBuffer } from './reused-read-buffer.ts';

/** errno values httpd prints in front of a failed connect, Linux numbering. */
const ERRNO: Record<string, [number, string]> = {
  ECONNREFUSED: [111, 'Connection refused'],
  ETIMEDOUT: [110, 'Connection timed out'],
  EHOSTUNREACH: [113, 'No route to host'],
  ENETUNREACH: [101, 'Network is unreachable'],
  ECONNRESET: [104, 'Connection reset by peer'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
  EPIPE: [32, 'Broken pipe'],
};

/** "(111)Connection refused" for a Node error code; "(70007)The timeout specified has expired" style for APR ones. */
export function describeOsError(code: string | undefined): string {
  if (code === 'APR_TIMEUP') return '(70007)The timeout specified has expired';
  const known = code ? ERRNO[code] : undefined;
  return known ? `(${known[0]})${known[1]}` : `(-1)${code ?? 'Unknown error'}`;
}

/** OpenSSL's X509_V_ERR numbers and texts (as mod_ssl's AH02039 prints them) for Node's codes. */
const OPENSSL_VERIFY_ERRORS: Record<string, { code: number; text: string }> = {
  UNABLE_TO_GET_ISSUER_CERT: { code: 2, text: 'unable to get issuer certificate' },
  CERT_NOT_YET_VALID: { code: 9, text: 'certificate is not yet valid' },
  CERT_HAS_EXPIRED: { code: 10, text: 'certificate has expired' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { code: 18, text: 'self-signed certificate' },
  SELF_SIGNED_CERT_IN_CHAIN: { code: 19, text: 'self-signed certificate in certificate chain' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { code: 20, text: 'unable to get local issuer certificate' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { code: 21, text: 'unable to verify the first certificate' },
};

export type ConnectFailure =
  | { kind: 'dns'; host: string }
  | { kind: 'connect'; address: string; port: number; osError: string }
  | { kind: 'tls'; address: string; port: number; message: string; verifyError?: { code: number; text: string } }
  | { kind: 'blocked'; reason: string };

export type ConnectResult =
  | { ok: true; socket: net.Socket; address: string; port: number }
  | { ok: false; failure: ConnectFailure };

export interface BackendTarget {
  host: string;
  port: number;
  tls: boolean;
  /** SNI / certificate name to check when tls; httpd sends the target host name. */
  servername?: string;
  /** SSLProxyVerify require: check the backend's certificate chain against `ca`. */
  verify?: boolean;
  /**
   * SSLProxyCheckPeerName/CN: "name" (the default) matches the host against the certificate's DNS
   * names, "cn" against its subject CN alone, "none" skips the check.
   */
  peerCheck?: 'name' | 'cn' | 'none';
  /** SSLProxyCheckPeerExpire (on by default): an expired or not yet valid certificate fails. */
  checkPeerExpire?: boolean;
  ca?: string[];
  /** SSLProxyProtocol's lowest and highest TLS version; null: none is enabled, the handshake fails. */
  versions?: { min: TlsVersionName; max: TlsVersionName } | null;
  /** SO_RCVBUF wish (ProxyReceiveBufferSize); applied where the platform lets Node set it. */
  receiveBufferSize?: number;
}

/** Resolve, connect (and handshake TLS when asked) within timeoutMs. Never throws. */
export async function connectBackend(target: BackendTarget, timeoutMs: number): Promise<ConnectResult> {
  let address: string;
  try {
    address = net.isIP(target.host) ? target.host : (await lookup(target.host, { family: 0 })).address;
  } catch {
    return { ok: false, failure: { kind: 'dns', host: target.host } };
  }
  // A TLS socket reads the plain socket's handle itself, so only plain backends reuse read buffers.
  const plain = await openSocket(address, target.port, timeoutMs, !target.tls);
  if (!plain.ok) return plain;
  if (!target.tls) return plain;
  if (target.versions === null) {
    plain.socket.destroy();
    return { ok: false, failure: { kind: 'tls', address, port: target.port, message: 'no TLS version enabled (SSLProxyProtocol)' } };
  }
  return new Promise<ConnectResult>((resolve) => {
    const secure = tls.connect({
      socket: plain.socket,
      servername: net.isIP(target.servername ?? target.host) ? undefined : (target.servername ?? target.host),
      rejectUnauthorized: target.verify ?? false,
      ca: target.ca,
      // Only the chain is Node's to verify; the host-name checks are mod_ssl's own (peerCheck below).
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['http/1.1'],
      ...(target.versions ? { minVersion: target.versions.min, maxVersion: target.versions.max } : {}),
    });
    const timer = setTimeout(() => fail('handshake timed out'), timeoutMs);
    const fail = (message: string, verifyError?: { code: number; text: string }) => {
      clearTimeout(timer);
      secure.destroy();
      resolve({ ok: false, failure: { kind: 'tls', address, port: target.port, message, verifyError } });
    };
    secure.once('error', (error: NodeJS.ErrnoException) => fail(error.message, OPENSSL_VERIFY_ERRORS[error.code ?? '']));
    secure.once('secureConnect', () => {
      const certificate = secure.getPeerCertificate();
      const wanted = target.servername ?? target.host;
      const peerCheck = target.peerCheck ?? 'name';
      if (peerCheck === 'name' && !certificateNamesHost(certificate, wanted)) {
        fail(`certificate does not name ${wanted} (SSLProxyCheckPeerName)`);
        return;
      }
      if (peerCheck === 'cn' && !commonNameMatches(certificate, wanted)) {
        fail(`certificate CN does not match ${wanted} (SSLProxyCheckPeerCN)`);
        return;
      }
      if ((target.checkPeerExpire ?? true) && !currentlyValid(certificate, Date.now())) {
        fail('certificate is expired or not yet valid (SSLProxyCheckPeerExpire)');
        return;
      }
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve({ ok: true, socket: secure, address, port: target.port });
    });
  });
}

function openSocket(address: string, port: number, timeoutMs: number, reuseReadBuffer: boolean): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = reuseReadBuffer ? connectReusingReadBuffer({ host: address, port }) : net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, failure: { kind: 'connect', address, port, osError: describeOsError('ETIMEDOUT') } });
    }, timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, failure: { kind: 'connect', address, port, osError: describeOsError(error.code) } });
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve({ ok: true, socket, address, port });
    });
  });
}

/**
 * mod_ssl's peer-name check: the host must match a DNS name of the certificate (subjectAltName,
 * else the CN), with one leading wildcard label. An IP address never matches, not even an IP
 * SAN, which is why `ProxyPass wss://127.0.0.1:…/` fails on httpd 2.4 even with a valid cert.
 */
export function certificateNamesHost(certificate: tls.PeerCertificate | undefined, host: string): boolean {
  if (!certificate || net.isIP(host)) return false;
  const altNames = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  const names = altNames.length > 0 ? altNames : [String(certificate.subject?.CN ?? '').toLowerCase()];
  const wanted = host.toLowerCase();
  return names.some((name) => name === wanted || (name.startsWith('*.') && wanted.endsWith(name.slice(1)) && !wanted.slice(0, -name.length + 1).includes('.')));
}

/** SSLProxyCheckPeerCN on its own: the subject CN equals the host, or "*.rest" equals the host from its first dot. */
export function commonNameMatches(certificate: tls.PeerCertificate | undefined, host: string): boolean {
  const cn = String(certificate?.subject?.CN ?? '');
  if (cn.toLowerCase() === host.toLowerCase()) return true;
  const dot = host.indexOf('.');
  return cn.startsWith('*.') && dot !== -1 && host.slice(dot).toLowerCase() === cn.slice(1).toLowerCase();
}

function currentlyValid(certificate: tls.PeerCertificate | undefined, nowMs: number): boolean {
  if (!certificate?.valid_from || !certificate.valid_to) return false;
  return Date.parse(certificate.valid_from) < nowMs && nowMs < Date.parse(certificate.valid_to);
}
