/**
 * Everything one generation of the emulator shares across its connections: the parsed config,
 * the worker pool, balancer state, and where logs and tap events go. A graceful restart builds a
 * new runtime; connections already open keep the one they started with, as httpd's old
 * generation keeps serving its requests.
 */
import { readFileSync } from 'node:fs';
import type { BalancerMemberEntry, HttpdConfig, LogLevelName, ServerConfig } from '../../engine/config/model.ts';
import { checkMpmSettings } from '../../engine/config/mpm-check.ts';
import { requestReadingSettings, type RequestReadingSettings } from '../../engine/config/request-reading.ts';
import { serverBanner } from '../../engine/http/error-page.ts';
import type { ServerTokens } from '../../engine/http/error-page.ts';
import type { RequestHead } from '../../engine/http/request-head.ts';
import { DEBIAN_LOG_FORMATS, DEFAULT_LOG_FORMAT, formatAccessLogLine, pipelineCheckBytes, resolveLogFormat } from '../../engine/logs/access-log.ts';
import { formatErrorLogInfoLine, formatErrorLogLine, formatErrorLogWithFormat, generateLogId, parseErrorLogFormat } from '../../engine/logs/error-log.ts';
import type { ErrorLogEntry, ErrorLogFormatItem } from '../../engine/logs/error-log.ts';
import { isLogged, requestLogLevel } from '../../engine/logs/log-level.ts';
import { evaluateExpr, type ExprLookup } from '../../engine/routing/ap-expr.ts';
import type { LogLevelSetting } from '../../engine/logs/log-level.ts';
import { serverBalancers } from '../../engine/config/balancer-merge.ts';
import { createBalancerState } from '../../engine/routing/balancer-runtime.ts';
import type { BalancerMemberState, BalancerState } from '../../engine/routing/balancer-runtime.ts';
import type { RouteOptions } from '../../engine/routing/route-request.ts';
import type { ResponseContext, SslProxyChecks, WorkerSettings } from '../../engine/routing/types.ts';
import { tlsProtocolRange, type TlsVersionName } from '../../engine/routing/ssl-protocol-range.ts';
import { buildVhostTable, selectVirtualHost } from '../../engine/routing/vhost-select.ts';
import { initialWorkerHealth, workerKey, type WorkerHealth } from '../../engine/routing/worker-state.ts';
import type { VhostTable } from '../../engine/routing/vhost-select.ts';
import type { TapEvent, TapListener } from '../../engine/tap-events.ts';
import type { LogSink } from './log-sink.ts';
import type { Tunnel } from './tunnel.ts';
import { WorkerPool } from './worker-pool.ts';

/** Where a backend address really lives; the sandbox maps article ports and blocks the rest. */
export type BackendResolver = (host: string, port: number) => { host: string; port: number } | { blocked: string };

export interface ProxyRuntimeOptions {
  config: HttpdConfig;
  sink: LogSink;
  tap?: TapListener;
  resolveBackend?: BackendResolver;
  /** pid printed in error-log lines. */
  pid?: number;
  /** Reads files the config names (AuthUserFile is read on every request, as httpd does). */
  readFile?: (path: string) => string;
}

/** What the access log needs about one finished request (a WebSocket's when its tunnel closed). */
export interface FinishedRequest {
  head: RequestHead | null;
  /** null: no request line was read (r->the_request NULL). */
  requestLine: string | null;
  status: number;
  bodyBytes: number;
  responseHeaders: ReadonlyArray<readonly [string, string]>;
  bytesIn: number;
  bytesOut: number;
  startMicros: number;
  serverIndex: number | null;
  filename?: string;
  /**
   * For a head that failed to parse (head null): r->method and r->uri as far as
   * ap_parse_request_line got. Absent when the request line itself could not be read (414, 408).
   */
  parsedMethod?: string;
  parsedPath?: string;
  /** r->uri once routing decoded and normalised it (%U); absent before routing. */
  uri?: string;
  /** r->subprocess_env (SetEnvIf, SetEnv …): %{VAR}e and CustomLog env= read it; absent before routing. */
  env?: Readonly<Record<string, string>>;
  /** ap_expr's view of the request, for CustomLog expr=; absent for a head that failed. */
  expr?: ExprLookup;
  /** r->handler when it is not mod_proxy's "proxy-server" (which a "proxy:" filename implies). */
  handler?: string;
  aborted: boolean;
  /**
   * Whether the connection stays open for another request after this one (ap_set_keepalive said
   * yes): %X prints "+" and the connection's keep-alive count (%k) includes this response.
   */
  keepAlive?: boolean;
}

