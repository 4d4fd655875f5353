/**
 * What routing needs to know about the server that answers a request: the main server's
 * settings merged with the vhost's the way each module's server-config merger does it
 * (merge_proxy_config, merge_alias_config, config_server_merge of mod_rewrite, core's
 * merge_core_server_configs), plus the per-directory defaults (lookup_defaults).
 */
import type {
  AllowEncodedSlashes,
  BalancerDefinition,
  HttpdConfig,
  ProxyPassRule,
  RedirectRule,
  SetEnvIfEntry,
  RewriteMapEntry,
  RewriteRuleEntry,
  Section,
  ServerConfig,
  SourceRef,
  SslProxyConfig,
} from '../config/model.ts';
import { serverBalancers } from '../config/balancer-merge.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { emptyDirectoryState, mergeDirectoryScope, type DirectoryState } from './directory-state.ts';
import { globMatches, vhostServerName } from './vhost-select.ts';
import type { SslProxyChecks } from './types.ts';
import { defineWorkers, type WorkerDefinition } from './workers.ts';

/** httpd's compiled-in Timeout (DEFAULT_TIMEOUT). */
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** Debian's compiled-in DocumentRoot. */
export const DEFAULT_DOCUMENT_ROOT = '/var/www/html';

/** One server as routing sees it. */
export interface ServerView {
  /** null for the main server. */
  virtualHostIndex: number | null;
  serverHostname: string;
  /** Port from ServerName, or null (then the connection's port is used). */
  serverNamePort: number | null;
  /** ServerAlias names. */
  serverAliases: string[];
  /** s->port: ServerName's port, else the first <VirtualHost> address's, else the main server's (0 = none). */
  port: number;
  /** The <VirtualHost> addresses as written (host text and port; 0 = any). */
  addresses: Array<{ host: string; port: number }>;
  serverAdmin: string;
  documentRoot: string;
  /** TraceEnable: the vhost's own, else the main server's, else "on". */
  traceEnable: 'on' | 'off' | 'extended';
  /**
   * AllowEncodedSlashes: the vhost's own, else "off" — not the main server's, because httpd 2.4's
   * merge_core_dir_configs() copies the vhost's value unconditionally (scenario 263).
   */
  allowEncodedSlashes: AllowEncodedSlashes;
  /**
   * MergeSlashes: the vhost's own, else the main server's, else on (merge_core_server_configs()
   * merges it like a flag; scenario 303).
   */
  mergeSlashes: boolean;
  /** ProxyVia: the vhost's own, else the main server's, else "off". */
  proxyVia: 'off' | 'on' | 'full' | 'block';
  /** ProxyRequests On: absolute-URI requests for other hosts are forward-proxied. */
  proxyRequests: boolean;
  proxyRequestsSource: SourceRef | null;
  /** ProxyPass lines of the server level, in the order mod_proxy tries them. */
  proxyPass: ProxyPassRule[];
  /** Workers in lookup order (the main server's, then the vhost's). */
  workers: WorkerDefinition[];
  /** Startup log lines about shared workers. */
  workerLog: ErrorLogEntry[];
  balancers: BalancerDefinition[];
  /** Server-context RewriteRules (run when the per-directory RewriteEngine state is on). */
  rewriteRules: RewriteRuleEntry[];
  /** RewriteMap entries this server's rules can use (r->server's, after inheritance). */
  rewriteMaps: Record<string, RewriteMapEntry>;
  /** Server-level Redirect lines in the order mod_alias tries them. */
  redirects: RedirectRule[];
  /** Server-level SetEnvIf lines (post_read_request): the main server's, then the vhost's. */
  setEnvIf: SetEnvIfEntry[];
  timeout: number;
  proxyTimeout: number;
  proxyTimeoutSet: boolean;
  sslProxyEngine: boolean;
  /** The server-level SSLProxy* checks (the vhost's over the main server's, field by field). */
  sslProxy: SslProxyChecks;
  /** The main server's own, for <Proxy> sections it defined (mod_ssl merges those with it). */
  mainSslProxy: SslProxyChecks;
  mainSslProxyEngine: boolean;
  /** The server's SSLVerifyClient (sc->server->auth.verify_mode), the vhost's over the main server's. */
  sslVerifyClient: string | null;
  /** How many of `sections` come from the main server (they come first). */
  mainSectionCount: number;
  /** <Location>, <Proxy>, <Directory> sections in walk order (main's, then the vhost's). */
  sections: Section[];
  /** Per-directory defaults (lookup_defaults). */
  directory: DirectoryState;
  source: SourceRef | null;
}

