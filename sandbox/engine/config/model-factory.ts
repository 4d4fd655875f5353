/**
 * Empty model pieces: what a server, section or config looks like before any directive sets it.
 */
import type {
  AuthzConfig,
  DirectoryScope,
  GlobalSettings,
  HttpdConfig,
  LogLevelConfig,
  RewriteConfig,
  ServerConfig,
  ServerScope,
  SslProxyConfig,
} from './model.ts';

/** A Require tree with nothing in it. */
export function emptyAuthz(): AuthzConfig {
  return { root: { kind: 'any', children: [], source: null }, merging: null };
}

/** LogLevel not written. */
export function emptyLogLevel(): LogLevelConfig {
  return { level: null, modules: [] };
}

/** mod_rewrite settings not written. */
export function emptyRewrite(): RewriteConfig {
  return { engine: null, options: [], rules: [], maps: {}, base: null };
}

/** SSLProxy* not written. */
export function emptySslProxy(): SslProxyConfig {
  return { engine: null, verify: null, checkPeerName: null, checkPeerCN: null, checkPeerExpire: null, caCertificateFile: null };
}

/** Per-directory settings not written. */
export function emptyDirectoryScope(): DirectoryScope {
  return {
    proxyPass: null,
    proxyPassReverse: [],
    preserveHost: null,
    addHeaders: null,
    websocketFallbackToProxyHttp: null,
    forward100Continue: null,
    handler: null,
    redirects: [],
    headerOps: [],
    authz: emptyAuthz(),
    logLevel: emptyLogLevel(),
    rewrite: emptyRewrite(),
    sslProxy: emptySslProxy(),
  };
}

/** Per-server settings not written. */
export function emptyServerScope(): ServerScope {
  return {
    serverName: null,
    serverAliases: [],
    serverAdmin: null,
    traceEnable: null,
    proxyVia: null,
    allowEncodedSlashes: null,
    mergeSlashes: null,
    documentRoot: null,
    proxyRequests: null,
    proxyTimeout: null,
    proxyReceiveBufferSize: null,
    proxyPassInherit: null,
    balancerInherit: null,
    proxyPass: [],
    balancers: [],
    workers: [],
    timeout: null,
    keepAlive: null,
    maxKeepAliveRequests: null,
    keepAliveTimeout: null,
    sslEngine: null,
    sslCertificateFiles: [],
    sslCertificateKeyFiles: [],
    sslProtocol: null,
    sslCipherSuite: null,
    sslVerifyClient: null,
    sslVerifyDepth: null,
    sslCaCertificateFile: null,
    sslCaCertificatePath: null,
    sslStrictSniVhostCheck: null,
    sslProxy: emptySslProxy(),
    errorLog: null,
    errorLogFormat: null,
    customLogs: [],
    logFormats: [],
    logLevel: emptyLogLevel(),
    redirects: [],
    rewrite: emptyRewrite(),
    protocols: null,
  };
}

/** A server with nothing configured. */
export function emptyServerConfig(): ServerConfig {
  return { server: emptyServerScope(), directory: emptyDirectoryScope(), sections: [] };
}

/** Process-wide settings not written. */
export function emptyGlobalSettings(): GlobalSettings {
  return {
    serverRoot: null,
    pidFile: null,
    defaultRuntimeDir: null,
    user: null,
    group: null,
    mutex: [],
    bufferedLogs: null,
    sslSessionCache: null,
    sslVhostSniPolicy: null,
    sslSessionCacheTimeout: null,
    serverTokens: null,
    mpm: {
      module: null,
      startServers: null,
      minSpareThreads: null,
      maxSpareThreads: null,
      minSpareServers: null,
      maxSpareServers: null,
      threadLimit: null,
      threadsPerChild: null,
      maxRequestWorkers: null,
      maxConnectionsPerChild: null,
      serverLimit: null,
      asyncRequestWorkerFactor: null,
    },
  };
}

/** A config with nothing in it yet. */
export function emptyConfig(file: string): HttpdConfig {
  return {
    file,
    modules: [],
    defaultModules: false,
    listens: [],
    main: emptyServerConfig(),
    virtualHosts: [],
    global: emptyGlobalSettings(),
    notSimulated: [],
    defines: {},
    includedFiles: [],
  };
}
