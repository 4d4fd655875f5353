/**
 * Runs inside the test's private network namespace (`ip netns exec NAME node netns-runner.ts
 * SPEC.json`), where the article's ports 80, 443, 8080 and 3000 are free: for each run in the spec
 * it starts fresh backends (echo on 8080, app on 3000), starts the proxy (real httpd or `wslab
 * proxy`) on the run's config, sends every check through sandbox/server/probe-runner.ts, stops
 * everything and moves on. The result is one JSON object on stdout; everything else goes to
 * stderr.
 *
 * Every process it spawns gets its own process group and is killed with it, whatever fails; the
 * test outside also kills whatever is left in the namespace and deletes the namespace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName, BackendObservation, Check, Probe } from '../../../sandbox/engine/probe.ts';
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/server-lifecycle.ts';
import { runCheck } from '../../../sandbox/server/probe-runner.ts';
import type { CheckResult, ProbeTarget } from '../../../sandbox/server/probe-runner.ts';
import { ErrorLogTail, probeCodesIn } from '../../differential/harness/error-log-tail.ts';
import { killAllGroups } from '../../differential/harness/process-groups.ts';
import { startProxy } from '../../differential/harness/proxy-process.ts';
import type { ProxyCommand, RunningProxy } from '../../differential/harness/proxy-process.ts';

export type Side = 'httpd' | 'wslab';

/** One server start: a side on a config file. */
export interface RunSpec {
  label: string;
  side: Side;
  /** The config as written by the learner, with the preamble and real certificate paths. */
  configFile: string;
  /** Where the preamble's ErrorLog points. */
  errorLogFile: string;
  /** The config's Listen ports; the server counts as started once each answers. */
  listenPorts: number[];
}

export interface RunnerSpec {
  checks: Check[];
  runs: RunSpec[];
  /** PEM of the CA that signed the proxy's certificate (for tls probes). */
  caCertFile: string;
  apacheBinary: string;
}

export interface RunResult {
  label: string;
  side: Side;
  started: boolean;
  /** Exit code when the server refused to start (null if it was killed). */
  exitCode: number | null;
  /** The server's stdout and stderr. */
  output: string;
  errorLog: string;
  checks: CheckResult[];
  elapsedMs: number;
}

export interface RunnerResult {
  runs: RunResult[];
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WSLAB_BIN = join(REPO_ROOT, 'sandbox', 'cli', 'bin.mjs');

/** The article's backend ports. */
export const BACKEND_PORTS: Record<BackendName, number> = { echo: 8080, app: 3000 };
/** The article's listeners: a probe goes to 80, or to 443 when it says tls. */
const PROXY_PORT = 80;
const PROXY_TLS_PORT = 443;

const READY_TIMEOUT_MS = 10_000;
/**
 * httpd binds its listeners before the post-config checks that can still make it exit (a balancer
 * without an lbmethod module): a server counts as started only if it is still alive this long
 * after its ports answer.
 */
const STARTED_SETTLE_MS = 300;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killAllGroups();
    process.exit(1);
  });
}

/** Echo on 8080 and app on 3000, with one chronological record of what they saw. */
class Backends {
  private readonly running = new Map<BackendName, RunningBackend>();
  private seen: BackendObservation[] = [];

  static async start(): Promise<Backends> {
    const backends = new Backends();
    await backends.setStopped([]);
    return backends;
  }

  /** Stop exactly these and make sure the others run (on the article's ports). */
  async setStopped(stopped: readonly BackendName[]): Promise<void> {
    for (const name of Object.keys(BACKEND_PORTS) as BackendName[]) {
      const current = this.running.get(name);
      if (stopped.includes(name)) {
        if (current) {
          this.running.delete(name);
          await current.close();
        }
      } else if (!current) {
        const started = name === 'echo' ? await startEchoServer({ host: '127.0.0.1', port: BACKEND_PORTS.echo }) : await startAppServer({ host: '127.0.0.1', port: BACKEND_PORTS.app });
        started.observations.on('observation', (observation: BackendObservation) => this.seen.push(observation));
        this.running.set(name, started);
      }
    }
  }

  take(): BackendObservation[] {
    const taken = this.seen;
    this.seen = [];
    return taken;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((backend) => backend.close()));
    this.running.clear();
  }
}

type ServerStart = { started: true; server: RunningProxy } | { started: false; exitCode: number | null; output: string };

function serverCommand(run: RunSpec, apacheBinary: string): ProxyCommand {
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
  if (run.side === 'httpd') return { command: apacheBinary, argv0: 'apache2', args: ['-f', run.configFile, '-DFOREGROUND'], env };
  return { command: process.execPath, args: [WSLAB_BIN, 'proxy', run.configFile], env, cwd: REPO_ROOT };
}

async function startServer(run: RunSpec, apacheBinary: string): Promise<ServerStart> {
  const start = await startProxy(serverCommand(run, apacheBinary), run.listenPorts, READY_TIMEOUT_MS, STARTED_SETTLE_MS);
  return start.started ? { started: true, server: start.proxy } : { started: false, exitCode: start.exit.exitCode, output: start.exit.output };
}

/**
 * The Host a browser sends to the article's ports: "localhost" (80 and 443 are the scheme's
 * defaults), as the sandbox's Check button does.
 */
function withBrowserHost(probe: Probe): Probe {
  if (probe.kind === 'raw' || probe.host !== undefined) return probe;
  return { ...probe, host: 'localhost' };
}

async function runOne(run: RunSpec, spec: RunnerSpec): Promise<RunResult> {
  const began = Date.now();
  const backends = await Backends.start();
  const tail = new ErrorLogTail(run.errorLogFile);
  try {
    const start = await startServer(run, spec.apacheBinary);
    if (!start.started) {
      return { label: run.label, side: run.side, started: false, exitCode: start.exitCode, output: start.output, errorLog: tail.readAll(), checks: [], elapsedMs: Date.now() - began };
    }
    const checks: CheckResult[] = [];
    try {
      const target: ProbeTarget = {
        proxyHost: '127.0.0.1',
        proxyPort: PROXY_PORT,
        proxyTlsPort: PROXY_TLS_PORT,
        tlsCa: readFileSync(spec.caCertFile, 'utf8'),
        tlsServerName: 'localhost',
        observer: {
          begin() {
            tail.markEnd();
            backends.take();
          },
          end() {
            return { backendSaw: backends.take(), errorLogCodes: probeCodesIn(tail.readNew()) };
          },
        },
      };
      for (const check of spec.checks) {
        checks.push(await runCheck({ ...check, probe: withBrowserHost(check.probe) }, { target, setStoppedBackends: (stopped) => backends.setStopped(stopped) }));
      }
    } finally {
      await start.server.stop();
    }
    return { label: run.label, side: run.side, started: true, exitCode: null, output: start.server.output(), errorLog: tail.readAll(), checks, elapsedMs: Date.now() - began };
  } finally {
    await backends.close();
  }
}

async function main(): Promise<void> {
  const specFile = process.argv[2];
  if (!specFile) throw new Error('usage: netns-runner.ts SPEC.json');
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as RunnerSpec;
  const runs: RunResult[] = [];
  for (const run of spec.runs) {
    process.stderr.write(`[runner] ${run.label}\n`);
    runs.push(await runOne(run, spec));
  }
  const result: RunnerResult = { runs };
  // stdout is a pipe: exit only once the whole line is out.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`[runner] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}
