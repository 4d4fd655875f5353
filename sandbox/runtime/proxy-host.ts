/**
 * Runs the learner's config: configtest exactly as `apachectl configtest` prints it, then the
 * emulator started the first time and gracefully restarted afterwards. A config that fails the
 * test or the startup checks is refused and the previous one keeps running.
 */
import { configtest } from '../engine/config/configtest.ts';
import { DEBIAN_ENVIRONMENT } from '../engine/config/default-modules.ts';
import type { HttpdConfig } from '../engine/config/model.ts';
import { HTTPD_BUILT, HTTPD_PLATFORM, HTTPD_VERSION } from '../engine/http/error-page.ts';
import type { ErrorLogEntry } from '../engine/logs/error-log.ts';
import { formatErrorLogLine } from '../engine/logs/error-log.ts';
import type { LogLevelName } from '../engine/logs/log-level.ts';
import type { TapEvent } from '../engine/tap-events.ts';
import type { LogSink } from '../server/proxy/log-sink.ts';
import type { BackendResolver } from '../server/proxy/proxy-runtime.ts';
import { startProxyServer } from '../server/proxy/proxy-server.ts';
import type { BoundListener, RunningProxy } from '../server/proxy/proxy-server.ts';
import type { ConfigResult } from './protocol.ts';
import { VIRTUAL_PORTS } from './protocol.ts';
import type { ListenerMap } from './virtual-network.ts';
import { presentBackendAddresses } from './virtual-network.ts';
import { createVirtualFileSystem, DEBIAN_TOP_LEVEL_CONFIG, LEARNER_CONFIG_FILE, TOP_LEVEL_CONFIG_FILE } from './virtual-files.ts';
import type { SandboxCertificates } from './virtual-files.ts';

/** What Debian's apache2ctl adds after a failed `apache2 -t`. */
const APACHECTL_FAILURE = "Action 'configtest' failed.\nThe Apache error log may have more information.\n";

/** mod_log_config's LOG_BUFSIZE: BufferedLogs On holds access-log lines until this many bytes. */
const ACCESS_BUFFER_BYTES = 4096;

/** The test certificate, made in the background at start. */
export interface CertificateSource {
  /** Resolves once the certificates exist (or their creation failed). */
  settled(): Promise<void>;
  current(): SandboxCertificates | null;
}

export interface ProxyHostOptions {
  listeners: ListenerMap;
  resolveBackend: BackendResolver;
  certificates: CertificateSource;
  /** Receives every tap event (error and access logs included), addresses already presented. */
  tap(event: TapEvent): void;
  pid: number;
}

/** Logs reach the page through the tap; the sink only has to exist. */
const TAP_ONLY_SINK: LogSink = { errorLine() {}, accessLine() {}, flush() {} };

export class ProxyHost {
  private proxy: RunningProxy | null = null;
  private signature = '';
  private readonly options: ProxyHostOptions;
  private bufferedLogs = false;
  private accessBuffer: TapEvent[] = [];
  private accessBufferBytes = 0;

  constructor(options: ProxyHostOptions) {
    this.options = options;
  }

  running(): boolean {
    return this.proxy !== null;
  }

  listeners(): BoundListener[] {
    return this.proxy?.listeners ?? [];
  }

  /** The virtual port a client reaches by default: 80 (443 for TLS) when listened on, else the first matching listener. */
  defaultPort(tls: boolean): number {
    const wanted = tls ? VIRTUAL_PORTS.https : VIRTUAL_PORTS.http;
    const matching = this.listeners().filter((listener) => listener.tls === tls);
    if (matching.some((listener) => listener.listen.port === wanted)) return wanted;
    return matching[0]?.listen.port ?? wanted;
  }

  /** Whether the listener on a virtual port speaks TLS (undefined: nothing listens there). */
  isTlsPort(virtualPort: number): boolean | undefined {
    return this.listeners().find((listener) => listener.listen.port === virtualPort)?.tls;
  }

  /** configtest, then start or gracefully restart. */
  async apply(text: string): Promise<ConfigResult> {
    if (/ssl|wslab/i.test(text)) await this.options.certificates.settled();
    const empty = { cert: '', key: '', caCert: '' };
    const fileSystem = createVirtualFileSystem(text, () => this.options.certificates.current() ?? empty);
    const result = configtest(DEBIAN_TOP_LEVEL_CONFIG, {
      file: TOP_LEVEL_CONFIG_FILE,
      env: { ...DEBIAN_ENVIRONMENT },
      fileSystem,
      pid: this.options.pid,
    });
    const base = {
      configtest: result.exitCode === 0 ? result.stderr : `${result.stderr}${APACHECTL_FAILURE}`,
      exitCode: result.exitCode,
      diagnostics: result.diagnostics.filter((diagnostic) => diagnostic.file === LEARNER_CONFIG_FILE || diagnostic.severity === 'error'),
    };
    if (result.exitCode !== 0 || result.config === null) return { ...base, applied: false, startupErrors: [] };

    const config = result.config;
    if (!result.startup.ok) {
      const startupErrors: string[] = [];
      for (const line of result.startup.lines) {
        if (line.stream === 'stderr') {
          startupErrors.push(line.text);
          continue;
        }
        const entry: ErrorLogEntry = { module: line.module, level: line.level as LogLevelName, message: line.text };
        const rendered = formatErrorLogLine(entry, Date.now() * 1000, { pid: this.options.pid, tid: this.options.pid });
        // httpd prints a module-less entry as "[:emerg]"; its startup lines read "[emerg]".
        const shown = line.module === '' ? rendered.replace('[:', '[') : rendered;
        startupErrors.push(shown);
        this.options.tap({ type: 'error-log', connection: 0, time: Date.now(), entry, line: shown });
      }
      return { ...base, applied: false, startupErrors };
    }

    const startError = await this.run(config, fileSystem.readCertificate);
    if (startError !== null) return { ...base, applied: false, startupErrors: startError };
    return { ...base, applied: true, startupErrors: [] };
  }

