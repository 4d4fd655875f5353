/**
 * Checks httpd only makes when it really starts (open_logs and post_config hooks), which
 * `apache2 -t` never reports: no Listen at all, balancers without the slotmem or lbmethod
 * providers, TLS virtual hosts without a certificate. Messages as measured on httpd 2.4.71:
 * some go to stderr, the post_config ones to the error log.
 */
import type { HttpdConfig, ServerConfig, VirtualHostConfig } from './model.ts';
import type { ConfigFileSystem } from './parse-state.ts';
import { DEFAULT_SERVER_ROOT } from './default-modules.ts';
import { firstCertificate, firstPrivateKey, keyMatchesCertificate } from './pem-keys.ts';

/** One line httpd writes while failing to start. */
export interface StartupFailureLine {
  /** "stderr" for the console, "errorLog" for the configured error log. */
  stream: 'stderr' | 'errorLog';
  /** For error-log lines: the module tag and level of the prefix ("[proxy:crit]"). */
  module: string;
  level: string;
  text: string;
}

/** The result of starting: either it runs, or why not. */
export interface StartupResult {
  ok: boolean;
  exitCode: number;
  lines: StartupFailureLine[];
}

const stderr = (text: string): StartupFailureLine => ({ stream: 'stderr', module: '', level: '', text });
const errorLog = (module: string, level: string, text: string): StartupFailureLine => ({ stream: 'errorLog', module, level, text });

/**
 * What happens when httpd starts with this (configtest-clean) config. With a file system the
 * certificate and key files of TLS virtual hosts are read as mod_ssl reads them at startup.
 */
export function checkStartup(config: HttpdConfig, fileSystem?: ConfigFileSystem): StartupResult {
  if (config.listens.length === 0) {
    return { ok: false, exitCode: 1, lines: [stderr('no listening sockets available, shutting down'), stderr('AH00015: Unable to open logs')] };
  }
  const loaded = new Set(config.modules.map((module) => module.id));
  const typesConfig = config.notSimulated.some((entry) => entry.name === 'TypesConfig');
  if (loaded.has('mime_module') && !config.defaultModules && !typesConfig) {
    // The compiled default, conf/mime.types under ServerRoot, does not exist on Debian.
    const root = config.global.serverRoot?.value ?? DEFAULT_SERVER_ROOT;
    return {
      ok: false,
      exitCode: 1,
      lines: [errorLog('mime', 'error', `(2)No such file or directory: AH01597: could not open mime types config file ${root}/mime.types.`), stderr('AH00016: Configuration Failed')],
    };
  }
  const servers: ServerConfig[] = [config.main, ...config.virtualHosts];
  const balancers = servers.flatMap((server) => server.server.balancers);
  if (balancers.length > 0 && loaded.has('proxy_balancer_module')) {
    if (!loaded.has('slotmem_shm_module')) {
      return {
        ok: false,
        exitCode: 1,
        lines: [
          errorLog('proxy_balancer', 'emerg', "AH01177: Failed to lookup provider 'shm' for 'slotmem': is mod_slotmem_shm loaded??"),
          errorLog('', 'emerg', 'AH00020: Configuration Failed, exiting'),
        ],
      };
    }
    for (const balancer of balancers) {
      const method = balancer.params.find((param) => param.key === 'lbmethod')?.value ?? 'byrequests';
      if (!loaded.has(`lbmethod_${method}_module`)) {
        return {
          ok: false,
          exitCode: 1,
          lines: [
            errorLog('proxy', 'crit', `AH02432: Cannot find LB Method: ${method}`),
            errorLog('proxy_balancer', 'emerg', '(22)Invalid argument: AH01183: Cannot share balancer'),
            errorLog('', 'emerg', 'AH00020: Configuration Failed, exiting'),
          ],
        };
      }
    }
  }
  if (loaded.has('ssl_module')) {
    for (const host of config.virtualHosts) {
      const failure = (fileSystem ? unusableCertificate(config, host, fileSystem) : null) ?? tlsWithoutCertificate(config, host);
      if (failure) return failure;
    }
  }
  return { ok: true, exitCode: 0, lines: [] };
}

