/**
 * One sandbox: the emulator running the learner's config, the article's two backends, the test
 * clients and the check runner, driven by protocol requests and reporting through protocol
 * messages. Transport-free: sandbox-process.ts wires it to stdin/stdout; tests can drive it
 * in-process.
 *
 * Never throws at the page: a malformed or failing request gets `ok: false` with a reason, a
 * fault outside any request becomes a `notice`.
 */
import type { BackendName, Check } from '../engine/probe.ts';
import type { TapEvent } from '../engine/tap-events.ts';
import { Backends, BACKEND_NAMES } from './backends.ts';
import { runChecks } from './check-runner.ts';
import { resolveClientTarget } from './client-target.ts';
import type { ClientTarget } from './client-target.ts';
import { sendHttpRequest } from './http-request.ts';
import { PROTOCOL_VERSION } from './protocol.ts';
import type { ClientOpenOptions, SandboxMessage, SandboxRequest } from './protocol.ts';
import { ProxyHost } from './proxy-host.ts';
import type { CertificateSource } from './proxy-host.ts';
import { LIMITS, validateRequest } from './request-validation.ts';
import { createSandboxCertificates } from './test-certificates.ts';
import { TestClients } from './test-clients.ts';
import type { SandboxCertificates } from './virtual-files.ts';
import { createBackendResolver, ListenerMap } from './virtual-network.ts';

export interface SandboxOptions {
  runtime: 'local' | 'webcontainer';
  /** Where messages go (one call per message). Must not throw. */
  send(message: SandboxMessage): void;
  /** pid shown in error-log lines. */
  pid?: number;
  /** Frame tap events allowed per second before they are dropped (logs are never dropped). */
  frameEventsPerSecond?: number;
}

type Reply = Extract<SandboxMessage, { type: 'reply' }>;
type ReplyResult = Extract<Reply, { ok: true }>['result'];

