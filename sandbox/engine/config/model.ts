/**
 * The typed model of a parsed httpd configuration: what routing (sandbox/engine/routing) and the
 * proxy (sandbox/server) consume. The parser fills it; `effective-server.ts` merges a
 * <VirtualHost> with the main server the way httpd does, so consumers never re-implement merging.
 *
 * Conventions:
 * - Every item carries `source` (file + 1-based line of the directive's first physical line).
 * - A `Setting<T>` is present only when the directive was written; defaults are applied by the
 *   effective-settings helper, never here, so "not set" and "set to the default" stay distinct
 *   (httpd's merge rules depend on that difference).
 * - Regular expressions are kept as the pattern text httpd saw (PCRE syntax); consumers compile
 *   them with `compileHttpdRegex` from `regex.ts`.
 * - Directive arguments are stored after `${VAR}` expansion and quote removal.
 *
 * Pure data: no I/O, no node:* imports.
 */

/** Where an item came from: the config file and the 1-based line of its first physical line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** A directive's value as written, with where it was written. */
export interface Setting<T> {
  value: T;
  source: SourceRef;
}

/** A module made available by `LoadModule` or compiled into the binary. */
export interface LoadedModule {
  /** Module identifier as written in LoadModule, e.g. "proxy_module". */
  id: string;
  /** Source file name httpd knows it by (used by <IfModule mod_proxy.c>), e.g. "mod_proxy.c". */
  sourceName: string;
  /** The .so path given to LoadModule; null for modules compiled into the binary. */
  path: string | null;
  /** null for compiled-in modules. */
  source: SourceRef | null;
}

/** One `Listen [address:]port [protocol]`. */
export interface ListenEntry {
  /** IP address or host name without IPv6 brackets; null when only a port was given. */
  address: string | null;
  port: number;
  /** Protocol argument ("http", "https"); null when omitted. */
  protocol: string | null;
  source: SourceRef;
}

/** One address of a <VirtualHost> line. */
export interface VirtualHostAddress {
  /** "*", "_default_", an IP address (no brackets) or a host name. */
  host: string;
  /**
   * The port; "*" for an explicit wildcard. An address written without a port gets the main
   * server's port as httpd gives it (from a ServerName with a port written before it), else null,
   * which like "*" matches any port.
   */
  port: number | '*' | null;
  /** The address exactly as written. */
  raw: string;
}

/** `key=value` parameter of ProxyPass, BalancerMember or ProxySet, in the order written. */
export interface ProxyParam {
  /** Key lower-cased (httpd compares keys case-insensitively). */
  key: string;
  value: string;
}

/** One ProxyPass or ProxyPassMatch, at server level or inside a <Location>/<LocationMatch>. */
export interface ProxyPassRule {
  directive: 'ProxyPass' | 'ProxyPassMatch';
  /**
   * URL-path prefix (ProxyPass) or regex pattern (ProxyPassMatch). For a rule written inside a
   * section this is the section's path/pattern, as httpd takes it.
   */
  path: string;
  /** True when `path` is a regular expression (ProxyPassMatch, or ProxyPass in <LocationMatch>). */
  regex: boolean;
  /** Target URL; null for the `!` exclusion form. */
  target: string | null;
  /** key=value parameters (upgrade, timeout, retry, lbmethod, ...). */
  params: ProxyParam[];
  /** Bare keywords after the URL: "nocanon", "interpolate", "noquery". */
  keywords: string[];
  /** True when the rule was written inside a <Location>/<LocationMatch>. */
  inSection: boolean;
  /**
   * The worker parameters really in effect. When an earlier rule already defined a worker whose
   * name is a prefix of this target, httpd shares that worker and ignores this rule's parameters
   * (warning AH01146); then these are the earlier worker's. Absent for "!" rules.
   */
  effectiveParams?: ProxyParam[];
  /** Name of the earlier worker this rule shares, when it shares one. */
  sharedWorker?: string | null;
  source: SourceRef;
}

