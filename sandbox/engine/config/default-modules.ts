/**
 * The module set assumed when a config has no LoadModule line at all: a stock Debian apache2 after
 * `a2enmod proxy proxy_http proxy_wstunnel`. Debian loads /etc/apache2/mods-enabled/*.load in
 * alphabetical order, so the order here is that order. Also: Debian's envvars, and the preamble
 * that makes a bare config runnable with `apache2 -f FILE` so harnesses can feed real httpd the
 * same text the sandbox parses.
 */
import { DEBIAN_MODULE_DIR, findModuleById, type KnownModule } from './module-registry.ts';

/** Debian's default-enabled modules plus proxy, proxy_http and proxy_wstunnel, in load order. */
/** Debian's compiled-in ServerRoot (`apache2 -V`: HTTPD_ROOT), used when the config sets none. */
export const DEFAULT_SERVER_ROOT = '/etc/apache2';

export const DEFAULT_MODULE_NAMES: readonly string[] = [
  'access_compat',
  'alias',
  'auth_basic',
  'authn_core',
  'authn_file',
  'authz_core',
  'authz_host',
  'authz_user',
  'autoindex',
  'deflate',
  'dir',
  'env',
  'filter',
  'mime',
  'mpm_event',
  'negotiation',
  'proxy',
  'proxy_http',
  'proxy_wstunnel',
  'reqtimeout',
  'setenvif',
  'status',
];

/** The default modules as registry entries. */
export function defaultModules(): KnownModule[] {
  return DEFAULT_MODULE_NAMES.map((name) => {
    const module = findModuleById(`${name}_module`);
    if (!module) throw new Error(`default module ${name} is missing from the registry`);
    return module;
  });
}

/** Debian's /etc/apache2/envvars, the environment apache2ctl gives httpd. */
export const DEBIAN_ENVIRONMENT: Readonly<Record<string, string>> = {
  APACHE_RUN_USER: 'www-data',
  APACHE_RUN_GROUP: 'www-data',
  APACHE_PID_FILE: '/var/run/apache2/apache2.pid',
  APACHE_RUN_DIR: '/var/run/apache2',
  APACHE_LOCK_DIR: '/var/lock/apache2',
  APACHE_LOG_DIR: '/var/log/apache2',
  LANG: 'C',
};

/** Options for the preamble. */
export interface PreambleOptions {
  /** Directory for the error log, pid file and mutexes; must exist and be writable. */
  runtimeDirectory: string;
  /** Emit the default LoadModule lines (leave out when the config loads its own modules). */
  modules?: boolean;
  /** User/Group to run the children as when started as root. Default: none written. */
  user?: string;
  group?: string;
}

/**
 * Text to put before a config so a standalone `apache2 -f FILE` runs it: the default modules with
 * Debian paths, and the file locations a bare httpd would otherwise look for under ServerRoot.
 */
export function httpdPreamble(options: PreambleOptions): string {
  const directory = options.runtimeDirectory.replace(/\/+$/, '');
  const lines: string[] = [];
  if (options.modules ?? true) {
    lines.push('# Debian defaults after `a2enmod proxy proxy_http proxy_wstunnel`');
    for (const module of defaultModules()) lines.push(`LoadModule ${module.id} ${DEBIAN_MODULE_DIR}/${module.soFile}`);
    // Debian's mods-enabled/mime.conf says this; without it mod_mime looks under ServerRoot and fails.
    lines.push('TypesConfig /etc/mime.types');
  }
  lines.push('# Where a standalone httpd keeps its files');
  lines.push(`DefaultRuntimeDir ${directory}`);
  lines.push(`PidFile ${directory}/httpd.pid`);
  lines.push(`Mutex file:${directory} default`);
  lines.push(`ErrorLog ${directory}/error.log`);
  if (options.user) lines.push(`User ${options.user}`);
  if (options.group) lines.push(`Group ${options.group}`);
  return `${lines.join('\n')}\n`;
}
