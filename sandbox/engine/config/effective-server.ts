/**
 * A server's settings as httpd sees them at request time: a <VirtualHost> merged with the main
 * server (config.c ap_fixup_virtual_hosts and each module's merge function), with httpd's
 * compiled defaults filled in.
 *
 * How a <VirtualHost> inherits, each rule checked against httpd 2.4.71:
 * - ProxyPass/ProxyPassMatch (server level): the main server's rules come FIRST, then the vhost's
 *   (merge_proxy_config appends base then override), and first match wins, so a main-server
 *   `ProxyPass / ...` shadows every vhost rule. ProxyPassInherit Off does not change this in
 *   2.4.71 (measured: the main server's rule still applied).
 * - <Location>/<Proxy>/<Directory> sections: the main server's first, then the vhost's; all that
 *   match are merged in that order, so the vhost's win.
 * - Redirect (server level): the vhost's first, then the main server's (merge_alias_config).
 * - RewriteRule: NOT inherited unless RewriteOptions Inherit/InheritBefore (InheritDown in the
 *   main server); RewriteEngine's state is inherited when the vhost does not set it.
 * - Header/RequestHeader, ProxyPassReverse written at server level: the main server's, then the
 *   vhost's (per-directory merges append).
 * - Timeout and KeepAliveTimeout: the vhost's unless it is unset or 0; KeepAlive,
 *   MaxKeepAliveRequests: the vhost's unless unset.
 * - CustomLog: the vhost's own logs if it has any, else the main server's; GlobalLog always.
 *   LogFormat nicknames: the main server's overlaid by the vhost's.
 * - LogLevel: a vhost that sets a level ignores the main server's per-module levels; otherwise
 *   it inherits the level and merges module levels.
 * - Everything else that is a single value: the vhost's if written, else the main server's,
 *   else httpd's default.
 */
import type {
  AuthzConfig,
  CustomLogEntry,
  EffectiveDirectory,
  EffectiveServer,
  EffectiveSetting,
  HttpdConfig,
  LogLevelName,
  RewriteRuleEntry,
  ServerConfig,
  Setting,
  VirtualHostConfig,
} from './model.ts';
import { serverBalancers } from './balancer-merge.ts';

/** httpd's compiled defaults for the settings the sandbox simulates. */
export const HTTPD_DEFAULTS = {
  timeout: 60,
  keepAlive: true,
  maxKeepAliveRequests: 100,
  keepAliveTimeout: 5,
  proxyRequests: false,
  proxyReceiveBufferSize: 0,
  preserveHost: false,
  addHeaders: true,
  websocketFallbackToProxyHttp: true,
  sslEngine: false,
  sslProxyEngine: false,
  sslProxyVerify: 'none',
  sslProxyCheckPeerName: true,
  errorLog: 'logs/error_log',
  logLevel: 'warn' as LogLevelName,
  /** mod_log_config's DEFAULT_LOG_FORMAT (also the "CLF" nickname). */
  logFormat: '%h %l %u %t "%r" %>s %b',
} as const;

function pick<T>(...candidates: Array<Setting<T> | null | undefined>): Setting<T> | null {
  for (const candidate of candidates) if (candidate) return candidate;
  return null;
}

function effective<T>(setting: Setting<T> | null, fallback: T): EffectiveSetting<T> {
  return setting ? { value: setting.value, source: setting.source } : { value: fallback, source: null };
}

/** Zero means "not set" for these server_rec fields (ap_fixup_virtual_hosts). */
function nonZero(setting: Setting<number> | null): Setting<number> | null {
  return setting && setting.value !== 0 ? setting : null;
}

/** Every server in the config with its effective settings: the main server first, then each vhost. */
export function effectiveServers(config: HttpdConfig): EffectiveServer[] {
  return [effectiveServer(config, null), ...config.virtualHosts.map((host) => effectiveServer(config, host))];
}