/**
 * One ProxyPassReverse, ProxyPassReverseCookieDomain or ProxyPassReverseCookiePath (httpd keeps
 * three lists, each merged base first; one list filtered by kind keeps the same order).
 */
export interface ProxyPassReverseRule {
  /** Absent: ProxyPassReverse. */
  kind?: 'url' | 'cookie-domain' | 'cookie-path';
  /**
   * ProxyPassReverse: the URL-path prefix (for a rule written in a section, the section's path).
   * Cookie rules: the value the client gets (their second argument).
   */
  path: string;
  /** ProxyPassReverse: the backend URL. Cookie rules: the backend's value prefix (first argument). */
  target: string;
  /** "interpolate" when given. */
  keywords: string[];
  source: SourceRef;
}

/** One mod_alias redirect (Redirect, RedirectMatch, RedirectPermanent, RedirectTemp). */
export interface RedirectRule {
  directive: 'Redirect' | 'RedirectMatch' | 'RedirectPermanent' | 'RedirectTemp';
  /** HTTP status: 301, 302, 303, 410 or any 3xx given numerically (and non-3xx without URL). */
  status: number;
  /**
   * URL-path prefix (Redirect) or regex (RedirectMatch). Inside a <Location> httpd takes the
   * section's path; then this is the section's path and `inSection` is true.
   */
  path: string;
  regex: boolean;
  /** Target URL; null for statuses that take none (gone, and non-3xx codes). */
  target: string | null;
  inSection: boolean;
  source: SourceRef;
}

/** A Require line or container, as authz_core evaluates it. */
export type RequireNode = RequireRule | RequireContainer;

/** `Require [not] provider args...`. */
export interface RequireRule {
  kind: 'rule';
  negated: boolean;
  /** Provider name lower-cased: "all", "ip", "host", "local", "env", "method", "expr", "user"... */
  provider: string;
  args: string[];
  /** The arguments as written after the provider name (section->provider_args), for log lines. */
  rawArgs?: string;
  source: SourceRef;
}

/** <RequireAll>, <RequireAny>, <RequireNone>, or the implicit RequireAny of a section. */
export interface RequireContainer {
  kind: 'all' | 'any' | 'none';
  children: RequireNode[];
  /** null for the implicit top-level container of a section. */
  source: SourceRef | null;
}

/** mod_authn_anon's settings of one scope (create_authn_anon_dir_config defaults when not written). */
export interface AnonymousConfig {
  /** Anonymous user IDs, compared case-insensitively. */
  users: string[];
  /** `Anonymous *`: any user ID. */
  anyUser: boolean;
  noUserId: boolean;
  mustGiveEmail: boolean;
  verifyEmail: boolean;
  logEmail: boolean;
}

/** Authentication settings written in one scope (mod_authn_core, mod_auth_basic, mod_authn_file, mod_authn_anon). */
export interface AuthnConfig {
  /** AuthType as written; "None" switches an inherited one off. */
  authType: Setting<string> | null;
  authName: Setting<string> | null;
  /** AuthBasicProvider names in order (several lines in one scope add up). */
  basicProviders: Setting<string[]> | null;
  basicAuthoritative: Setting<boolean> | null;
  /** AuthUserFile, made absolute against ServerRoot. */
  userFile: Setting<string> | null;
  /** Present when any Anonymous* directive is written in the scope. */
  anonymous: AnonymousConfig | null;
}

/** Authorization of one scope: its Require tree and AuthMerging. */
export interface AuthzConfig {
  /** Implicit top-level RequireAny holding the scope's Require lines and containers. */
  root: RequireContainer;
  /** AuthMerging; null when not written (httpd's default is "off": the scope replaces its parent). */
  merging: Setting<'off' | 'and' | 'or'> | null;
}

