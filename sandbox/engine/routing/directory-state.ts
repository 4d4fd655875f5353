/**
 * The per-directory configuration of one request as httpd merges it: the server's defaults (the
 * main server's merged with the vhost's, as in ap_fixup_virtual_hosts), then every section the
 * walks match, each merged over the result with the merge function of every module involved:
 * merge_proxy_dir_config (mod_proxy), merge_proxyws_dir_config (mod_proxy_wstunnel),
 * merge_authz_core_dir_config (mod_authz_core), merge_alias_dir_config (mod_alias),
 * merge_headers_config (mod_headers) and config_perdir_merge (mod_rewrite).
 */
import type {
  AnonymousConfig,
  DirectoryScope,
  EnvOp,
  ErrorDocumentEntry,
  HeaderOp,
  ProxyPassReverseRule,
  ProxyPassRule,
  RedirectRule,
  RequireNode,
  LogLevelName,
  RewriteRuleEntry,
  SetEnvIfEntry,
  SourceRef,
  SslProxyConfig,
} from '../config/model.ts';

/**
 * LogLevel written in the sections merged so far (core's dconf->log, ap_merge_log_config): a bare
 * level replaces everything before it, per-module levels add to what they inherit. `level` null:
 * only per-module levels were written, the server's level still applies to the other modules.
 */
export interface DirectoryLogLevel {
  level: LogLevelName | null;
  perModule: Record<string, LogLevelName>;
}

/** An authorization tree after AuthMerging: a scope's Require lines, or two trees combined. */
export type AuthzTree = RequireNode | { kind: 'merged'; op: 'and' | 'or'; children: AuthzTree[] };

/** Authentication settings in effect after each module's merge. */
export interface AuthnState {
  /** merge_authn_core_dir_config: the nearest AuthType (still "None" if so written). */
  authType: string | null;
  authName: string | null;
  /** merge_auth_basic_dir_config: the nearest AuthBasicProvider list; null means "file". */
  basicProviders: string[] | null;
  basicAuthoritative: boolean;
  /** mod_authn_file and mod_authn_anon have no merger: only the last merged scope's own settings count. */
  userFile: string | null;
  anonymous: AnonymousConfig | null;
}

/** Per-directory settings in effect, as one merged per_dir_config. */
export interface DirectoryState {
  /** The single ProxyPass a <Location> carries (dconf->alias); sections only. */
  proxyAlias: ProxyPassRule | null;
  preserveHost: boolean;
  addHeaders: boolean;
  websocketFallbackToProxyHttp: boolean;
  /** Proxy100Continue: mod_proxy_http forwards Expect: 100-continue (else HTTP_IN answers 100 itself). */
  forward100Continue: boolean;
  /** Per-directory Redirect lines, in the order mod_alias tries them (most specific section first). */
  redirects: RedirectRule[];
  /** Header and RequestHeader operations, base first. */
  headerOps: HeaderOp[];
  /** Per-directory SetEnvIf lines, base first (merge_setenvif_config appends). */
  setEnvIf: SetEnvIfEntry[];
  /** SetEnv / UnsetEnv lines, base first: folded in order they give merge_env_dir_configs' table. */
  envOps: EnvOp[];
  proxyPassReverse: ProxyPassReverseRule[];
  /** null when no Require applies (httpd grants: "authorization result: granted (no directives)"). */
  authz: AuthzTree | null;
  /** Where the Require lines in effect were written, for explanations. */
  authzSources: SourceRef[];
  authn: AuthnState;
  /** mod_rewrite per-directory state; `directory` is the last merged section's path (dconf->directory). */
  rewrite: { engine: boolean; rules: RewriteRuleEntry[]; options: string[]; directory: string | null };
  sslProxyEngine: boolean | null;
  /**
   * The last merged <Proxy> section that wrote an SSLProxy* directive, and whether the main server
   * defined it. At post-config mod_ssl merges such a section's proxy context with its own server's
   * (ssl_proxy_section_post_config) and the request then uses that context whole, so an earlier
   * section's settings do not add up with a later one's.
   */
  sslProxySection: { settings: SslProxyConfig; inMain: boolean } | null;
  /** SSLRequireSSL in a merged section (cfgMerge(bSSLRequired, FALSE): once on, it stays on). */
  sslRequired: boolean;
  /** LimitRequestBody of the nearest scope that wrote one; null while none did (httpd's default applies). */
  limitRequestBody: number | null;
  /** SSLVerifyClient of the merged sections (cfgMerge(nVerifyClient, UNSET)); null while none set it. */
  sslVerifyClient: string | null;
  /** SetHandler in effect (null: none, or cancelled with "None"). */
  handler: string | null;
  /** LogLevel of the merged sections (null: none wrote one; r->log stays the server's). */
  logLevel: DirectoryLogLevel | null;
  /** ErrorDocument per status after merge_core_dir_configs (a scope's entries overlay the base's). */
  errorDocuments: Readonly<Record<number, ErrorDocumentEntry>>;
  /** ProxyErrorOverride after merge_proxy_dir_config: the nearest On/Off, codes of all scopes appended. */
  proxyErrorOverride: { on: boolean; codes: number[] };
  /** The sections merged so far, in merge order. */
  mergedSections: SourceRef[];
}

