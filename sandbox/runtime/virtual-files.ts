/**
 * The file system the learner's config sees: a Debian apache2 install reduced to what a config
 * can name (log and runtime directories, the document root, the enabled modules), the learner's
 * file as /etc/apache2/sites-enabled/000-default.conf, and the sandbox's test certificate at
 * VIRTUAL_TLS_FILES. configtest reads it for Include, log-directory and SSLCertificateFile checks;
 * the proxy reads certificates through `readCertificate`.
 *
 * The top-level file is a cut-down Debian apache2.conf (DEBIAN_TOP_LEVEL_CONFIG): it loads the
 * modules of mods-enabled/ (Debian's defaults after `a2enmod proxy proxy_http proxy_wstunnel`),
 * defines Debian's log format nicknames and includes the learner's site. Debian's ports.conf and
 * server-wide settings are left out, because the lesson configs carry their own Listen lines and
 * are verified as the whole server config. So a LoadModule in the learner's file adds to the
 * default modules, as after `a2enmod ssl`, instead of replacing them; loading a default module
 * again gets httpd's AH01574 "already loaded, skipping".
 */
import { DEFAULT_MODULE_NAMES } from '../engine/config/default-modules.ts';
import { DEBIAN_MODULE_DIR, findModuleById } from '../engine/config/module-registry.ts';
import type { ConfigFileSystem } from '../engine/config/parse-state.ts';
import { VIRTUAL_TLS_FILES } from './protocol.ts';

/** The file the learner edits, as httpd names it in messages. */
export const LEARNER_CONFIG_FILE = '/etc/apache2/sites-enabled/000-default.conf';

/** The top-level config httpd reads; configtest is run on this with the learner's file included. */
export const TOP_LEVEL_CONFIG_FILE = '/etc/apache2/apache2.conf';

export const DEBIAN_TOP_LEVEL_CONFIG = `# Debian's /etc/apache2/apache2.conf as the sandbox keeps it (ports.conf and the
# server-wide defaults are left out: the site file is the whole server config).
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf

LogFormat "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" vhost_combined
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined
LogFormat "%h %l %u %t \\"%r\\" %>s %O" common
LogFormat "%{Referer}i -> %U" referer
LogFormat "%{User-agent}i" agent

IncludeOptional sites-enabled/*.conf
`;

/** mods-enabled/: one .load file per default module, and mime.conf's TypesConfig. */
function modsEnabled(): Record<string, string> {
  const files: Record<string, string> = {
    '/etc/apache2/mods-enabled/mime.conf': '<IfModule mod_mime.c>\n\tTypesConfig /etc/mime.types\n</IfModule>\n',
  };
  for (const name of DEFAULT_MODULE_NAMES) {
    const module = findModuleById(`${name}_module`);
    if (!module?.soFile) continue;
    files[`/etc/apache2/mods-enabled/${name}.load`] = `LoadModule ${module.id} ${DEBIAN_MODULE_DIR}/${module.soFile}\n`;
  }
  return files;
}

const DIRECTORIES = [
  '/',
  '/etc',
  '/etc/apache2',
  '/etc/apache2/conf-available',
  '/etc/apache2/conf-enabled',
  '/etc/apache2/mods-available',
  '/etc/apache2/mods-enabled',
  '/etc/apache2/sites-available',
  '/etc/apache2/sites-enabled',
  // Debian's apache2.conf sets ErrorLog globally; a lone site file falls back to httpd's compiled
  // default (logs/error_log under ServerRoot), which must not fail the log-directory check.
  '/etc/apache2/logs',
  '/etc/wslab',
  '/etc/wslab/tls',
  '/tmp',
  '/usr',
  '/usr/lib',
  '/usr/lib/apache2',
  '/usr/lib/apache2/modules',
  '/usr/share',
  '/usr/share/apache2',
  '/var',
  '/var/lib',
  '/var/lib/apache2',
  '/var/lock',
  '/var/lock/apache2',
  '/var/log',
  '/var/log/apache2',
  '/var/run',
  '/var/run/apache2',
  '/var/www',
  '/var/www/html',
];

/** PEM text of the sandbox's certificate, key and CA. */
export interface SandboxCertificates {
  cert: string;
  key: string;
  caCert: string;
}

/**
 * The virtual file system. `certificates` is called when a config first names a TLS file, so a
 * sandbox that never sees SSLCertificateFile never waits for key generation.
 */
export function createVirtualFileSystem(siteText: string, certificates: () => SandboxCertificates): ConfigFileSystem & { readCertificate(path: string): string } {
  const staticFiles: Record<string, string> = {
    [TOP_LEVEL_CONFIG_FILE]: DEBIAN_TOP_LEVEL_CONFIG,
    ...modsEnabled(),
    '/etc/mime.types': 'text/html html htm\ntext/plain txt\n',
    '/var/www/html/index.html': '<html><body><h1>It works!</h1></body></html>\n',
    [LEARNER_CONFIG_FILE]: siteText,
  };
  const directories = new Set(DIRECTORIES);
  const tlsFile = (path: string): string | null => {
    if (path === VIRTUAL_TLS_FILES.certificate) return certificates().cert;
    if (path === VIRTUAL_TLS_FILES.key) return certificates().key;
    if (path === VIRTUAL_TLS_FILES.ca) return certificates().caCert;
    return null;
  };
  const readFile = (path: string): string | null => tlsFile(normalize(path)) ?? staticFiles[normalize(path)] ?? null;
  return {
    readFile,
    listDirectory(path) {
      const directory = normalize(path);
      if (!directories.has(directory)) return null;
      const prefix = directory === '/' ? '/' : `${directory}/`;
      const children = new Set<string>();
      const files = [...Object.keys(staticFiles), ...Object.values(VIRTUAL_TLS_FILES)];
      for (const candidate of [...directories, ...files]) {
        if (candidate !== directory && candidate.startsWith(prefix)) children.add(candidate.slice(prefix.length).split('/')[0]);
      }
      return [...children].sort();
    },
    readCertificate(path) {
      const text = readFile(path);
      // configtest has already refused a missing file (SSLCertificateFile: file ... does not exist).
      if (text === null) throw new Error(`cannot read ${path}`);
      return text;
    },
  };
}

function normalize(path: string): string {
  const collapsed = path.replace(/\/+/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}