function tlsWithoutCertificate(config: HttpdConfig, host: VirtualHostConfig): StartupResult | null {
  const engine = host.server.sslEngine ?? config.main.server.sslEngine;
  if (!engine?.value) return null;
  const certificates = host.server.sslCertificateFiles.length > 0 ? host.server.sslCertificateFiles : config.main.server.sslCertificateFiles;
  if (certificates.length > 0) return null;
  return {
    ok: false,
    exitCode: 1,
    lines: [
      errorLog('ssl', 'emerg', `AH02572: Failed to configure at least one certificate and key for ${vhostId(config, host)}`),
      errorLog('ssl', 'emerg', 'SSL Library Error: error:0A0000B1:SSL routines::no certificate assigned'),
      errorLog('ssl', 'emerg', 'AH02312: Fatal error initialising mod_ssl, exiting.'),
      stderr('AH00016: Configuration Failed'),
    ],
  };
}

/**
 * ssl_util_vhostid: the server's name and the port of its ServerName, 443 when that names none
 * (a TLS host); the <VirtualHost> address's port plays no part (measured: "localhost:443" for a
 * vhost on another port).
 */
function vhostId(config: HttpdConfig, host: VirtualHostConfig): string {
  const serverName = host.server.serverName?.value ?? config.main.server.serverName?.value ?? null;
  const name = serverName?.host ?? 'localhost';
  const port = host.server.serverName?.value.port ?? 443;
  return `${name}:${port}`;
}

/**
 * ssl_init_server_certs: each SSLCertificateFile with its SSLCertificateKeyFile (the certificate
 * file itself when there are fewer keys) is loaded in turn; the first one that fails stops the start.
 * Messages and their order as measured on httpd 2.4.71 with OpenSSL 3.0.
 */
function unusableCertificate(config: HttpdConfig, host: VirtualHostConfig, fileSystem: ConfigFileSystem): StartupResult | null {
  const engine = host.server.sslEngine ?? config.main.server.sslEngine;
  if (!engine?.value) return null;
  const ownCertificates = host.server.sslCertificateFiles.length > 0;
  const certificates = ownCertificates ? host.server.sslCertificateFiles : config.main.server.sslCertificateFiles;
  const keys = ownCertificates ? host.server.sslCertificateKeyFiles : config.main.server.sslCertificateKeyFiles;
  const id = vhostId(config, host);
  const failed = (lines: StartupFailureLine[]): StartupResult => ({ ok: false, exitCode: 1, lines: [...lines, stderr('AH00016: Configuration Failed')] });
  for (const [index, certificateSetting] of certificates.entries()) {
    const certificatePath = certificateSetting.value;
    const keyPath = keys[index]?.value ?? certificatePath;
    // pkcs11: URIs are loaded through an engine or provider the sandbox does not have.
    if (/^pkcs11:/i.test(certificatePath) || /^pkcs11:/i.test(keyPath)) continue;
    const keyId = `${id}:${index}`;
    const certificate = firstCertificate(fileSystem.readFile(certificatePath) ?? '');
    if (!certificate) {
      // SSL_CTX_use_certificate_chain_file found no CERTIFICATE block (AH02562).
      return failed([
        errorLog('ssl', 'emerg', `AH02562: Failed to configure certificate ${keyId} (with chain), check ${certificatePath}`),
        errorLog('ssl', 'emerg', 'SSL Library Error: error:0480006C:PEM routines::no start line (Expecting: TRUSTED CERTIFICATE) -- Bad file contents or format - or even just a forgotten SSLCertificateKeyFile?'),
        errorLog('ssl', 'emerg', 'SSL Library Error: error:0A080009:SSL routines::PEM lib'),
      ]);
    }
    const key = firstPrivateKey(fileSystem.readFile(keyPath) ?? '');
    if (!key) {
      // SSL_CTX_use_PrivateKey_file failed, the retry as an encrypted key found nothing either:
      // AH02579, OpenSSL's decoder errors, then ssl_die's AH02312 before the caller's AH02564.
      return failed([
        errorLog('ssl', 'error', 'AH02579: Init: Private key not found'),
        errorLog('ssl', 'error', 'SSL Library Error: error:1E08010C:DECODER routines::unsupported (No supported data to decode.  Input type: DER, Input structure: PrivateKeyInfo)'),
        errorLog('ssl', 'emerg', 'AH02312: Fatal error initialising mod_ssl, exiting.'),
        errorLog('ssl', 'emerg', `AH02564: Failed to configure encrypted (?) private key ${keyId}, check ${keyPath}`),
      ]);
    }
    if (!keyMatchesCertificate(certificate, key)) {
      return failed([errorLog('ssl', 'emerg', `AH02565: Certificate and private key ${keyId} from ${certificatePath} and ${keyPath} do not match`)]);
    }
  }
  return null;
}