/** Logging settings of one server after merging with the main server. */
interface ServerLogging {
  errorLog: string | null;
  /** The ErrorLogFormat in effect (the vhost's, else the main server's); null: httpd's default layout. */
  errorLogFormat: ErrorLogFormatItem[] | null;
  level: LogLevelSetting;
  customLogs: Array<{ target: string; format: string; condition: string | null }>;
  /** ErrorLogFormat connection / request lines (the vhost's list if it wrote one, else the main server's). */
  connectionFormats: ErrorLogFormatItem[][];
  requestFormats: ErrorLogFormatItem[][];
}

/** What error-log lines of a client connection read of it (conn_rec) and of its current request (request_rec). */
interface ConnectionLogState {
  /** %A: "ip:port" of the local end. */
  local: string;
  /** %k: c->keepalives when the request started. */
  keepalives: number;
  /** c->base_server: the server connection-scoped lines (ap_log_cerror) go to. */
  baseServer?: number | null;
  /** c->log_id, made when the connection's first line is logged. */
  logId?: string;
  request?: {
    headers: ReadonlyArray<readonly [string, string]>;
    /** r->log once the location walk ran (null: the server's). */
    level?: LogLevelSetting;
    /** %V: ap_get_server_name of the request. */
    serverName?: string;
    env?: Readonly<Record<string, string>>;
    logId?: string;
  };
}

const DEFAULT_KEEPALIVE_TIMEOUT_SECONDS = 5;
const DEFAULT_MAX_KEEPALIVE_REQUESTS = 100;
const DEFAULT_TIMEOUT_SECONDS = 60;
/** mod_reqtimeout's default: 20 s for the request head (extended to 40 s at MinRate 500). */
const REQTIMEOUT_HEADER_SECONDS = 20;
/** event/worker MinSpareThreads default (DEFAULT_MIN_FREE_DAEMON * DEFAULT_THREADS_PER_CHILD). */
const DEFAULT_MIN_SPARE_THREADS = 75;

export class ProxyRuntime {
  readonly config: HttpdConfig;
  readonly pool: WorkerPool;
  readonly timeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly requestHeaderTimeoutMs: number;
  readonly receiveBufferSize: number;
  private readonly sink: LogSink;
  private readonly listeners = new Set<TapListener>();
  private readonly resolver: BackendResolver;
  private readonly pid: number;
  private readonly vhostTable: VhostTable;
  /** What routeRequest needs from the machine. */
  readonly routeOptions: RouteOptions;
  private readonly logging = new Map<number | null, ServerLogging>();
  private readonly balancers = new Map<string, BalancerState>();
  /** Member state by the members array of the definition the copies came from. */
  private readonly balancerMembers = new Map<readonly BalancerMemberEntry[], BalancerMemberState[]>();
  private readonly workerHealths = new Map<string, WorkerHealth>();
  /** Workers (per server: each keeps its own copy) that already looked their backend address up. */
  private readonly lookedUpAddresses = new Set<string>();
  private readonly tunnels = new Set<Tunnel>();
  private connectionCounter = 0;
  /** When this generation started and how many requests it finished (mod_status reports both). */
  readonly startedAtMs = Date.now();
  requestsServed = 0;
  private startupTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keepAliveOn: boolean;
  private readonly maxKeepAliveRequests: number;