/** One SetEnvIf / SetEnvIfNoCase / SetEnvIfExpr / BrowserMatch line (mod_setenvif's sei_entry). */
export interface SetEnvIfEntry {
  /** The attribute tested: a header name or header-name regex, or a special (Request_URI...); null for SetEnvIfExpr. */
  attribute: string | null;
  /** The value regex (null for SetEnvIfExpr). */
  regex: string | null;
  caseInsensitive: boolean;
  /** The ap_expr of SetEnvIfExpr. */
  expr: string | null;
  /** Variables to set ("1", or the value after "=", $n expanded) or unset (value null, written "!name"). */
  features: Array<{ name: string; value: string | null }>;
  source: SourceRef;
}

/** One SetEnv (value "" when omitted) or UnsetEnv name. */
export interface EnvOp {
  action: 'set' | 'unset';
  name: string;
  value: string;
}

/** One Header or RequestHeader operation. */
export interface HeaderOp {
  directive: 'Header' | 'RequestHeader';
  /** Header's optional first word: "onsuccess" (the default table) or "always". null when omitted. */
  condition: 'onsuccess' | 'always' | null;
  action: HeaderAction;
  /** Header name as written. */
  header: string;
  /** Value (set/append/add/merge/setifempty/note) or the regex (edit/edit*). */
  value: string | null;
  /** Replacement string for edit/edit*. */
  replacement: string | null;
  /** "early", "env=[!]VAR" or "expr=..." as written; null when omitted. */
  when: string | null;
  source: SourceRef;
}

/** Header actions mod_headers knows. */
export type HeaderAction = 'set' | 'unset' | 'append' | 'add' | 'merge' | 'edit' | 'edit*' | 'echo' | 'setifempty' | 'note';

/** One RewriteCond attached to the RewriteRule that follows it. */
export interface RewriteCondition {
  /** Test string, e.g. "%{HTTP:Upgrade}". */
  testString: string;
  /** CondPattern without a leading "!" (regex, or a lexical/file test such as "-f", "=foo"). */
  pattern: string;
  negated: boolean;
  /** [NC] */
  noCase: boolean;
  /** [OR] */
  orNext: boolean;
  /** [NV] */
  noVary: boolean;
  source: SourceRef;
}

/** One RewriteRule with the conditions written before it. */
export interface RewriteRuleEntry {
  /** Pattern without a leading "!". */
  pattern: string;
  negated: boolean;
  /** Substitution, or "-" for none. */
  substitution: string;
  flags: RewriteFlags;
  conditions: RewriteCondition[];
  source: SourceRef;
}

/** Parsed RewriteRule flags. Booleans default to false, values to null. */
export interface RewriteFlags {
  /** [P] proxy the substitution through mod_proxy. */
  proxy: boolean;
  /** [L] */
  last: boolean;
  /** [END] */
  end: boolean;
  /** [NC] */
  noCase: boolean;
  /** [NE] do not escape the substitution. */
  noEscape: boolean;
  /** [PT] */
  passThrough: boolean;
  /** [QSA] */
  qsAppend: boolean;
  /** [QSD] */
  qsDiscard: boolean;
  /** [QSL] */
  qsLast: boolean;
  /** [C] */
  chain: boolean;
  /** [NS] */
  noSubreq: boolean;
  /** [F] -> 403 */
  forbidden: boolean;
  /** [G] -> 410 */
  gone: boolean;
  /** [R] or [R=code]: the redirect status (302 for bare R); null when not a redirect. */
  redirect: number | null;
  /** [N] or [N=limit]: restart; the limit (10000 for bare N); null when absent. */
  next: number | null;
  /** [S=n] */
  skip: number;
  /** [T=type] */
  type: string | null;
  /** [H=handler] */
  handler: string | null;
  /** [E=VAR:VAL] entries as written. */
  env: string[];
  /** [CO=...] entries as written. */
  cookie: string[];
  /** [B] / [B=chars]: true for bare B, the character list otherwise; null when absent. */
  escapeBackrefs: true | string | null;
  /** [BNP] */
  backrefNoPlus: boolean;
  /** [DPI] */
  discardPathInfo: boolean;
  /** Flags as written, for display. */
  raw: string[];
}