/** The effective settings of one server (null for the main server). */
export function effectiveServer(config: HttpdConfig, host: VirtualHostConfig | null): EffectiveServer {
  const main = config.main.server;
  const own = host ? host.server : main;
  const isMain = host === null;
  const base = isMain ? null : main;

  const timeout = effective(isMain ? own.timeout : pick(nonZero(own.timeout), main.timeout), HTTPD_DEFAULTS.timeout);
  const proxyTimeoutSetting = pick(own.proxyTimeout, base?.proxyTimeout);

  const inherit = (pick(own.balancerInherit, base?.balancerInherit)?.value ?? true) || (pick(own.proxyPassInherit, base?.proxyPassInherit)?.value ?? true);
  const balancers = serverBalancers(config.main, host);
  const workers = isMain || !inherit ? own.workers : [...main.workers, ...own.workers];

  const ownLogs = own.customLogs.filter((entry) => entry.directive !== 'GlobalLog' || isMain);
  const mainGlobal = isMain ? [] : main.customLogs.filter((entry) => entry.directive === 'GlobalLog');
  const customLogs: CustomLogEntry[] = isMain ? own.customLogs : ownLogs.length > 0 ? [...mainGlobal, ...ownLogs] : main.customLogs;

  const logFormats: Record<string, EffectiveSetting<string>> = { CLF: { value: HTTPD_DEFAULTS.logFormat, source: null } };
  let defaultLogFormat: EffectiveSetting<string> = { value: HTTPD_DEFAULTS.logFormat, source: null };
  for (const server of isMain ? [main] : [main, own]) {
    let ownDefault: EffectiveSetting<string> | null = null;
    for (const entry of server.logFormats) {
      if (entry.nickname === null) ownDefault = { value: entry.format, source: entry.source };
      else logFormats[entry.nickname] = { value: entry.format, source: entry.source };
    }
    if (ownDefault) defaultLogFormat = ownDefault;
  }

  const ownLevel = own.logLevel.level;
  const logLevel = effective(isMain || ownLevel ? ownLevel : main.logLevel.level, HTTPD_DEFAULTS.logLevel);
  const moduleLogLevels: Record<string, EffectiveSetting<LogLevelName>> = {};
  const levelSources = isMain || ownLevel ? [own.logLevel] : [main.logLevel, own.logLevel];
  for (const levels of levelSources) for (const entry of levels.modules) moduleLogLevels[entry.module] = { value: entry.level, source: entry.source };

  return {
    virtualHost: host,
    addresses: host ? host.addresses : [],
    serverName: effective(pick(own.serverName, base?.serverName), null),
    serverAliases: own.serverAliases,
    proxyRequests: effective(pick(own.proxyRequests, base?.proxyRequests), HTTPD_DEFAULTS.proxyRequests),
    proxyTimeout: proxyTimeoutSetting ? effective(proxyTimeoutSetting, 0) : timeout,
    proxyTimeoutSet: proxyTimeoutSetting !== null,
    proxyReceiveBufferSize: effective(pick(own.proxyReceiveBufferSize, base?.proxyReceiveBufferSize), HTTPD_DEFAULTS.proxyReceiveBufferSize),
    proxyPass: isMain ? own.proxyPass : [...main.proxyPass, ...own.proxyPass],
    balancers,
    workers,
    timeout,
    keepAlive: effective(pick(own.keepAlive, base?.keepAlive), HTTPD_DEFAULTS.keepAlive),
    maxKeepAliveRequests: effective(pick(own.maxKeepAliveRequests, base?.maxKeepAliveRequests), HTTPD_DEFAULTS.maxKeepAliveRequests),
    keepAliveTimeout: effective(isMain ? own.keepAliveTimeout : pick(nonZero(own.keepAliveTimeout), main.keepAliveTimeout), HTTPD_DEFAULTS.keepAliveTimeout),
    sslEngine: effective(pick(own.sslEngine, base?.sslEngine), HTTPD_DEFAULTS.sslEngine),
    sslCertificateFiles: own.sslCertificateFiles.length > 0 || isMain ? own.sslCertificateFiles : main.sslCertificateFiles,
    sslCertificateKeyFiles: own.sslCertificateKeyFiles.length > 0 || isMain ? own.sslCertificateKeyFiles : main.sslCertificateKeyFiles,
    sslProxy: {
      engine: effective(pick(own.sslProxy.engine, base?.sslProxy.engine), HTTPD_DEFAULTS.sslProxyEngine),
      verify: effective(pick(own.sslProxy.verify, base?.sslProxy.verify), HTTPD_DEFAULTS.sslProxyVerify),
      checkPeerName: effective(pick(own.sslProxy.checkPeerName, base?.sslProxy.checkPeerName), HTTPD_DEFAULTS.sslProxyCheckPeerName),
    },
    errorLog: effective(pick(own.errorLog, base?.errorLog), HTTPD_DEFAULTS.errorLog),
    customLogs,
    logFormats,
    defaultLogFormat,
    logLevel,
    moduleLogLevels,
    redirects: isMain ? own.redirects : [...own.redirects, ...main.redirects],
    rewrite: effectiveRewrite(config.main, host),
    directory: mergeDirectory(config.main, host),
    sections: host ? [...config.main.sections, ...host.sections] : config.main.sections,
  };
}