export class Sandbox {
  private readonly options: SandboxOptions;
  private readonly listeners = new ListenerMap();
  private readonly backends: Backends;
  private readonly proxy: ProxyHost;
  private readonly clients: TestClients;
  private readonly certificates: CertificateSource;
  private readonly tapWatchers = new Set<(event: TapEvent) => void>();
  /** apply-config, backend and run-checks run one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private httpInFlight = 0;
  private frameBudget: number;
  private framesDropped = 0;
  private readonly budgetTimer: NodeJS.Timeout;

  private constructor(options: SandboxOptions) {
    this.options = options;
    const frameRate = options.frameEventsPerSecond ?? 1000;
    this.frameBudget = frameRate;
    this.budgetTimer = setInterval(() => {
      if (this.framesDropped > 0) {
        this.notice('warn', `${this.framesDropped} WebSocket frame events were not shown (more than ${frameRate} per second); traffic and logs are unaffected`);
        this.framesDropped = 0;
      }
      this.frameBudget = frameRate;
    }, 1000);
    this.budgetTimer.unref();
    this.certificates = certificateSource((message) => this.notice('error', message));
    this.backends = new Backends({
      onObservation: (observation) => this.send({ type: 'backend-observation', observation }),
      onStates: (states) => this.send({ type: 'backend-state', states }),
    });
    const pid = options.pid ?? process.pid;
    this.proxy = new ProxyHost({
      listeners: this.listeners,
      resolveBackend: createBackendResolver(() => this.backends.ports()),
      certificates: this.certificates,
      tap: (event) => this.tap(event),
      pid,
    });
    this.clients = new TestClients({
      connectTo: (clientOptions) => this.connectTo(clientOptions.path, clientOptions),
      tlsCa: () => this.certificates.current()?.caCert,
      emit: (client, event) => this.send({ type: 'client-event', client, event }),
    });
  }

  /** Start the backends (certificates are made in the background) and say `ready`. */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.backends.startAll(false);
    sandbox.send({ type: 'ready', version: PROTOCOL_VERSION, runtime: options.runtime });
    sandbox.send({ type: 'backend-state', states: sandbox.backends.states() });
    return sandbox;
  }

  /** Handle one protocol line from the page. Never throws. */
  handleLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.notice('warn', `ignored a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    const validated = validateRequest(value);
    if (!validated.ok) {
      if (validated.id === null) this.notice('warn', validated.error);
      else this.reply({ type: 'reply', id: validated.id, ok: false, error: validated.error });
      return;
    }
    void this.handle(validated.request);
  }

  /** Handle one validated request; the reply is sent, never thrown. */
  async handle(request: SandboxRequest): Promise<void> {
    const id = request.id;
    try {
      const outcome = await this.dispatch(request);
      if (outcome !== null && typeof outcome === 'object' && 'error' in outcome && typeof outcome.error === 'string') {
        this.reply({ type: 'reply', id, ok: false, error: outcome.error });
      } else {
        this.reply(outcome === undefined ? { type: 'reply', id, ok: true } : { type: 'reply', id, ok: true, result: outcome as ReplyResult });
      }
    } catch (error) {
      this.reply({ type: 'reply', id, ok: false, error: `internal error: ${(error as Error).message}` });
    }
  }

  /** Stop everything (stdin closed, session over). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.budgetTimer);
    this.clients.closeAll();
    await this.proxy.close().catch(() => undefined);
    await this.backends.closeAll().catch(() => undefined);
  }

  /** Report a fault that belongs to no request. */
  notice(level: 'info' | 'warn' | 'error', message: string): void {
    this.send({ type: 'notice', level, message });
  }

  private dispatch(request: SandboxRequest): Promise<ReplyResult | { error: string } | undefined> {
    switch (request.type) {
      case 'ping':
        return Promise.resolve(undefined);
      case 'apply-config':
        return this.serial(() => this.proxy.apply(request.text));
      case 'backend':
        return this.serial(async () => {
          if (request.action === 'stop') await this.backends.stop(request.backend);
          else await this.backends.start(request.backend);
          return this.backends.states();
        });
      case 'run-checks':
        return this.serial(() => this.runChecks(request.checks));
      // Opening waits for a config or backend change already asked for, so "Run, then connect"
      // sent back to back connects to the new config.
      case 'client-open':
        return this.afterPending(() => errorOrUndefined(this.clients.open(request.client, request.options)));
      case 'client-open-many':
        return this.afterPending(() => errorOrUndefined(this.clients.openMany(request.prefix, request.count, request.options)));
      case 'client-send':
        return Promise.resolve(errorOrUndefined(this.clients.send(request.client, { text: request.text, binaryHex: request.binaryHex })));
      case 'client-close':
        return Promise.resolve(errorOrUndefined(this.clients.close(request.client, request.code, request.reason)));
      case 'http-request':
        return this.afterPending(() => this.httpRequest(request));
    }
  }

  private async httpRequest(request: Extract<SandboxRequest, { type: 'http-request' }>) {
    if (this.httpInFlight >= LIMITS.httpRequests) return { error: `too many plain requests at once (${LIMITS.httpRequests} at most); wait for the answers` };
    this.httpInFlight += 1;
    try {
      return await this.sendHttp(request);
    } finally {
      this.httpInFlight -= 1;
    }
  }

  private async sendHttp(request: Extract<SandboxRequest, { type: 'http-request' }>) {
    const hostHeader = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'host')?.[1];
    const route = this.connectTo(request.path, { host: hostHeader, tls: request.tls });
    if ('error' in route) return route;
    return sendHttpRequest(route.target, route.port, request, this.certificates.current()?.caCert);
  }

  private runChecks(checks: Check[]) {
    return runChecks(checks, {
      realPort: (port) => this.listeners.realPort(port),
      defaultPort: (tls) => this.proxy.defaultPort(tls),
      tlsCa: () => this.certificates.current()?.caCert,
      running: () => this.proxy.running(),
      setStopped: (stopped) => this.backends.setStopped(stopped),
      stoppedNow: () => BACKEND_NAMES.filter((name: BackendName) => this.backends.states()[name] === 'stopped'),
      watch: (onObservation, onErrorCode) => {
        const stopObserving = this.backends.observe(onObservation);
        const watcher = (event: TapEvent) => {
          if (event.type !== 'error-log') return;
          const codes = event.entry.code ? [event.entry.code] : (event.line.match(/\bAH\d{5}\b/g) ?? []);
          for (const code of codes) onErrorCode(code);
        };
        this.tapWatchers.add(watcher);
        return () => {
          stopObserving();
          this.tapWatchers.delete(watcher);
        };
      },
    });
  }

  /** Where a test client or request goes, in real terms; or why it cannot go anywhere. */
  private connectTo(path: string, options: Pick<ClientOpenOptions, 'host' | 'tls'>): { target: ClientTarget; port: number } | { error: string } {
    const target = resolveClientTarget(path, options, { defaultPort: (tls) => this.proxy.defaultPort(tls), isTlsPort: (port) => this.proxy.isTlsPort(port) });
    if ('error' in target) return target;
    if (!this.proxy.running()) return { error: 'connection refused: Apache is not running in the sandbox yet (apply a config with Run first)' };
    const port = this.listeners.realPort(target.port);
    if (port === undefined) {
      const listening = this.listeners.virtualPorts().join(', ');
      return { error: `connection refused: nothing listens on port ${target.port} (the running config listens on ${listening || 'no port'})` };
    }
    return { target, port };
  }

  private async afterPending<T>(action: () => T | Promise<T>): Promise<T> {
    await this.queue;
    return action();
  }

  private serial<T>(action: () => Promise<T>): Promise<T> {
    const next = this.queue.then(action, action);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private tap(event: TapEvent): void {
    for (const watcher of this.tapWatchers) watcher(event);
    if (event.type === 'frame') {
      if (this.frameBudget <= 0) {
        this.framesDropped += 1;
        return;
      }
      this.frameBudget -= 1;
    }
    this.send({ type: 'tap', event });
  }

  private reply(message: Reply): void {
    this.send(message);
  }

  private send(message: SandboxMessage): void {
    if (this.closed && message.type !== 'reply') return;
    try {
      this.options.send(message);
    } catch {
      // The transport is gone; nothing left to tell.
    }
  }
}

function errorOrUndefined(error: string | null): { error: string } | undefined {
  return error === null ? undefined : { error };
}

/** Certificates made in the background at start; `settled` lets a TLS config wait for them. */
function certificateSource(onFailure: (message: string) => void): CertificateSource {
  let current: SandboxCertificates | null = null;
  const creation = createSandboxCertificates().then(
    (made) => {
      current = made;
    },
    (error: Error) => onFailure(`the sandbox could not create its test certificate (${error.message}); configs naming /etc/wslab/tls files will fail`),
  );
  return { settled: () => creation, current: () => current };
}
