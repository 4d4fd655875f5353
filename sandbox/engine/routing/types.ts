/**
 * The vocabulary of routing: what goes in (one parsed client request) and what comes out (what
 * httpd would do with it before any network I/O). Pure data.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { SourceRef } from '../config/model.ts';
import type { HeaderPair } from './header-table.ts';

export type { HeaderPair } from './header-table.ts';

/** One client request as the HTTP parser hands it over. */
export interface RouteRequest {
  method: string;
  /** The raw request-target from the request line ("/ws/chat?x=1", "http://host/x", "*"). */
  target: string;
  /** "1.1", "1.0" (an "HTTP/" prefix is accepted too). */
  httpVersion: string;
  /** Header fields in the order received, names as spelled. */
  headers: readonly HeaderPair[];
  /** Address and port the connection was accepted on. */
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** True when the connection came in over TLS (an SSLEngine on vhost). */
  secure: boolean;
  /** On a TLS connection: the SNI name the client sent, null for none. Undefined skips mod_ssl's SNI checks. */
  tlsServerName?: string | null;
  /** On a TLS connection: the protocol version negotiated ("TLSv1.3"), mod_ssl's SSL_PROTOCOL. */
  tlsProtocol?: string | null;
}

/** Which server_rec answered: the main server or a <VirtualHost>. */
export interface SelectedServer {
  /** Index into config.virtualHosts; null for the main server. */
  virtualHostIndex: number | null;
  /** The server's name as httpd knows it (ServerName, or what httpd derived). */
  serverName: string;
  /** Where the <VirtualHost> starts; null for the main server. */
  source: SourceRef | null;
  /** How it was chosen, for the traffic tap ("Host b.test matched ServerAlias *.b.test"). */
  reason: string;
}

/** A rule routing looked at, in the order httpd looked at it. */
export interface ConsideredRule {
  /** "RewriteRule", "ProxyPass", "ProxyPassMatch", "Redirect", "RedirectMatch", "Require", ... */
  directive: string;
  /** The rule as the learner wrote it, e.g. "ProxyPass /ws ws://127.0.0.1:8080/". */
  text: string;
  source: SourceRef;
  /** What happened when httpd tried it. */
  result: 'matched' | 'no-match' | 'excluded' | 'skipped';
  /** Why, in one sentence ("/wsx does not continue /ws at a path-segment boundary"). */
  note: string;
}

/** The directive that decided the outcome. */
export interface MatchedDirective {
  directive: string;
  text: string;
  source: SourceRef;
}

/** Which proxy submodule runs the request, and whether the WebSocket upgrade goes through. */
export type ProxyModuleName = 'proxy_http' | 'proxy_wstunnel';

/** What happens to the client's Upgrade header. */
export interface UpgradeDecision {
  /** The client's Upgrade header, or null when it sent none. */
  requested: string | null;
  /** True when httpd forwards the upgrade and will tunnel after a 101. */
  forwarded: boolean;
  /** Value of the Upgrade header httpd sends to the backend (null when not forwarded). */
  sentUpgrade: string | null;
  /** Why, in one sentence. */
  reason: string;
}

/** A worker's status= flags that decide whether it can take a request (PROXY_WORKER_IS_USABLE). */
export interface WorkerStatusFlags {
  /** PROXY_WORKER_IGNORE_ERRORS: a failed connect does not put the worker in error. */
  ignoreErrors: boolean;
  disabled: boolean;
  stopped: boolean;
  /** Configured in error ("+E"): error_time 0, so retried on first use. */
  inError: boolean;
}

/** The settings of the worker (backend connection pool) whose parameters apply. */
export interface WorkerSettings {
  /** The worker's name: its URL as httpd keys workers, e.g. "ws://127.0.0.1:8080/". */
  name: string;
  /** True when no ProxyPass/BalancerMember/ProxySet defined it and httpd's default reverse worker is used. */
  isDefault: boolean;
  /** upgrade= value ("" when unset). */
  upgrade: string;
  /** timeout= in seconds, or null when unset. */
  timeout: number | null;
  /** connectiontimeout= in seconds, or null when unset. */
  connectionTimeout: number | null;
  /** retry= in seconds (default 60). */
  retry: number;
  /** status= flags over the defaults (ignore errors outside a balancer); see worker-state.ts. */
  status: WorkerStatusFlags;
  /** disablereuse=On or enablereuse=Off: one backend connection per request. */
  disableReuse: boolean;
  /** Where the defining directive is; null for the default worker. */
  source: SourceRef | null;
}