/**
 * One RewriteMap. Only httpd's internal functions are evaluated; a map backed by a file, a
 * program or a database is kept by name and looks nothing up (its default applies).
 */
export interface RewriteMapEntry {
  kind: 'internal' | 'external';
  /** The internal function (toupper, tolower, escape, unescape), or the map source as written. */
  source: string;
}

/** mod_rewrite settings of one scope (a server, or a section). */
export interface RewriteConfig {
  engine: Setting<boolean> | null;
  /** RewriteOptions values as written (Inherit, InheritBefore, ...). */
  options: Setting<string>[];
  rules: RewriteRuleEntry[];
  /** RewriteMap entries by name (server scopes only). */
  maps: Record<string, RewriteMapEntry>;
  /** RewriteBase (sections only). */
  base: Setting<string> | null;
}

/** Log severities in httpd's order, least to most verbose. */
export const LOG_LEVELS = [
  'emerg',
  'alert',
  'crit',
  'error',
  'warn',
  'notice',
  'info',
  'debug',
  'trace1',
  'trace2',
  'trace3',
  'trace4',
  'trace5',
  'trace6',
  'trace7',
  'trace8',
] as const;

/** One of httpd's log levels. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** LogLevel lines of one scope: the default level and per-module overrides. */
export interface LogLevelConfig {
  /** The bare level (`LogLevel info`); null when only per-module levels were written. */
  level: Setting<LogLevelName> | null;
  /** `module:level` entries, module id without "_module" and "mod_" (e.g. "proxy", "ssl"). */
  modules: Array<{ module: string; level: LogLevelName; source: SourceRef }>;
}

/** One CustomLog / TransferLog / GlobalLog. */
export interface CustomLogEntry {
  directive: 'CustomLog' | 'TransferLog' | 'GlobalLog';
  /** File path, or "|command" for a piped log. */
  target: string;
  /** A LogFormat nickname or a literal format string; null for TransferLog (uses the default). */
  format: string | null;
  /** "env=[!]VAR" or "expr=..." when given. */
  condition: string | null;
  source: SourceRef;
}

/** One LogFormat line. */
export interface LogFormatEntry {
  /** null when it sets the default format (one argument form). */
  nickname: string | null;
  format: string;
  source: SourceRef;
}

/** Settings that live in httpd's per-directory configs: the server's defaults and each section. */
export interface DirectoryScope {
  /** ProxyPass/ProxyPassMatch written in this section (sections only; httpd keeps the last one). */
  proxyPass: ProxyPassRule | null;
  /** ProxyPassReverse lines (server-level ones land here too, as in httpd). */
  proxyPassReverse: ProxyPassReverseRule[];
  preserveHost: Setting<boolean> | null;
  addHeaders: Setting<boolean> | null;
  websocketFallbackToProxyHttp: Setting<boolean> | null;
  /** Proxy100Continue (default On): forward Expect: 100-continue to the backend, or let httpd answer it. */
  forward100Continue?: Setting<boolean> | null;
  /** SetHandler (e.g. "server-status"); "None" is stored as written and cancels an inherited one. */
  handler?: Setting<string> | null;
  /** Redirects written in this section (server-level ones are in ServerScope.redirects). */
  redirects: RedirectRule[];
  /** Header and RequestHeader operations in order. */
  headerOps: HeaderOp[];
  /** SetEnvIf lines written inside this section (server-level ones are ServerScope.setEnvIf). */
  setEnvIf?: SetEnvIfEntry[];
  /** mod_env's SetEnv / UnsetEnv lines, in order; absent when none is written. */
  envOps?: EnvOp[];
  authz: AuthzConfig;
  /** AuthType, AuthName, AuthBasicProvider, AuthUserFile, Anonymous*; absent when none is written. */
  authn?: AuthnConfig;
  logLevel: LogLevelConfig;
  /** Per-directory mod_rewrite (sections only; server-level rewrite is ServerScope.rewrite). */
  rewrite: RewriteConfig;
  /** SSLProxyEngine etc. written inside a <Proxy> section. */
  sslProxy: SslProxyConfig;
  /** LimitRequestBody of this scope in bytes (0: no limit); absent when none is written. */
  limitRequestBody?: Setting<number>;
  /** SSLRequireSSL written in this section (mod_ssl's bSSLRequired); absent when not. */
  sslRequireSSL?: Setting<boolean>;
  /** SSLVerifyClient written in this section (dc->nVerifyClient), normalised (none/optional/require/optional_no_ca). */
  sslVerifyClient?: Setting<string>;
  /** ErrorDocument lines of this scope by status (core's response_code_exprs); absent when none is written. */
  errorDocuments?: Record<number, ErrorDocumentEntry>;
  /** ProxyErrorOverride of this scope (mod_proxy's error_override/_set/_codes); absent when none is written. */
  proxyErrorOverride?: ProxyErrorOverrideConfig;
}

