/**
 * mod_ssl's post_read_request checks between the TLS handshake and the request's Host
 * (ssl_hook_ReadReq): the handshake ran with the SSL setup of the vhost SNI named (or of the
 * connection's default vhost without SNI), and that setup cannot change mid-connection, so a
 * request whose Host selects a vhost with another setup is refused with 421 (AH02032). How much of
 * the setup must agree is SSLVHostSNIPolicy's choice (2.4.64). SSLStrictSNIVHostCheck refuses
 * clients without SNI on name-based vhosts (403, AH02033).
 */
import type { HttpdConfig, ServerScope } from '../config/model.ts';

export interface SniCheckInput {
  /** The SNI name the client sent; null when it sent none. */
  servername: string | null;
  /** The vhost the handshake used (selectSniVirtualHost) and whether the address is name-based. */
  handshakeIndex: number | null;
  nameBased: boolean;
  /** The vhost the Host header selected, and the host name the request carried. */
  requestIndex: number | null;
  hostname: string | null;
}

export type SniRefusal = { status: 400 | 403 | 421; code: string; level: 'error' | 'info'; message: string; explanation: string };

export function checkSniAgainstRequest(config: HttpdConfig, input: SniCheckInput): SniRefusal | null {
  const handshakeName = serverOf(config, input.handshakeIndex).serverName?.value.host ?? 'localhost';
  if (input.servername !== null && input.hostname === null) {
    return {
      status: 400,
      code: 'AH02031',
      level: 'error',
      message: `Hostname ${input.servername} provided via SNI, but no hostname provided in HTTP request`,
      explanation: `400: the client named ${input.servername} in SNI but sent no Host`,
    };
  }
  const policy = config.global.sslVhostSniPolicy?.value ?? 'secure';
  if (input.requestIndex !== input.handshakeIndex && !compatible(config, input.handshakeIndex, input.requestIndex, policy)) {
    const sniSide = input.servername !== null ? `Hostname ${input.servername} provided via SNI` : `Hostname ${handshakeName} (default host as no SNI was provided)`;
    return {
      status: 421,
      code: 'AH02032',
      level: 'error',
      message: `${sniSide} and hostname ${input.hostname} provided via HTTP have no compatible SSL setup for policy '${policy}'`,
      explanation: `421: the TLS handshake used the SSL setup of ${input.servername ?? `the default vhost ${handshakeName}`}, and Host ${input.hostname} selects a vhost whose SSL setup differs (SSLVHostSNIPolicy ${policy})`,
    };
  }
  const strict = (index: number | null) => serverOf(config, index).sslStrictSniVhostCheck?.value === true;
  if (input.servername === null && input.nameBased && (strict(input.requestIndex) || strict(input.handshakeIndex))) {
    return {
      status: 403,
      code: 'AH02033',
      level: 'info',
      message: 'No hostname was provided via SNI for a name based virtual host',
      explanation: '403: SSLStrictSNIVHostCheck on: a client without SNI may not reach this name-based virtual host',
    };
  }
  return null;
}

function serverOf(config: HttpdConfig, index: number | null): ServerScope {
  return index === null ? config.main.server : config.virtualHosts[index].server;
}

/** The parts of a server's SSL setup ssl_server_compatible() compares, after merging with the main server. */
interface SslSetup {
  enabled: boolean;
  protocol: string | null;
  cipherSuite: string | null;
  verifyMode: string;
  verifyDepth: number;
  caFile: string | null;
  caPath: string | null;
  certificateFiles: string[];
  keyFiles: string[];
}

function setupOf(config: HttpdConfig, index: number | null): SslSetup {
  const main = config.main.server;
  const own = serverOf(config, index);
  const pick = (key: 'sslProtocol' | 'sslCipherSuite' | 'sslVerifyClient' | 'sslCaCertificateFile' | 'sslCaCertificatePath'): string | null =>
    ((own[key] ?? main[key])?.value as string | undefined) ?? null;
  const files = (key: 'sslCertificateFiles' | 'sslCertificateKeyFiles') => (own[key].length > 0 ? own[key] : main[key]).map((file) => normalisePath(file.value));
  return {
    enabled: (own.sslEngine ?? main.sslEngine)?.value === true,
    protocol: pick('sslProtocol'),
    cipherSuite: pick('sslCipherSuite'),
    // Unset becomes "none" and depth 1 when mod_ssl initialises each context.
    verifyMode: pick('sslVerifyClient') ?? 'none',
    verifyDepth: (own.sslVerifyDepth ?? main.sslVerifyDepth)?.value ?? 1,
    caFile: nullablePath(pick('sslCaCertificateFile')),
    caPath: nullablePath(pick('sslCaCertificatePath')),
    certificateFiles: files('sslCertificateFiles'),
    keyFiles: files('sslCertificateKeyFiles'),
  };
}

function compatible(config: HttpdConfig, first: number | null, second: number | null, policy: string): boolean {
  if (policy === 'insecure') return true;
  if (policy === 'strict') return false;
  const a = setupOf(config, first);
  const b = setupOf(config, second);
  // A server without SSLEngine on has no SSL context to be compatible with.
  if (!a.enabled || !b.enabled) return false;
  const sameAuth = a.verifyMode === b.verifyMode && a.verifyDepth === b.verifyDepth && a.caFile === b.caFile && a.caPath === b.caPath;
  if (policy === 'authonly') return sameAuth;
  return (
    sameAuth &&
    a.protocol === b.protocol &&
    a.cipherSuite === b.cipherSuite &&
    sameSet(a.certificateFiles, b.certificateFiles) &&
    sameSet(a.keyFiles, b.keyFiles)
  );
}

function nullablePath(path: string | null): string | null {
  return path === null ? null : normalisePath(path);
}

/** ap_server_root_relative() merges paths with APR_FILEPATH_TRUENAME: "." segments and doubled slashes go. */
function normalisePath(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  return `${absolute ? '/' : ''}${parts.join('/')}`;
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