/** Timeouts the proxy must apply to this request, in seconds, with where each came from. */
export interface ProxyTimeouts {
  /** Connect timeout: connectiontimeout=, else the backend I/O timeout. */
  connect: number;
  /** Backend I/O timeout: timeout=, else ProxyTimeout, else Timeout. */
  backend: number;
  /**
   * Idle timeout of an upgraded tunnel: the larger of Timeout and the backend timeout
   * (mod_proxy_http); null for mod_proxy_wstunnel, which polls without a timeout (measured: a
   * tunnel stayed open past Timeout 2).
   */
  tunnelIdle: number | null;
  /** Human-readable derivation, e.g. "max(Timeout 5, ProxyTimeout 2) = 5". */
  explanation: string;
}

/** The head of the request httpd writes to the backend. */
export interface BackendRequestHead {
  /** "GET /chat HTTP/1.1" */
  requestLine: string;
  /**
   * Header fields in wire order. A client Content-Length is re-sent after the other headers,
   * before Connection; for a chunked client body no framing header is listed (see bodyFraming).
   */
  headers: HeaderPair[];
  /**
   * How httpd frames the request body: "none" (no body headers), "content-length" (the
   * Content-Length in `headers`), or "chunked": httpd reads up to 16 KiB ahead and sends
   * "Content-Length: <bytes>" when the whole body arrived by then, "Transfer-Encoding: chunked"
   * otherwise; the proxy inserts that header before Connection.
   */
  bodyFraming: 'none' | 'content-length' | 'chunked';
}

/** Everything the proxy needs to contact one backend. */
export interface BackendPlan {
  module: ProxyModuleName;
  /** The Via entry mod_proxy_http adds to the backend's answer (ProxyVia On/Full), or null. */
  responseVia: string | null;
  /** The canonical URL httpd proxies to ("ws://127.0.0.1:8080/chat?x=1"). */
  url: string;
  /**
   * The URL the scheme's canon handler was given, and logs: r->filename without "proxy:" (for a
   * balancer, the chosen member's URL plus the path), before canonicalisation.
   */
  urlBeforeCanon: string;
  scheme: string;
  host: string;
  port: number;
  /** True for https:// and wss:// (speak TLS to the backend). */
  tls: boolean;
  worker: WorkerSettings;
  upgrade: UpgradeDecision;
  request: BackendRequestHead;
  timeouts: ProxyTimeouts;
  /**
   * An error httpd reports only once the TCP connection succeeded (e.g. AH00961 when the backend
   * needs TLS but SSLProxyEngine is off): then answer `status` and log `log`. Null otherwise.
   */
  afterConnectFailure: { status: number; log: ErrorLogEntry[]; reason: string } | null;
}

/** A balancer the proxy picks a member of at connect time (see balancer-runtime.ts). */
export interface BalancerTarget {
  /** "balancer://mycluster" */
  name: string;
  /** Path (and query) after the balancer name, appended to the chosen member's URL. */
  pathSuffix: string;
  lbmethod: string;
  source: SourceRef;
}

/** Fields every decision carries. */
export interface DecisionBase {
  /** The server that answered (null when the request was rejected before a server was chosen). */
  server: SelectedServer | null;
  /** URL-path after decoding and normalisation (r->uri), or null when it could not be parsed. */
  uri: string | null;
  /** Query string without "?" (r->args), or null when there was none. */
  args: string | null;
  /** Rules examined, in the order httpd examined them. */
  considered: ConsideredRule[];
  /** The directive that decided the outcome, or null when nothing matched. */
  matched: MatchedDirective | null;
  /** One sentence a learner can read ("no ProxyPass matched /wsx; closest: ProxyPass /ws on line 12"). */
  explanation: string;
  /** Error-log entries the decision produces, without timestamps, in order. */
  log: ErrorLogEntry[];
  /** RequestHeader/Header/ProxyPassReverse settings in effect after the Location walk (for the response). */
  responseContext: ResponseContext;
}