/**
 * One ErrorDocument, classified as core's set_error_document does at config time: `message`
 * (the argument has a space, or is neither "/…" nor a URL), `local` ("/…"), `remote` (a URL),
 * or `default` (the canned page again). `value` is the ap_expr string as written.
 */
export interface ErrorDocumentEntry {
  kind: 'message' | 'local' | 'remote' | 'default';
  value: string;
  source: SourceRef;
}

/** ProxyErrorOverride: `on` null while none was written here; codes are appended on merge. */
export interface ProxyErrorOverrideConfig {
  on: boolean | null;
  codes: number[];
}

/** Backend TLS settings (mod_ssl's SSLProxy*). */
export interface SslProxyConfig {
  engine: Setting<boolean> | null;
  /** SSLProxyVerify: none | optional | require | optional_no_ca. */
  verify: Setting<string> | null;
  checkPeerName: Setting<boolean> | null;
  checkPeerCN: Setting<boolean> | null;
  checkPeerExpire: Setting<boolean> | null;
  /** SSLProxyCACertificateFile: the CAs a backend's chain is verified against. */
  caCertificateFile: Setting<string> | null;
  /** SSLProxyProtocol as written (its words), absent while none was written. */
  protocol?: Setting<string> | null;
}

/** Kinds of configuration sections kept in the model. */
export type SectionKind =
  | 'Location'
  | 'LocationMatch'
  | 'Directory'
  | 'DirectoryMatch'
  | 'Files'
  | 'FilesMatch'
  | 'Proxy'
  | 'ProxyMatch';

/** A <Location>, <Directory>, <Files>, <Proxy> (or *Match) section. */
export interface Section {
  kind: SectionKind;
  /** Path, URL or pattern as written (after quote removal), without a leading "~". */
  match: string;
  /** True for *Match sections and for the `<Location ~ "re">` form. */
  regex: boolean;
  settings: DirectoryScope;
  /** <Files>/<FilesMatch> nested inside a <Directory>. */
  nested: Section[];
  source: SourceRef;
}

/** A BalancerMember line. */
export interface BalancerMemberEntry {
  url: string;
  params: ProxyParam[];
  source: SourceRef;
}

/** A balancer assembled from <Proxy balancer://…>, BalancerMember and ProxySet lines. */
export interface BalancerDefinition {
  /** "balancer://name", lower-cased scheme and name as httpd normalises it. */
  name: string;
  members: BalancerMemberEntry[];
  /** ProxySet parameters (lbmethod, stickysession, ...) in order written. */
  params: ProxyParam[];
  source: SourceRef;
}

/** ProxySet on a worker URL (not a balancer). */
export interface WorkerParams {
  url: string;
  params: ProxyParam[];
  source: SourceRef;
}