/** The state before any configuration applies (create_*_dir_config defaults). */
export function emptyDirectoryState(): DirectoryState {
  return {
    proxyAlias: null,
    preserveHost: false,
    addHeaders: true,
    websocketFallbackToProxyHttp: true,
    forward100Continue: true,
    redirects: [],
    headerOps: [],
    setEnvIf: [],
    envOps: [],
    proxyPassReverse: [],
    authz: null,
    authzSources: [],
    authn: { authType: null, authName: null, basicProviders: null, basicAuthoritative: true, userFile: null, anonymous: null },
    rewrite: { engine: false, rules: [], options: [], directory: null },
    sslProxyEngine: null,
    sslProxySection: null,
    sslRequired: false,
    limitRequestBody: null,
    sslVerifyClient: null,
    handler: null,
    logLevel: null,
    errorDocuments: {},
    proxyErrorOverride: { on: false, codes: [] },
    mergedSections: [],
  };
}

/**
 * Merge one scope's settings over a state, the way each module's dir merger does. `sectionPath`
 * is the section's path or pattern (null for server-level defaults).
 */
export function mergeDirectoryScope(base: DirectoryState, add: DirectoryScope, source: SourceRef | null, sectionPath: string | null = null): DirectoryState {
  const authz = mergeAuthz(base, add);
  const rewriteOptions = add.rewrite.options.length > 0 ? add.rewrite.options.map((option) => option.value) : base.rewrite.options;
  return {
    proxyAlias: add.proxyPass ?? base.proxyAlias,
    preserveHost: add.preserveHost ? add.preserveHost.value : base.preserveHost,
    addHeaders: add.addHeaders ? add.addHeaders.value : base.addHeaders,
    websocketFallbackToProxyHttp: add.websocketFallbackToProxyHttp
      ? add.websocketFallbackToProxyHttp.value
      : base.websocketFallbackToProxyHttp,
    forward100Continue: add.forward100Continue ? add.forward100Continue.value : base.forward100Continue,
    // merge_alias_dir_config appends the overriding section's redirects before the base's.
    redirects: [...add.redirects, ...base.redirects],
    headerOps: [...base.headerOps, ...add.headerOps],
    setEnvIf: [...base.setEnvIf, ...(add.setEnvIf ?? [])],
    envOps: [...base.envOps, ...(add.envOps ?? [])],
    proxyPassReverse: [...base.proxyPassReverse, ...add.proxyPassReverse],
    authz: authz.tree,
    authzSources: authz.sources,
    authn: {
      authType: add.authn?.authType?.value ?? base.authn.authType,
      authName: add.authn?.authName?.value ?? base.authn.authName,
      basicProviders: add.authn?.basicProviders?.value ?? base.authn.basicProviders,
      basicAuthoritative: add.authn?.basicAuthoritative?.value ?? base.authn.basicAuthoritative,
      userFile: add.authn?.userFile?.value ?? null,
      anonymous: add.authn?.anonymous ?? null,
    },
    rewrite: {
      engine: add.rewrite.engine ? add.rewrite.engine.value : base.rewrite.engine,
      rules: mergeRewriteRules(base.rewrite.rules, add.rewrite.rules, rewriteOptions),
      options: rewriteOptions,
      directory: sectionPath === null ? null : sectionPath.endsWith('/') ? sectionPath : `${sectionPath}/`,
    },
    sslProxyEngine: add.sslProxy.engine ? add.sslProxy.engine.value : base.sslProxyEngine,
    sslProxySection: base.sslProxySection,
    sslRequired: add.sslRequireSSL?.value === true || base.sslRequired,
    limitRequestBody: add.limitRequestBody?.value ?? base.limitRequestBody,
    sslVerifyClient: add.sslVerifyClient?.value ?? base.sslVerifyClient,
    handler: add.handler ? (add.handler.value.toLowerCase() === 'none' ? null : add.handler.value) : base.handler,
    logLevel: mergeLogLevel(base.logLevel, add),
    errorDocuments: add.errorDocuments ? { ...base.errorDocuments, ...add.errorDocuments } : base.errorDocuments,
    proxyErrorOverride: mergeProxyErrorOverride(base.proxyErrorOverride, add),
    mergedSections: source ? [...base.mergedSections, source] : base.mergedSections,
  };
}