/** Build the view of the main server (index null) or of one vhost. */
export function serverView(config: HttpdConfig, virtualHostIndex: number | null, fallbackHostname: string): ServerView {
  const main = config.main;
  const vhost = virtualHostIndex === null ? null : config.virtualHosts[virtualHostIndex];
  const own: ServerConfig = vhost ?? main;

  const mainWorkers = defineWorkers(serverProxyPassInConfigOrder(main, config), main.server.workers);
  const vhostWorkers = vhost ? defineWorkers(serverProxyPassInConfigOrder(vhost, config), vhost.server.workers) : null;

  const proxyPassInherit = vhost?.server.proxyPassInherit?.value ?? main.server.proxyPassInherit?.value ?? true;
  const balancerInherit = vhost?.server.balancerInherit?.value ?? main.server.balancerInherit?.value ?? true;
  // merge_proxy_config() appends the main server's aliases unconditionally: in 2.4 ProxyPassInherit
  // only decides whether workers and balancers are inherited (measured: a main-server ProxyPass
  // still applied in a vhost with ProxyPassInherit Off).
  const proxyPass = vhost ? [...main.server.proxyPass, ...vhost.server.proxyPass] : main.server.proxyPass;
  const workers = vhostWorkers
    ? [...(proxyPassInherit || balancerInherit ? mainWorkers.workers : []), ...vhostWorkers.workers]
    : mainWorkers.workers;
  const balancers = serverBalancers(main, vhost);

  const rewriteOptions = (vhost?.server.rewrite.options.length ? vhost.server.rewrite.options : main.server.rewrite.options).map((option) =>
    option.value.toLowerCase(),
  );
  let rewriteRules = own.server.rewrite.rules;
  // config_server_merge(): maps follow the rules' inheritance; the vhost's own names win.
  let rewriteMaps = own.server.rewrite.maps;
  if (vhost) {
    const inheritDown = main.server.rewrite.options.some((option) => option.value.toLowerCase() === 'inheritdown');
    const inheritDownBefore = main.server.rewrite.options.some((option) => option.value.toLowerCase() === 'inheritdownbefore');
    const ignore = rewriteOptions.includes('ignoreinherit');
    if (rewriteOptions.includes('inherit') || (inheritDown && !ignore)) {
      rewriteRules = [...vhost.server.rewrite.rules, ...main.server.rewrite.rules];
      rewriteMaps = { ...main.server.rewrite.maps, ...vhost.server.rewrite.maps };
    } else if (rewriteOptions.includes('inheritbefore') || (inheritDownBefore && !ignore)) {
      rewriteRules = [...main.server.rewrite.rules, ...vhost.server.rewrite.rules];
      rewriteMaps = { ...vhost.server.rewrite.maps, ...main.server.rewrite.maps };
    }
  }

  const timeout = (vhost?.server.timeout ?? main.server.timeout)?.value ?? DEFAULT_TIMEOUT_SECONDS;
  const proxyTimeoutSetting = vhost?.server.proxyTimeout ?? main.server.proxyTimeout;

  // A server-level RewriteEngine also sets the server's per-directory state (cmd_rewriteengine),
  // which is what hook_uri2file checks.
  const withServerEngine = (server: ServerConfig) => ({
    ...server.directory,
    rewrite: { ...server.directory.rewrite, engine: server.server.rewrite.engine ?? server.directory.rewrite.engine },
  });
  let directory = mergeDirectoryScope(emptyDirectoryState(), withServerEngine(main), null);
  if (vhost) directory = mergeDirectoryScope(directory, withServerEngine(vhost), null);

  const serverName = own.server.serverName?.value ?? null;
  const mainHostname = main.server.serverName?.value.host ?? fallbackHostname;
  return {
    virtualHostIndex,
    serverHostname: vhost ? vhostServerName(vhost, mainHostname) : mainHostname,
    serverNamePort: serverName?.port ?? null,
    serverAliases: own.server.serverAliases.map((alias) => alias.value),
    port: serverName?.port ?? firstAddressPort(vhost?.addresses ?? []) ?? main.server.serverName?.value.port ?? 0,
    addresses: (vhost?.addresses ?? []).map((address) => ({ host: address.host, port: typeof address.port === 'number' ? address.port : 0 })),
    serverAdmin: (vhost?.server.serverAdmin ?? main.server.serverAdmin)?.value ?? '[no address given]',
    documentRoot: (vhost?.server.documentRoot ?? main.server.documentRoot)?.value ?? DEFAULT_DOCUMENT_ROOT,
    traceEnable: (vhost?.server.traceEnable ?? main.server.traceEnable)?.value ?? 'on',
    proxyVia: (vhost?.server.proxyVia ?? main.server.proxyVia)?.value ?? 'off',
    allowEncodedSlashes: (vhost ?? main).server.allowEncodedSlashes?.value ?? 'off',
    mergeSlashes: (vhost?.server.mergeSlashes ?? main.server.mergeSlashes)?.value ?? true,
    proxyRequests: (vhost?.server.proxyRequests ?? main.server.proxyRequests)?.value ?? false,
    proxyRequestsSource: (vhost?.server.proxyRequests ?? main.server.proxyRequests)?.source ?? null,
    proxyPass,
    workers,
    workerLog: [...mainWorkers.log, ...(vhostWorkers?.log ?? [])],
    balancers,
    rewriteRules,
    rewriteMaps,
    redirects: vhost ? [...vhost.server.redirects, ...main.server.redirects] : main.server.redirects,
    setEnvIf: [...(main.server.setEnvIf ?? []), ...(vhost?.server.setEnvIf ?? [])],
    timeout,
    proxyTimeout: proxyTimeoutSetting?.value ?? timeout,
    proxyTimeoutSet: proxyTimeoutSetting !== null && proxyTimeoutSetting !== undefined,
    sslProxyEngine: (vhost?.server.sslProxy.engine ?? main.server.sslProxy.engine)?.value ?? false,
    sslProxy: sslProxyChecks(vhost ? overlaySslProxy(main.server.sslProxy, vhost.server.sslProxy) : main.server.sslProxy),
    mainSslProxy: sslProxyChecks(main.server.sslProxy),
    mainSslProxyEngine: main.server.sslProxy.engine?.value ?? false,
    sslVerifyClient: (vhost?.server.sslVerifyClient ?? main.server.sslVerifyClient)?.value ?? null,
    mainSectionCount: main.sections.length,
    sections: vhost ? [...main.sections, ...vhost.sections] : main.sections,
    directory,
    source: vhost?.source ?? null,
  };
}

