/**
 * Checks httpd only makes when it really starts (open_logs and post_config hooks), which
 * `apache2 -t` never reports: no Listen at all, balancers without the slotmem or lbmethod
 * providers, TLS virtual hosts without a certificate. Messages as measured on httpd 2.4.71:
 * some go to stderr, the post_config ones to the error log.
 */
import type { HttpdConfig, ServerConfig, VirtualHostConfig } from './model.ts';

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

/** What happens when httpd starts with this (configtest-clean) config. */
export function checkStartup(config: HttpdConfig): StartupResult {
  if (config.listens.length === 0) {
    return { ok: false, exitCode: 1, lines: [stderr('no listening sockets available, shutting down'), stderr('AH00015: Unable to open logs')] };
  }
  const loaded = new Set(config.modules.map((module) => module.id));
  const typesConfig = config.notSimulated.some((entry) => entry.name === 'TypesConfig');
  if (loaded.has('mime_module') && !config.defaultModules && !typesConfig) {
    // The compiled default, conf/mime.types under ServerRoot, does not exist on Debian.
    const root = config.global.serverRoot?.value ?? '/etc/apache2';
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
      const failure = tlsWithoutCertificate(config, host);
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
  const name = host.server.serverName?.value.host ?? config.main.server.serverName?.value.host ?? 'localhost';
  const address = host.addresses[0];
  const port = address && typeof address.port === 'number' ? address.port : 443;
  return {
    ok: false,
    exitCode: 1,
    lines: [
      errorLog('ssl', 'emerg', `AH02572: Failed to configure at least one certificate and key for ${name}:${port}`),
      errorLog('ssl', 'emerg', 'SSL Library Error: error:0A0000B1:SSL routines::no certificate assigned'),
      errorLog('ssl', 'emerg', 'AH02312: Fatal error initialising mod_ssl, exiting.'),
      stderr('AH00016: Configuration Failed'),
    ],
  };
}