/** Per-request settings the response side needs. */
export interface ResponseContext {
  /** ap_ssl_var_lookup() for %{VAR}s in Header values; absent: every variable is unset. */
  sslVar?: (name: string) => string | null;
  /** Header ops that apply to the response, in the order mod_headers runs them. */
  headerOps: import('../config/model.ts').HeaderOp[];
  /** ProxyPassReverse, ProxyPassReverseCookieDomain/Path rules in effect. */
  proxyPassReverse: import('../config/model.ts').ProxyPassReverseRule[];
  /** The server's balancers, for ProxyPassReverse with a balancer:// URL; absent: none. */
  balancers?: readonly import('../config/model.ts').BalancerDefinition[];
  /** Value of ap_get_server_name for Location rewriting. */
  serverName: string;
  /** Client-visible scheme and port, for absolutising ProxyPassReverse results. */
  scheme: 'http' | 'https';
  port: number;
  /** r->subprocess_env, which env= conditions and %{VAR}e read on the way out. */
  env?: Readonly<Record<string, string>>;
  /** r->headers_in after the RequestHeader edits, for Header echo. */
  requestHeaders?: import('./header-table.ts').HeaderPair[];
  /** ap_expr's view of the request, for expr= conditions and values on the response. */
  expr?: import('./ap-expr.ts').ExprLookup;
  /**
   * What "Header always … early" put in r->err_headers_out at post_read_request: sent ahead of
   * the other headers on every final response, proxied or httpd's own (not on a 101).
   */
  earlyErrorHeaders?: import('./header-table.ts').HeaderPair[];
  /** LogLevel of the request's <Location>/<Proxy> sections (r->log); null or absent: the server's. */
  logLevel?: import('./directory-state.ts').DirectoryLogLevel | null;
  /** ErrorDocument per status in the request's merged per-directory config; absent: none. */
  errorDocuments?: Readonly<Record<number, import('../config/model.ts').ErrorDocumentEntry>>;
  /** ProxyErrorOverride in effect; absent: Off. */
  proxyErrorOverride?: { on: boolean; codes: number[] };
}

/** The request is proxied. */
export interface ProxyDecision extends DecisionBase {
  kind: 'proxy';
  /** r->filename as mod_proxy set it ("proxy:ws://127.0.0.1:8080/chat"), before canonicalisation. */
  filename: string;
  /**
   * r->filename once proxy_fixup canonicalised it, with the query string the scheme's canon
   * handler appends: what mod_log_config's %f prints. Absent where it equals `filename`.
   */
  canonicalFilename?: string;
  /** Set when the target is a single backend. */
  backend: BackendPlan | null;
  /** Set when the target is balancer://; the member is chosen at connect time. */
  balancer: BalancerTarget | null;
  /** Internal: what planning a balancer member needs (the request after RequestHeader ops). */
  prepared: PreparedProxyRequest;
}

/** httpd answers itself (error, redirect, not found). */
export interface ResponseDecision extends DecisionBase {
  kind: 'respond';
  status: number;
  /** Headers httpd adds to this response (Location for redirects, Upgrade for 426). */
  headers: HeaderPair[];
  /** What kind of answer this is. */
  reason:
    | 'bad-request'
    | 'not-found'
    | 'forbidden'
    /** 401 from authentication or from authorization of an authenticated user. */
    | 'unauthorized'
    | 'redirect'
    | 'gone'
    | 'no-handler'
    | 'upgrade-required'
    | 'rewrite-status'
    | 'server-error'
    | 'expectation-failed'
    /** 421: mod_ssl found that SNI and Host select vhosts with different SSL setups. */
    | 'misdirected'
    | 'answered-locally'
    /** TRACE to a path nothing proxies: httpd echoes the request back as message/http. */
    | 'trace'
    /** A content handler (SetHandler) answers; `handler` names it, the proxy renders its page. */
    | 'handler'
    /** 405 or 501 from core's default handler: a method it does not serve files for. */
    | 'method-not-allowed';
  handler?: string;
  /**
   * r->filename when httpd answered for a path it mapped to the filesystem (the access log's %f):
   * the DocumentRoot path up to the first component that does not exist.
   */
  localFilename?: string;
  /**
   * Present when core's default_handler answered (no file, OPTIONS, a method it does not serve
   * files for). It reads and discards the request body (ap_discard_request_body) before it
   * answers: over `limitBytes` (0: no limit) the answer is 413 instead, and `thenLog` (its own
   * lines: AH00128, AH00129, AH00135) is written only once the body was read. mod_logio counts
   * that body even when the client asked to close.
   */
  discardBodyFirst?: { limitBytes: number; thenLog: ErrorLogEntry[] };
}