/** mod_ssl's cfgMerge of two proxy contexts: each setting the overriding scope wrote wins. */
export function overlaySslProxy(base: SslProxyConfig, add: SslProxyConfig): SslProxyConfig {
  return {
    engine: add.engine ?? base.engine,
    verify: add.verify ?? base.verify,
    checkPeerName: add.checkPeerName ?? base.checkPeerName,
    checkPeerCN: add.checkPeerCN ?? base.checkPeerCN,
    checkPeerExpire: add.checkPeerExpire ?? base.checkPeerExpire,
    caCertificateFile: add.caCertificateFile ?? base.caCertificateFile,
    protocol: add.protocol ?? base.protocol,
  };
}

/** The values of SSLProxy* settings, null where unset. */
export function sslProxyChecks(config: SslProxyConfig): SslProxyChecks {
  return {
    verify: config.verify?.value.toLowerCase() ?? null,
    checkPeerName: config.checkPeerName?.value ?? null,
    checkPeerCN: config.checkPeerCN?.value ?? null,
    checkPeerExpire: config.checkPeerExpire?.value ?? null,
    caCertificateFile: config.caCertificateFile?.value ?? null,
    protocol: config.protocol?.value ?? null,
  };
}

/**
 * A server's own ProxyPass lines (server level and in sections) in the order httpd read them,
 * which is the order workers get defined in.
 */
function serverProxyPassInConfigOrder(server: ServerConfig, config: HttpdConfig): ProxyPassRule[] {
  const inSections = collectSectionProxyPass(server.sections);
  const files = [config.file, ...config.includedFiles];
  const fileRank = (source: SourceRef) => {
    const index = files.indexOf(source.file);
    return index < 0 ? files.length : index;
  };
  return [...server.server.proxyPass, ...inSections].sort(
    (a, b) => fileRank(a.source) - fileRank(b.source) || a.source.line - b.source.line,
  );
}

function collectSectionProxyPass(sections: readonly Section[]): ProxyPassRule[] {
  return sections.flatMap((section) => [
    ...(section.settings.proxyPass ? [section.settings.proxyPass] : []),
    ...collectSectionProxyPass(section.nested),
  ]);
}

function firstAddressPort(addresses: ReadonlyArray<{ port: number | '*' | null }>): number | null {
  const first = addresses[0];
  return first && typeof first.port === 'number' && first.port !== 0 ? first.port : null;
}

/** ap_matches_request_vhost(): would a request for host:port land on this server? */
export function serverAnswersFor(server: ServerView, host: string, port: number): boolean {
  const wanted = host.toLowerCase();
  if (server.addresses.some((address) => (address.port === 0 || address.port === port) && address.host.toLowerCase() === wanted)) return true;
  if (port !== server.port) return false;
  if (wanted === server.serverHostname.toLowerCase()) return true;
  return server.serverAliases.some((alias) =>
    alias.includes('*') || alias.includes('?') ? globMatches(alias, wanted) : alias.toLowerCase() === wanted,
  );
}