/** The parsed ServerName: `[scheme://]host[:port]`. */
export interface ServerNameValue {
  raw: string;
  scheme: string | null;
  host: string;
  port: number | null;
}

/** AllowEncodedSlashes: Off answers 404 to %2F, On decodes it, NoDecode keeps it encoded. */
export type AllowEncodedSlashes = 'on' | 'off' | 'nodecode';

/** Settings httpd keeps per virtual server (server_rec fields and per-server module configs). */
export interface ServerScope {
  serverName: Setting<ServerNameValue> | null;
  serverAliases: Setting<string>[];
  serverAdmin: Setting<string> | null;
  documentRoot: Setting<string> | null;
  /** TraceEnable (core's per-server trace_enable). */
  traceEnable: Setting<'on' | 'off' | 'extended'> | null;
  /** ProxyVia (mod_proxy's per-server viaopt). */
  proxyVia: Setting<'off' | 'on' | 'full' | 'block'> | null;
  /** AllowEncodedSlashes (core; RSRC_CONF, kept in the server's default per-directory config). */
  allowEncodedSlashes: Setting<AllowEncodedSlashes> | null;
  /** MergeSlashes (core's per-server merge_slashes; a vhost without it takes the main server's). */
  mergeSlashes: Setting<boolean> | null;
  /**
   * LimitRequestLine, LimitRequestFieldsize, LimitRequestFields (server_rec fields, atoi'd). A
   * <VirtualHost> starts with the main server's values as they stand when its section opens
   * (ap_init_virtual_host copies them), so a main-server line written after it does not reach it.
   */
  limitRequestLine?: Setting<number> | null;
  limitRequestFieldSize?: Setting<number> | null;
  limitRequestFields?: Setting<number> | null;
  /** HttpProtocolOptions words written in this server (each pair unset until written; a vhost without one takes the main server's). */
  httpProtocolOptions?: HttpProtocolOptionsConfig;

  proxyRequests: Setting<boolean> | null;
  /** ProxyTimeout in seconds. */
  proxyTimeout: Setting<number> | null;
  /** ProxyReceiveBufferSize in bytes (0 = OS default). */
  proxyReceiveBufferSize: Setting<number> | null;
  proxyPassInherit: Setting<boolean> | null;
  balancerInherit: Setting<boolean> | null;
  /** Server-level ProxyPass / ProxyPassMatch in order written. */
  proxyPass: ProxyPassRule[];
  balancers: BalancerDefinition[];
  workers: WorkerParams[];

  /** Timeout in seconds. */
  timeout: Setting<number> | null;
  keepAlive: Setting<boolean> | null;
  maxKeepAliveRequests: Setting<number> | null;
  /** KeepAliveTimeout in seconds (may be fractional: "100ms" is 0.1). */
  keepAliveTimeout: Setting<number> | null;

  sslEngine: Setting<boolean> | null;
  sslCertificateFiles: Setting<string>[];
  sslCertificateKeyFiles: Setting<string>[];
  sslProtocol: Setting<string> | null;
  sslCipherSuite: Setting<string> | null;
  /** Client-certificate settings at server level: mod_ssl compares them (with the above) when SNI and Host pick different vhosts. */
  sslVerifyClient: Setting<string> | null;
  sslVerifyDepth: Setting<number> | null;
  sslCaCertificateFile: Setting<string> | null;
  sslCaCertificatePath: Setting<string> | null;
  /** SSLStrictSNIVHostCheck: a client without SNI may not reach this name-based vhost. */
  sslStrictSniVhostCheck: Setting<boolean> | null;
  sslProxy: SslProxyConfig;

  errorLog: Setting<string> | null;
  /** ErrorLogFormat's main form (with %M); a vhost without one uses the main server's. */
  errorLogFormat: Setting<string> | null;
  /** ErrorLogFormat connection|request lines in order (an empty format adds none); absent: none written, the main server's apply. */
  errorLogConnectionFormats?: string[];
  errorLogRequestFormats?: string[];
  customLogs: CustomLogEntry[];
  logFormats: LogFormatEntry[];
  logLevel: LogLevelConfig;