  /** Build a generation for a parsed, startup-checked config. */
  constructor(options: ProxyRuntimeOptions) {
    this.config = options.config;
    this.sink = options.sink;
    this.resolver = options.resolveBackend ?? ((host, port) => ({ host, port }));
    this.pid = options.pid ?? 1;
    if (options.tap) this.listeners.add(options.tap);
    const server = options.config.main.server;
    this.timeoutMs = (server.timeout?.value ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    this.keepAliveOn = server.keepAlive?.value ?? true;
    this.keepAliveTimeoutMs = (server.keepAliveTimeout?.value ?? DEFAULT_KEEPALIVE_TIMEOUT_SECONDS) * 1000;
    this.maxKeepAliveRequests = server.maxKeepAliveRequests?.value ?? DEFAULT_MAX_KEEPALIVE_REQUESTS;
    const reqtimeout = options.config.modules.some((module) => module.id === 'reqtimeout_module');
    this.requestHeaderTimeoutMs = reqtimeout ? REQTIMEOUT_HEADER_SECONDS * 1000 : this.timeoutMs;
    this.receiveBufferSize = server.proxyReceiveBufferSize?.value ?? 0;
    const limits = checkMpmSettings(options.config.global.mpm);
    const mpm = options.config.global.mpm.module ?? 'event';
    this.pool = new WorkerPool(limits.maxRequestWorkers, {
      // Each MPM reports the cap with its own code: prefork AH00161, the threaded ones AH00484.
      onFirstSaturation: () =>
        this.log({ module: `mpm_${mpm}`, level: 'error', code: mpm === 'prefork' ? 'AH00161' : 'AH00484', message: 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting' }, null, 0),
    });
    // The threaded MPMs' maintenance pass (once a second) warns when even an idle server cannot
    // keep MinSpareThreads spare: measured one second after startup with MaxRequestWorkers 25.
    const minSpareThreads = options.config.global.mpm.minSpareThreads?.value ?? DEFAULT_MIN_SPARE_THREADS;
    if (mpm !== 'prefork' && limits.maxRequestWorkers < minSpareThreads) {
      this.startupTimer = setTimeout(
        () => this.log({ module: `mpm_${mpm}`, level: 'error', code: 'AH10159', message: 'server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting' }, null, 0),
        1000,
      );
      this.startupTimer.unref?.();
    }
    this.vhostTable = buildVhostTable(options.config);
    const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    this.routeOptions = {
      readFile: (path) => {
        try {
          return readFile(path);
        } catch {
          return null;
        }
      },
    };
  }

  /** Subscribe to tap events; returns an unsubscribe function. */
  onTap(listener: TapListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anyone listens to tap events (a tunnel that starts unobserved skips frame parsing). */
  hasTapListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Deliver one event to every listener; a throwing listener does not disturb the proxy. */
  tap(event: TapEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken observer must never break the traffic it observes.
      }
    }
  }

  nextConnectionId(): number {
    this.connectionCounter += 1;
    return this.connectionCounter;
  }

  nowMicros(): number {
    return Math.round((performance.timeOrigin + performance.now()) * 1000);
  }

  resolveBackend(host: string, port: number): ReturnType<BackendResolver> {
    return this.resolver(host, port);
  }

  /** conn_rec and request_rec as the error log reads them, by connection number. */
  private readonly connectionLogs = new Map<number, ConnectionLogState>();

  /** A client connection starts a request (or waits for one): its local end and keep-alive count. */
  setConnectionInfo(connection: number, info: { local: string; keepalives: number; baseServer?: number | null }): void {
    const state = this.connectionLogs.get(connection);
    if (state) Object.assign(state, info);
    else this.connectionLogs.set(connection, { ...info });
  }

  /** The connection is gone: forget what its lines read. */
  connectionClosed(connection: number): void {
    this.connectionLogs.delete(connection);
  }

  /** The request a connection now serves (null: none); its error-log lines with a client read these headers. */
  setRequestHeaders(connection: number, headers: ReadonlyArray<readonly [string, string]> | null): void {
    let state = this.connectionLogs.get(connection);
    if (!state) {
      if (headers === null) return;
      state = { local: '', keepalives: 0 };
      this.connectionLogs.set(connection, state);
    }
    state.request = headers === null ? undefined : { headers };
  }

  /**
   * The location walk ran: the request's lines use the sections' LogLevel (r->log), and %V, %{VAR}e
   * read its server name and environment.
   */
  setRequestRouting(connection: number, serverIndex: number | null, routing: Pick<ResponseContext, 'logLevel' | 'serverName' | 'env'>): void {
    const request = this.connectionLogs.get(connection)?.request;
    if (!request) return;
    request.level = routing.logLevel ? requestLogLevel(this.loggingFor(serverIndex).level, routing.logLevel) : undefined;
    request.serverName = routing.serverName;
    request.env = routing.env;
  }

  /** Whether `log` would write this entry for a server (null: main); `connection` gives the request's per-directory LogLevel. */
  wouldLog(entry: ErrorLogEntry, serverIndex: number | null, connection?: number): boolean {
    // httpd writes notice-level messages (startup, shutdown, AH00484's neighbours) whatever LogLevel says.
    if (entry.level === 'notice') return true;
    // ap_log_cerror: the connection's base server's level, never the request's r->log.
    if (entry.connectionScoped) return isLogged(this.loggingFor(serverIndex).level, entry.module, entry.level);
    // ap_get_request_module_loglevel: a request's own lines use r->log, set by the location walk.
    const request = connection !== undefined && entry.client !== undefined ? this.connectionLogs.get(connection)?.request : undefined;
    return isLogged(request?.level ?? this.loggingFor(serverIndex).level, entry.module, entry.level);
  }

  /** Write an error-log entry for a server (null: main) if its LogLevel lets it through. */
  log(entry: ErrorLogEntry, requestServer: number | null, connection: number): void {
    const base = entry.connectionScoped ? this.connectionLogs.get(connection)?.baseServer : undefined;
    const serverIndex = base !== undefined ? base : requestServer;
    if (!this.wouldLog(entry, serverIndex, connection)) return;
    const logging = this.loggingFor(serverIndex);
    const process = { pid: this.pid, tid: this.pid + connection };
    const now = this.nowMicros();
    const state = entry.client !== undefined ? this.connectionLogs.get(connection) : undefined;
    const request = state?.request;
    const context = {
      process,
      epochMicros: now,
      serverName: this.serverName(serverIndex),
      requestServerName: request?.serverName,
      localAddress: state?.local || undefined,
      keepalives: state?.keepalives,
      requestHeaders: request?.headers,
      env: request?.env,
    };
    // log_error_core: the first line of a connection, then of a request, makes its log id and is
    // preceded by the once-per-connection and once-per-request lines.
    const infoLines: string[] = [];
    if (state && state.logId === undefined) {
      state.logId = generateLogId(now, this.pid, process.tid);
      for (const items of logging.connectionFormats) {
        const line = formatErrorLogInfoLine(items, 'connection', entry.client ?? '', { ...context, connectionLogId: state.logId, requestHeaders: undefined, env: undefined, requestServerName: undefined });
        if (line !== null) infoLines.push(line);
      }
    }
    if (request && request.logId === undefined) {
      request.logId = generateLogId(now, this.pid, process.tid);
      for (const items of logging.requestFormats) {
        const line = formatErrorLogInfoLine(items, 'request', entry.client ?? '', { ...context, connectionLogId: state?.logId, requestLogId: request.logId });
        if (line !== null) infoLines.push(line);
      }
    }
    const line = logging.errorLogFormat
      ? formatErrorLogWithFormat(logging.errorLogFormat, entry, { ...context, connectionLogId: state?.logId, requestLogId: request?.logId })
      : formatErrorLogLine(entry, now, process, request?.headers);
    for (const info of infoLines) this.sink.errorLine(logging.errorLog, info);
    // A "+" field that came out empty drops the whole line.
    if (line === null) return;
    this.sink.errorLine(logging.errorLog, line);
    this.tap({ type: 'error-log', connection, time: Date.now(), entry, line });
  }

  /** Write the access-log lines of a finished request (a WebSocket's when its tunnel closed). */
  accessLog(
    record: FinishedRequest,
    connection: {
      endpoints: { remoteAddress: string; remotePort: number; localAddress: string; localPort: number };
      /** Earlier responses on this connection that kept it open. */
      keepalives: number;
      connection: number;
      secure?: boolean;
      /** The connection's unread input, for the pipelined next request's bytes mod_logio counts here. */
      reader?: { pending(): Uint8Array };
    },
  ): void {
    this.requestsServed += 1;
    const logging = this.loggingFor(record.serverIndex);
    if (logging.customLogs.length === 0) return;
    const head = record.head;
    const [, query] = splitQuery(head?.target ?? '');
    const durationMicros = Math.max(0, this.nowMicros() - record.startMicros);
    // ap_check_pipeline runs only on a connection kept open, before the request is logged.
    const bytesIn = record.bytesIn + (record.keepAlive && connection.reader ? pipelineCheckBytes(connection.reader.pending()) : 0);
    for (const customLog of logging.customLogs) {
      if (!this.logConditionHolds(customLog.condition, record, record.serverIndex, connection)) continue;
      const line = formatAccessLogLine(customLog.format, {
        ...connection.endpoints,
        requestLine: record.requestLine,
        method: head?.method ?? record.parsedMethod ?? '-',
        path: record.uri ?? head?.path ?? record.parsedPath ?? '-',
        query: head?.query ?? query,
        protocol: head?.version ?? protocolOfFailedRequestLine(record.requestLine),
        originalStatus: record.status,
        finalStatus: record.status,
        bodyBytes: record.bodyBytes,
        bytesIn,
        bytesOut: record.bytesOut,
        requestHeaders: head?.headers ?? [],
        responseHeaders: record.responseHeaders,
        startMicros: record.startMicros,
        durationMicros,
        serverName: this.serverName(record.serverIndex),
        canonicalName: head?.hostname ?? this.serverName(record.serverIndex),
        // c->keepalives counts responses that kept the connection open, this one included;
        // log_requests_on_connection prints one less.
        keepAliveCount: Math.max(0, connection.keepalives + (record.keepAlive ? 1 : 0) - 1),
        connectionStatus: record.aborted ? 'X' : record.keepAlive ? '+' : '-',
        serverPort: this.serverPort(record.serverIndex) || (connection.secure ? 443 : 80),
        handler: record.handler ?? (record.filename?.startsWith('proxy:') ? 'proxy-server' : undefined),
        pid: this.pid,
        filename: record.filename,
        env: record.env,
      });
      this.sink.accessLine(customLog.target, line);
      this.tap({ type: 'access-log', connection: connection.connection, time: Date.now(), line });
    }
  }

  /**
   * mod_log_config's config_log_transaction: "env=VAR" needs VAR in r->subprocess_env, "env=!VAR"
   * its absence; "expr=…" must evaluate true (an evaluation error logs AH00644 and skips the line).
   */
  private logConditionHolds(
    condition: string | null,
    record: FinishedRequest,
    serverIndex: number | null,
    connection: { endpoints: { remoteAddress: string }; connection: number },
  ): boolean {
    if (condition === null) return true;
    const env = record.env ?? {};
    if (/^env=/i.test(condition)) {
      const name = condition.slice(4);
      return name.startsWith('!') ? !Object.hasOwn(env, name.slice(1)) : Object.hasOwn(env, name);
    }
    if (!/^expr=/i.test(condition)) return true;
    // A head that failed has no routing view: variables read empty, as most of r is then.
    const lookup: ExprLookup = record.expr ?? { clientIp: connection.endpoints.remoteAddress, variable: () => '', call: (func, arg) => (func === 'env' || func === 'reqenv' ? (env[arg] ?? '') : func === 'toupper' ? arg.toUpperCase() : func === 'tolower' ? arg.toLowerCase() : func === 'http' || func === 'req' || func === 'req_novary' ? headerValue(record.head?.headers ?? [], arg) : null) };
    const result = evaluateExpr(condition.slice(5), lookup);
    if (!result.ok) {
      this.log({ module: 'log_config', level: 'warn', code: 'AH00644', message: `Error evaluating log condition: ${result.error}` }, serverIndex, connection.connection);
      return false;
    }
    return result.value;
  }

  /** The server that answers a connection before any Host is known (for 400s). */
  defaultServerFor(localAddress: string, localPort: number): { index: number | null; serverName: string } {
    const choice = selectVirtualHost(this.config, this.vhostTable, localAddress, localPort, null);
    return { index: choice.index, serverName: choice.selected.serverName };
  }

  private readonly readingSettings = new Map<number | null, RequestReadingSettings>();

  /** What a request head arriving on this address is read with: its default server's limits and HttpProtocolOptions. */
  requestReadingFor(localAddress: string, localPort: number): RequestReadingSettings {
    const { index } = this.defaultServerFor(localAddress, localPort);
    let settings = this.readingSettings.get(index);
    if (!settings) {
      settings = requestReadingSettings(this.config, index);
      this.readingSettings.set(index, settings);
    }
    return settings;
  }

  /**
   * r->filename core's translate_name gives a request no module claimed: DocumentRoot (the
   * server's, else the main server's, else Debian's compiled-in /var/www/html) plus the path.
   */
  documentRootFilename(serverIndex: number | null, path: string): string {
    const own = serverIndex === null ? null : this.config.virtualHosts[serverIndex]?.server.documentRoot;
    const root = (own ?? this.config.main.server.documentRoot)?.value ?? '/var/www/html';
    return `${root.replace(/\/+$/, '')}${path}`;
  }

  /**
   * server_rec->port: a vhost's ServerName port, else its first <VirtualHost> address's port,
   * else the main server's ServerName port; 0 when none is written (callers use the scheme's default).
   */
  serverPort(serverIndex: number | null): number {
    const main = this.config.main.server.serverName?.value.port ?? 0;
    if (serverIndex === null) return main;
    const vhost = this.config.virtualHosts[serverIndex];
    const addressPort = vhost?.addresses[0]?.port;
    return vhost?.server.serverName?.value.port || (typeof addressPort === 'number' && addressPort > 0 ? addressPort : main);
  }

  serverName(serverIndex: number | null): string {
    return serverIndex === null ? this.vhostTable.mainName : (this.vhostTable.names[serverIndex] ?? this.vhostTable.mainName);
  }

  serverBanner(): string {
    return serverBanner(this.serverTokens());
  }

  /** ServerTokens for error pages; ServerSignature is not modelled, so pages carry none (httpd's default Off). */
  signatureOptions(_serverIndex: number | null): { serverTokens: ServerTokens } {
    return { serverTokens: this.serverTokens() };
  }

  private serverTokens(): ServerTokens {
    const written = this.config.global.serverTokens?.value.toLowerCase();
    const known: Record<string, ServerTokens> = {
      major: 'Major', minor: 'Minor', min: 'Minimal', minimal: 'Minimal', os: 'OS', full: 'Full', prod: 'Prod', productonly: 'Prod',
    };
    return (written && known[written]) || 'Full';
  }

  /**
   * Whether the client connection may stay open after this response: ap_set_keepalive's
   * `left = MaxKeepAliveRequests - keep-alives granted so far` must be above 0 (0 means unlimited),
   * KeepAlive must be on, and the client must not have asked to close (HTTP/1.0 must ask to keep).
   */
  keepAliveAllowed(head: Pick<RequestHead, 'closeAfterResponse' | 'headers' | 'versionNumber'>, keepalives: number, _serverIndex: number | null): boolean {
    if (!this.keepAliveOn || head.closeAfterResponse) return false;
    const left = this.remainingKeepAlives(keepalives);
    if (left !== null && left <= 0) return false;
    const connection = head.headers.filter(([name]) => name.toLowerCase() === 'connection').map(([, value]) => value.toLowerCase()).join(',');
    if (/\bclose\b/.test(connection)) return false;
    if (head.versionNumber < 1001) return /\bkeep-alive\b/.test(connection);
    return true;
  }

  /** The max= httpd announces for this response, or null when MaxKeepAliveRequests is 0 (unlimited). */
  remainingKeepAlives(keepalives: number): number | null {
    return this.maxKeepAliveRequests === 0 ? null : this.maxKeepAliveRequests - keepalives;
  }

  /**
   * The runtime state of a balancer as one server sees it, created on first use. Each server has
   * its own copy (its own settings after merge_balancers), but copies that inherited the same
   * members share the members' state (lbmethod counters, error state), as httpd's copies share
   * their proxy_worker objects.
   */
  balancerState(name: string, serverIndex: number | null): BalancerState | null {
    const key = `${serverIndex ?? 'main'} ${name.toLowerCase()}`;
    const existing = this.balancers.get(key);
    if (existing) return existing;
    const vhost = serverIndex === null ? null : (this.config.virtualHosts[serverIndex] ?? null);
    const definition = serverBalancers(this.config.main, vhost).find((balancer) => balancer.name.toLowerCase() === name.toLowerCase());
    if (!definition) return null;
    // mod_lbmethod_heartbeat's default HeartbeatStorage, under DefaultRuntimeDir.
    const runtimeDir = this.config.global.defaultRuntimeDir?.value ?? 'logs';
    const state = createBalancerState(definition, [], `${runtimeDir.replace(/\/+$/, '')}/hb.dat`, this.balancerMembers.get(definition.members) ?? null);
    this.balancerMembers.set(definition.members, state.members);
    this.balancers.set(key, state);
    return state;
  }

  /** The error state of a worker outside a balancer, shared by every route that uses the worker. */
  /**
   * True the first time a server's worker needs its backend address: httpd resolves it then
   * (AH10479) and keeps it in worker->address for the child's life.
   */
  firstAddressLookup(serverIndex: number | null, workerName: string): boolean {
    const key = `${serverIndex ?? 'main'} ${workerName}`;
    if (this.lookedUpAddresses.has(key)) return false;
    this.lookedUpAddresses.add(key);
    return true;
  }

  workerHealth(worker: WorkerSettings): WorkerHealth {
    const key = workerKey(worker);
    let health = this.workerHealths.get(key);
    if (!health) {
      health = initialWorkerHealth(worker);
      this.workerHealths.set(key, health);
    }
    return health;
  }

  /**
   * What the backend TLS handshake checks, from the request's SSLProxyVerify, peer checks and CA
   * file (the routing decision's, which already merged the server's and any <Proxy> section's).
   */
  sslProxySettings(checks: SslProxyChecks): {
    verify: boolean;
    peerCheck: 'name' | 'cn' | 'none';
    checkPeerExpire: boolean;
    ca?: string[];
    versions?: { min: TlsVersionName; max: TlsVersionName } | null;
  } {
    const { checkPeerName, checkPeerCN } = checks;
    // ssl_io_filter_handshake: the name check runs unless SSLProxyCheckPeerName is off, or it was
    // left unset while SSLProxyCheckPeerCN is off; an explicit CN on then compares the CN alone.
    const peerCheck = checkPeerName !== false && (checkPeerCN !== false || checkPeerName === true) ? 'name' : checkPeerCN === true ? 'cn' : 'none';
    const caFile = checks.caCertificateFile;
    const caText = caFile === null ? null : this.routeOptions.readFile?.(caFile) ?? null;
    // SSLProxyProtocol: the versions offered; a set with none left makes every handshake fail.
    const versions = checks.protocol === null ? {} : { versions: tlsProtocolRange(checks.protocol) };
    return { verify: checks.verify === 'require', peerCheck, checkPeerExpire: checks.checkPeerExpire ?? true, ...(caText !== null ? { ca: [caText] } : {}), ...versions };
  }

  trackTunnel(tunnel: Tunnel): void {
    this.tunnels.add(tunnel);
  }

  untrackTunnel(tunnel: Tunnel): void {
    this.tunnels.delete(tunnel);
  }

  /** Cut every open tunnel (stop, or the sandbox resetting). */
  closeTunnels(): void {
    clearTimeout(this.startupTimer);
    for (const tunnel of [...this.tunnels]) tunnel.shutdown();
  }

  flushLogs(): void {
    this.sink.flush();
  }

  private loggingFor(serverIndex: number | null): ServerLogging {
    const cached = this.logging.get(serverIndex);
    if (cached) return cached;
    const logging = computeLogging(this.config, serverIndex);
    this.logging.set(serverIndex, logging);
    return logging;
  }
}

/** Merge ErrorLog, LogLevel, LogFormat and CustomLog of a vhost with the main server's, as httpd does. */
function computeLogging(config: HttpdConfig, serverIndex: number | null): ServerLogging {
  const main = config.main.server;
  const own = serverIndex === null ? main : config.virtualHosts[serverIndex].server;
  const errorLog = own.errorLog?.value ?? main.errorLog?.value ?? null;

  const level: LogLevelSetting = { level: (main.logLevel.level?.value ?? 'warn') as LogLevelName, perModule: {} };
  for (const entry of main.logLevel.modules) level.perModule[entry.module] = entry.level;
  if (own !== main) {
    if (own.logLevel.level) {
      level.level = own.logLevel.level.value;
      // A vhost's bare LogLevel replaces the per-module levels it inherited.
      level.perModule = {};
    }
    for (const entry of own.logLevel.modules) level.perModule[entry.module] = entry.level;
  }

  // Debian's apache2.conf defines the usual nicknames; a config that loads its own modules is standalone.
  const nicknames: Record<string, string> = config.defaultModules ? { ...DEBIAN_LOG_FORMATS } : {};
  let defaultFormat = DEFAULT_LOG_FORMAT;
  for (const server of own === main ? [main] : [main, own]) {
    for (const entry of server.logFormats) {
      if (entry.nickname === null) defaultFormat = entry.format;
      else nicknames[entry.nickname] = entry.format;
    }
  }
  const written = own.customLogs.length > 0 ? own.customLogs : main.customLogs;
  const globalLogs = own === main ? [] : main.customLogs.filter((entry) => entry.directive === 'GlobalLog');
  const customLogs = [...written, ...globalLogs.filter((entry) => !written.includes(entry))].map((entry) => ({
    target: entry.target,
    format: entry.format === null ? defaultFormat : resolveLogFormat(entry.format, nicknames),
    condition: entry.condition,
  }));
  const formatText = (own.errorLogFormat ?? main.errorLogFormat)?.value;
  const parsedFormat = formatText === undefined ? null : parseErrorLogFormat(formatText, true);
  const errorLogFormat = parsedFormat?.ok ? parsedFormat.items : null;
  const infoFormats = (lines: string[] | undefined) =>
    (lines ?? []).flatMap((text) => {
      const parsed = parseErrorLogFormat(text, false);
      return parsed.ok ? [parsed.items] : [];
    });
  const connectionFormats = infoFormats(own.errorLogConnectionFormats ?? main.errorLogConnectionFormats);
  const requestFormats = infoFormats(own.errorLogRequestFormats ?? main.errorLogRequestFormats);
  return { errorLog, errorLogFormat, level, customLogs, connectionFormats, requestFormats };
}

/**
 * r->protocol of a request whose head failed: the request line's protocol when it named one,
 * else "HTTP/1.0", which read_request_line sets when it gives up and HTTP/0.9 is never logged.
 */
function protocolOfFailedRequestLine(theRequest: string | null): string {
  const protocol = theRequest?.split(' ')[2];
  return protocol !== undefined && /^HTTP\/\d\.\d$/.test(protocol) ? protocol : 'HTTP/1.0';
}

/** A request header's values, comma-joined as apr_table_get sees merged repeats; '' when absent. */
function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string {
  return headers.filter(([field]) => field.toLowerCase() === name.toLowerCase()).map(([, value]) => value).join(', ');
}

function splitQuery(target: string): [string, string] {
  const index = target.indexOf('?');
  return index === -1 ? [target, ''] : [target.slice(0, index), target.slice(index + 1)];
}