  /** Stop the proxy (cuts tunnels, flushes logs). */
  async close(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = null;
    if (proxy) {
      this.notice(proxy, 'AH00491', 'caught SIGTERM, shutting down', mpmModule(proxy.runtime().config));
      await proxy.close();
    }
    this.flushAccessBuffer();
    this.options.listeners.clear();
  }

  /** Start, reload or restart; returns startup error lines, or null when the config runs. */
  private async run(config: HttpdConfig, readFile: (path: string) => string): Promise<string[] | null> {
    const signature = listenerSignature(config);
    const previous = this.proxy;
    this.flushAccessBuffer();
    if (previous && signature === this.signature) {
      previous.reload(config);
      this.bufferedLogs = config.global.bufferedLogs?.value ?? false;
      this.notice(previous, 'AH00493', 'SIGUSR1 received.  Doing graceful restart', mpmModule(config));
      this.announceStart(previous, config);
      return null;
    }
    // New or changed listeners: start the new generation beside the old one (all ports are
    // fresh), and only then stop the old one, so a failure leaves the old one running.
    let started: RunningProxy;
    try {
      started = await startProxyServer({
        config,
        sink: TAP_ONLY_SINK,
        tap: (event) => this.forward(event),
        resolveBackend: this.options.resolveBackend,
        bindAddress: this.options.listeners.bindAddress,
        readFile,
        pid: this.options.pid,
      });
    } catch (error) {
      const message = (error as Error).message;
      return [message, 'no listening sockets available, shutting down', 'AH00015: Unable to open logs'];
    }
    this.proxy = started;
    this.signature = signature;
    this.bufferedLogs = config.global.bufferedLogs?.value ?? false;
    this.options.listeners.update(started.listeners);
    if (previous) {
      this.notice(started, 'AH00493', 'SIGUSR1 received.  Doing graceful restart', mpmModule(config));
      void previous.close().catch(() => undefined);
    }
    this.announceStart(started, config);
    return null;
  }

  private announceStart(proxy: RunningProxy, config: HttpdConfig): void {
    this.notice(proxy, 'AH00489', `Apache/${HTTPD_VERSION} (${HTTPD_PLATFORM}) configured -- resuming normal operations`, mpmModule(config));
    proxy.runtime().log({ module: mpmModule(config), level: 'info', code: 'AH00490', message: `Server built: ${HTTPD_BUILT}` }, null, 0);
    this.notice(proxy, 'AH00094', "Command line: '/usr/sbin/apache2'", 'core');
    // Every directive of the learner's file that is parsed but not acted on is said once.
    const seen = new Set<string>();
    for (const directive of config.notSimulated) {
      const key = directive.name.toLowerCase();
      if (directive.source.file !== LEARNER_CONFIG_FILE || seen.has(key)) continue;
      seen.add(key);
      proxy.runtime().log(
        { module: 'wslab', level: 'notice', message: `${directive.name} (line ${directive.source.line} of ${directive.source.file}) is accepted but not simulated by wslab` },
        null,
        0,
      );
    }
  }

  private notice(proxy: RunningProxy, code: string, message: string, module: string): void {
    proxy.runtime().log({ module, level: 'notice', code, message }, null, 0);
  }

  /** Present addresses as the article's, and hold access-log lines while BufferedLogs is On. */
  private forward(event: TapEvent): void {
    if (event.type === 'error-log') {
      const line = presentBackendAddresses(event.line);
      this.options.tap(line === event.line ? event : { ...event, line, entry: { ...event.entry, message: presentBackendAddresses(event.entry.message) } });
      return;
    }
    if (event.type === 'access-log' && this.bufferedLogs) {
      this.accessBuffer.push(event);
      this.accessBufferBytes += event.line.length + 1;
      if (this.accessBufferBytes >= ACCESS_BUFFER_BYTES) this.flushAccessBuffer();
      return;
    }
    this.options.tap(event);
  }

  private flushAccessBuffer(): void {
    const pending = this.accessBuffer;
    this.accessBuffer = [];
    this.accessBufferBytes = 0;
    for (const event of pending) this.options.tap(event);
  }
}

function mpmModule(config: HttpdConfig): string {
  return `mpm_${config.global.mpm.module ?? 'event'}`;
}

/** What the listening sockets depend on: a change needs new sockets, anything else a reload. */
function listenerSignature(config: HttpdConfig): string {
  const listens = [...new Set(config.listens.map((listen) => `${listen.address ?? '*'}:${listen.port}`))].sort();
  const tls = config.virtualHosts
    .filter((vhost) => vhost.server.sslEngine?.value === true)
    .map((vhost) => ({
      addresses: vhost.addresses.map((address) => `${address.host}:${address.port}`),
      names: [vhost.server.serverName?.value.host ?? '', ...vhost.server.serverAliases.map((alias) => alias.value)],
      cert: vhost.server.sslCertificateFiles.map((file) => file.value),
      key: vhost.server.sslCertificateKeyFiles.map((file) => file.value),
    }));
  return JSON.stringify({ listens, tls });
}