  /** Server-level Redirect/RedirectMatch in order written. */
  redirects: RedirectRule[];
  /** Server-level mod_rewrite. */
  rewrite: RewriteConfig;
  /** SetEnvIf lines written outside sections: mod_setenvif runs them at post_read_request. */
  setEnvIf?: SetEnvIfEntry[];
  /** Protocols (e.g. "h2 http/1.1"). */
  protocols: Setting<string[]> | null;
}

/** HttpProtocolOptions as core keeps it per server: each of the three choices, null while unset. */
export interface HttpProtocolOptionsConfig {
  http09: Setting<'allow0.9' | 'require1.0'> | null;
  conformance: Setting<'strict' | 'unsafe'> | null;
  methods: Setting<'registered' | 'lenient'> | null;
}

/** The main server or one <VirtualHost>. */
export interface ServerConfig {
  server: ServerScope;
  /** Per-directory defaults written directly at server / vhost level. */
  directory: DirectoryScope;
  /** Sections in the order written (Location, Directory, Proxy, ...). */
  sections: Section[];
}

/** One <VirtualHost addr...>. */
export interface VirtualHostConfig extends ServerConfig {
  addresses: VirtualHostAddress[];
  source: SourceRef;
}

/** Multi-Processing Module limits (whichever MPM is loaded reads them). */
export interface MpmSettings {
  /** "event", "worker" or "prefork"; null when none is loaded. */
  module: 'event' | 'worker' | 'prefork' | null;
  startServers: Setting<number> | null;
  minSpareThreads: Setting<number> | null;
  maxSpareThreads: Setting<number> | null;
  minSpareServers: Setting<number> | null;
  maxSpareServers: Setting<number> | null;
  threadLimit: Setting<number> | null;
  threadsPerChild: Setting<number> | null;
  maxRequestWorkers: Setting<number> | null;
  maxConnectionsPerChild: Setting<number> | null;
  serverLimit: Setting<number> | null;
  asyncRequestWorkerFactor: Setting<number> | null;
}

/** Process-wide settings. */
export interface GlobalSettings {
  serverRoot: Setting<string> | null;
  pidFile: Setting<string> | null;
  defaultRuntimeDir: Setting<string> | null;
  user: Setting<string> | null;
  group: Setting<string> | null;
  mutex: Setting<string>[];
  bufferedLogs: Setting<boolean> | null;
  sslSessionCache: Setting<string> | null;
  /** SSLVHostSNIPolicy (2.4.64+): strict | secure (default) | authonly | insecure. */
  sslVhostSniPolicy: Setting<string> | null;
  /** SSLSessionCacheTimeout in seconds (per-server in httpd; the main server's value). */
  sslSessionCacheTimeout: Setting<number> | null;
  serverTokens: Setting<string> | null;
  /** Methods added to httpd's registry at startup: RegisterHttpMethod, and <Limit>/<LimitExcept> names it did not know. */
  registeredMethods?: string[];
  mpm: MpmSettings;
}

/** A directive httpd accepts and the sandbox parses but does not act on. */
export interface NotSimulatedDirective {
  name: string;
  args: string[];
  /** "server", "virtualhost", or the enclosing section kind, e.g. "Location". */
  context: string;
  source: SourceRef;
}

/** A whole parsed configuration. */
export interface HttpdConfig {
  /** Path of the top-level file. */
  file: string;
  /** Modules present: compiled-in ones first, then LoadModule lines in order. */
  modules: LoadedModule[];
  /** True when the text had no LoadModule and the default Debian module set was assumed. */
  defaultModules: boolean;
  listens: ListenEntry[];
  main: ServerConfig;
  virtualHosts: VirtualHostConfig[];
  global: GlobalSettings;
  notSimulated: NotSimulatedDirective[];
  /** Defines in effect at the end of parsing (-D options plus Define lines). */
  defines: Record<string, string>;
  /** Files pulled in by Include/IncludeOptional, in the order read. */
  includedFiles: string[];
}