/** merge_proxy_dir_config: error_override from the scope that set it, error_override_codes appended and sorted. */
function mergeProxyErrorOverride(base: DirectoryState['proxyErrorOverride'], add: DirectoryScope): DirectoryState['proxyErrorOverride'] {
  const own = add.proxyErrorOverride;
  if (!own) return base;
  const codes = own.codes.length > 0 ? [...base.codes, ...own.codes].sort((a, b) => a - b) : base.codes;
  return { on: own.on ?? base.on, codes };
}

/** merge_core_dir_configs + ap_merge_log_config: a set level resets the inherited module levels. */
function mergeLogLevel(base: DirectoryLogLevel | null, add: DirectoryScope): DirectoryLogLevel | null {
  const own = add.logLevel;
  if (!own || (own.level === null && own.modules.length === 0)) return base;
  const perModule: Record<string, LogLevelName> = own.level !== null ? {} : { ...(base?.perModule ?? {}) };
  for (const entry of own.modules) perModule[entry.module] = entry.level;
  return { level: own.level !== null ? own.level.value : (base?.level ?? null), perModule };
}

/** merge_authz_core_dir_config(): AuthMerging Off/unset replaces, And/Or combine. */
function mergeAuthz(base: DirectoryState, add: DirectoryScope): { tree: AuthzTree | null; sources: SourceRef[] } {
  const addTree: AuthzTree | null = add.authz.root.children.length > 0 ? add.authz.root : null;
  const addSources = collectSources(add.authz.root.children);
  const merging = add.authz.merging?.value ?? null;
  if (merging === null && addTree === null && base.authz !== null) return { tree: base.authz, sources: base.authzSources };
  if (merging === null || merging === 'off' || (base.authz === null && addTree === null)) {
    return { tree: addTree, sources: addSources };
  }
  if (base.authz !== null && addTree !== null) {
    return { tree: { kind: 'merged', op: merging, children: [base.authz, addTree] }, sources: [...base.authzSources, ...addSources] };
  }
  return base.authz !== null ? { tree: base.authz, sources: base.authzSources } : { tree: addTree, sources: addSources };
}

function collectSources(nodes: RequireNode[]): SourceRef[] {
  return nodes.flatMap((node) => (node.kind === 'rule' ? [node.source] : collectSources(node.children)));
}

/** config_perdir_merge(): rules are replaced unless RewriteOptions Inherit / InheritBefore. */
function mergeRewriteRules(base: RewriteRuleEntry[], add: RewriteRuleEntry[], options: string[]): RewriteRuleEntry[] {
  const lowered = options.map((option) => option.toLowerCase());
  if (lowered.includes('inherit')) return [...add, ...base];
  if (lowered.includes('inheritbefore')) return [...base, ...add];
  return add;
}