/** What routeRequest returns. */
export type RouteDecision = ProxyDecision | ResponseDecision;

/** The request as mod_proxy sees it when it builds the backend request. */
/**
 * The SSLProxy* settings a backend TLS handshake reads from the request's per-directory config
 * (mod_ssl's dc->proxy), each null while no scope set it.
 */
export interface SslProxyChecks {
  /** SSLProxyVerify as written, lower-cased. */
  verify: string | null;
  checkPeerName: boolean | null;
  checkPeerCN: boolean | null;
  checkPeerExpire: boolean | null;
  caCertificateFile: string | null;
  /** SSLProxyProtocol's words as written. */
  protocol: string | null;
}

export interface PreparedProxyRequest {
  method: string;
  /** r->uri, for log messages. */
  uri: string;
  /** mod_proxy_http may keep the backend connection alive (Connection: Keep-Alive rather than close). */
  backendKeepAlive: boolean;
  /** HTTP/1.x minor version of the client request. */
  protoMinor: number;
  /**
   * The force-proxy-request-1.0 variable is set: ap_proxy_create_hdrbrgd() sends an HTTP/1.0
   * request line and closes the backend connection, mod_proxy_http forwards no Upgrade, adds no
   * Connection line and does no 100-continue.
   */
  force10: boolean;
  /** The proxy-nokeepalive variable is set: the backend connection is closed (Connection: close). */
  noKeepAlive: boolean;
  /** Client headers after compression and RequestHeader ops (r->headers_in). */
  headers: HeaderPair[];
  remoteAddress: string;
  /** The server's name (r->server->server_hostname), for X-Forwarded-Server. */
  serverHostname: string;
  preserveHost: boolean;
  addForwardedHeaders: boolean;
  /** Whether the client expects 100-continue and Proxy100Continue lets it through. */
  expecting100: boolean;
  /** mod_proxy_http is loaded (ws:// falls back to it) and ProxyWebsocketFallbackToProxyHttp is on. */
  wstunnelFallsBack: boolean;
  /** AllowEncodedSlashes NoDecode: a balancer member's canonicalisation keeps "%2F" too. */
  keepEncodedSlashes: boolean;
  /** Modules present, by source name ("mod_proxy_http.c"). */
  modules: ReadonlySet<string>;
  /** SSLProxyEngine in effect for this server (or its <Proxy> section). */
  sslProxyEngine: boolean;
  /** SSLProxyVerify, the peer checks and the CA file the backend's TLS handshake uses (null: unset). */
  sslProxy: SslProxyChecks;
  /** mod_ssl is loaded. */
  sslLoaded: boolean;
  /** Timeout, ProxyTimeout in seconds, and whether ProxyTimeout was written. */
  serverTimeout: number;
  proxyTimeout: number;
  proxyTimeoutSet: boolean;
  /** Client-visible port of this server, for ServerName defaults in Via etc. */
  localPort: number;
  /** ProxyVia: 'block' drops the client's Via; 'on'/'full' add `viaText` towards the backend and the client. */
  via: 'off' | 'on' | 'full' | 'block';
  /** "1.1 <ServerName><:port>" (with " (Apache/2.4.71)" under Full). */
  viaText: string;
}