/** A value after merging with the main server and applying httpd's defaults. */
export interface EffectiveSetting<T> {
  value: T;
  /** Where the value came from; null when it is httpd's compiled default. */
  source: SourceRef | null;
}

/**
 * One virtual server with the main server's settings merged in, as httpd sees it at request time.
 * Produced by `effectiveServers()` / `effectiveServer()` in effective-server.ts.
 */
export interface EffectiveServer {
  /** null for the main server. */
  virtualHost: VirtualHostConfig | null;
  /** Addresses it answers on; the main server gets []. */
  addresses: VirtualHostAddress[];
  serverName: EffectiveSetting<ServerNameValue | null>;
  serverAliases: Setting<string>[];

  proxyRequests: EffectiveSetting<boolean>;
  /**
   * Backend I/O timeout in seconds: ProxyTimeout when set (here or in the main server), else the
   * server's Timeout, as mod_proxy falls back.
   */
  proxyTimeout: EffectiveSetting<number>;
  /** True when ProxyTimeout was written (here or inherited), as opposed to falling back to Timeout. */
  proxyTimeoutSet: boolean;
  proxyReceiveBufferSize: EffectiveSetting<number>;
  /**
   * Server-level ProxyPass rules in the order mod_proxy tries them: the main server's first, then
   * this vhost's (merge_proxy_config appends base then override).
   */
  proxyPass: ProxyPassRule[];
  balancers: BalancerDefinition[];
  workers: WorkerParams[];

  timeout: EffectiveSetting<number>;
  keepAlive: EffectiveSetting<boolean>;
  maxKeepAliveRequests: EffectiveSetting<number>;
  keepAliveTimeout: EffectiveSetting<number>;

  sslEngine: EffectiveSetting<boolean>;
  sslCertificateFiles: Setting<string>[];
  sslCertificateKeyFiles: Setting<string>[];
  sslProxy: {
    engine: EffectiveSetting<boolean>;
    verify: EffectiveSetting<string>;
    checkPeerName: EffectiveSetting<boolean>;
  };

  errorLog: EffectiveSetting<string>;
  /** The CustomLogs this server writes to (its own, or the main server's when it has none; GlobalLogs always). */
  customLogs: CustomLogEntry[];
  /** Nickname -> format (main server's, overlaid by this server's). */
  logFormats: Record<string, EffectiveSetting<string>>;
  /** Default format used when CustomLog/TransferLog names none. */
  defaultLogFormat: EffectiveSetting<string>;
  logLevel: EffectiveSetting<LogLevelName>;
  /** Per-module levels, main's overlaid by this server's. */
  moduleLogLevels: Record<string, EffectiveSetting<LogLevelName>>;

  /** Server-level redirects in the order mod_alias tries them: this vhost's first, then the main server's. */
  redirects: RedirectRule[];
  /** Server-level rewrite as it applies to this server (main's rules only with RewriteOptions Inherit*). */
  rewrite: {
    engine: EffectiveSetting<boolean>;
    rules: RewriteRuleEntry[];
  };

  /** Per-directory defaults: the main server's merged with this vhost's. */
  directory: EffectiveDirectory;
  /** Sections in the order core walks them: the main server's, then this vhost's. */
  sections: Section[];
}

/** Per-directory settings after merging (server defaults, then sections as routing merges them). */
export interface EffectiveDirectory {
  preserveHost: EffectiveSetting<boolean>;
  addHeaders: EffectiveSetting<boolean>;
  websocketFallbackToProxyHttp: EffectiveSetting<boolean>;
  /** Header/RequestHeader ops in the order mod_headers applies them (base first). */
  headerOps: HeaderOp[];
  proxyPassReverse: ProxyPassReverseRule[];
  authz: AuthzConfig;
}