function rewriteOptions(server: ServerConfig): Set<string> | null {
  return server.server.rewrite.options.length > 0 ? new Set(server.server.rewrite.options.map((option) => option.value.toLowerCase())) : null;
}

function effectiveRewrite(main: ServerConfig, host: VirtualHostConfig | null): EffectiveServer['rewrite'] {
  const own = host ?? main;
  const engine = effective(pick(own.server.rewrite.engine, host ? main.server.rewrite.engine : null), false);
  if (!host) return { engine, rules: main.server.rewrite.rules };
  const baseOptions = rewriteOptions(main) ?? new Set<string>();
  const options = rewriteOptions(host) ?? baseOptions;
  const ignore = options.has('ignoreinherit');
  const ownRules = host.server.rewrite.rules;
  const baseRules = main.server.rewrite.rules;
  let rules: RewriteRuleEntry[] = ownRules;
  if (options.has('inherit') || (baseOptions.has('inheritdown') && !ignore)) rules = [...ownRules, ...baseRules];
  else if (options.has('inheritbefore') || (baseOptions.has('inheritdownbefore') && !ignore)) rules = [...baseRules, ...ownRules];
  return { engine, rules };
}

/** authz_core's merge: a scope without Require lines inherits; AuthMerging And/Or combines. */
export function mergeAuthz(base: AuthzConfig, add: AuthzConfig): AuthzConfig {
  const hasRules = add.root.children.length > 0;
  if (!hasRules && !add.merging) return base;
  const merging = add.merging?.value ?? 'off';
  if (!hasRules) return merging === 'off' ? { root: { kind: 'any', children: [], source: null }, merging: add.merging } : { ...base, merging: add.merging };
  if (merging === 'off' || base.root.children.length === 0) return add;
  return { root: { kind: merging === 'and' ? 'all' : 'any', children: [base.root, add.root], source: null }, merging: add.merging };
}

function mergeDirectory(main: ServerConfig, host: VirtualHostConfig | null): EffectiveDirectory {
  const base = main.directory;
  const own = host ? host.directory : base;
  const layered = host ? [base, own] : [base];
  return {
    preserveHost: effective(pick(own.preserveHost, host ? base.preserveHost : null), HTTPD_DEFAULTS.preserveHost),
    addHeaders: effective(pick(own.addHeaders, host ? base.addHeaders : null), HTTPD_DEFAULTS.addHeaders),
    websocketFallbackToProxyHttp: effective(pick(own.websocketFallbackToProxyHttp, host ? base.websocketFallbackToProxyHttp : null), HTTPD_DEFAULTS.websocketFallbackToProxyHttp),
    headerOps: layered.flatMap((scope) => scope.headerOps),
    proxyPassReverse: layered.flatMap((scope) => scope.proxyPassReverse),
    authz: host ? mergeAuthz(base.authz, own.authz) : base.authz,
  };
}
