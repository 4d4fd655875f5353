/**
 * Runs one scenario against one side: real httpd or the wslab emulator. Both sides get the same
 * config file, the same kind of fresh backends and the same probes; only the command differs.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckFailure, ProbeOutcome } from '../../../sandbox/engine/probe.ts';
import { runCheck } from '../../../sandbox/server/probe-runner.ts';
import type { ProbeTarget } from '../../../sandbox/server/probe-runner.ts';
import { createTestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import type { TestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import { BackendPool } from './backend-pool.ts';
import { ahCodesIn, ErrorLogTail, probeCodesIn } from './error-log-tail.ts';
import { configuredLogFiles, normaliseLogLines } from './log-lines.ts';
import { fromPlaceholders, toPlaceholders } from './placeholders.ts';
import type { Variables } from './placeholders.ts';
import { allocateListenPort, runToCompletion, startProxy } from './proxy-process.ts';
import type { FinishedProcess, ProxyCommand } from './proxy-process.ts';
import type { ConfigtestScenario, RunScenario, Scenario, StartupFailureScenario } from './scenario-files.ts';

export type Side = 'httpd' | 'wslab';

export const APACHE_BINARY = process.env.WSLAB_APACHE_BINARY ?? '/usr/sbin/apache2';
export const MODULE_DIR = process.env.WSLAB_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WSLAB_BIN = join(REPO_ROOT, 'sandbox', 'cli', 'bin.mjs');

const READY_TIMEOUT_MS = 10_000;
const CONFIGTEST_TIMEOUT_MS = 15_000;
/** How long a config that should be refused may keep its ports open before it counts as started. */
const STARTUP_FAILURE_GRACE_MS = 2_000;

/** One probe's outcome with machine-specific values replaced by placeholders. */
export interface ProbeRecord {
  id: string;
  outcome: ProbeOutcome;
  /** How the outcome falls short of the scenario's `expect` and `expectLogs` (measured on httpd). */
  failures: Array<CheckFailure | LogLinesFailure>;
  /** Lines the configured log files gained while the probe ran, normalised (see log-lines.ts). */
  logs: LogSlices;
}

/** A log file whose lines are not the ones a probe's `expectLogs` lists. */
export interface LogLinesFailure {
  field: 'expectLogs';
  file: string;
  wanted: string[];
  got: string[];
}

/** Normalised new lines per log file name: access logs and error logs apart. */
export interface LogSlices {
  access: Record<string, string[]>;
  error: Record<string, string[]>;
}

export type RunSideResult =
  | {
      kind: 'run';
      started: true;
      probes: ProbeRecord[];
      /** Lines written after the last probe, while the proxy stopped (BufferedLogs flushes here). */
      logsAfterStop: LogSlices;
      errorLog: string;
      output: string;
    }
  | { kind: 'run'; started: false; exit: FinishedProcess; errorLog: string };

export interface ConfigtestSideResult {
  kind: 'configtest';
  exitCode: number | null;
  /** stdout and stderr, with temp paths and the config path as placeholders. */
  output: string;
}

export interface StartupFailureSideResult {
  kind: 'startup-failure';
  /** True when the proxy started listening after all (which is itself the failure). */
  started: boolean;
  exitCode: number | null;
  /** AH codes from the error log and the process output together. */
  errorLogCodes: string[];
  output: string;
  errorLog: string;
}

export type SideResult = RunSideResult | ConfigtestSideResult | StartupFailureSideResult;

let certificates: TestCertificates | undefined;

export function testCertificates(): TestCertificates {
  // RSA key generation is the slow part; one CA and leaf serve the whole run.
  certificates ??= createTestCertificates({ hostnames: ['localhost'], ips: ['127.0.0.1'] });
  return certificates;
}

/** The command line that starts (or configtests) a side on a config. */
export function sideCommand(side: Side, mode: 'run' | 'configtest', configPath: string, env: Record<string, string>): ProxyCommand {
  if (side === 'httpd') {
    const args = mode === 'run' ? ['-f', configPath, '-DFOREGROUND'] : ['-t', '-f', configPath];
    // As typed by a user with /usr/sbin on PATH, so messages read "apache2: ...".
    return { command: APACHE_BINARY, argv0: 'apache2', args, env };
  }
  return {
    command: process.execPath,
    args: [WSLAB_BIN, mode === 'run' ? 'proxy' : 'configtest', configPath],
    env,
    cwd: REPO_ROOT,
    // Printed after every Listen is bound (sandbox/cli/proxy-command.ts).
    readyOutput: mode === 'run' ? /^wslab proxy: listening on /m : undefined,
  };
}

/** Run a scenario on one side and return what happened, machine-specific values normalised. */
export async function runScenarioSide(scenario: Scenario, side: Side): Promise<SideResult> {
  // The proxy's ports are found free and then handed over by number; should anything bind one in
  // between (another program on this machine), the start is retried on fresh ports.
  for (let attempt = 1; ; attempt++) {
    const result = await runScenarioSideOnce(scenario, side);
    if (attempt >= 3 || !lostPortRace(result)) return result;
  }
}

function lostPortRace(result: SideResult): boolean {
  if (result.kind !== 'run' || result.started) return false;
  return /AH00072|Address already in use|EADDRINUSE/.test(`${result.exit.output}\n${result.errorLog}`);
}

async function runScenarioSideOnce(scenario: Scenario, side: Side): Promise<SideResult> {
  const workdir = mkdtempSync(join(tmpdir(), `wslab-${side}-${scenario.name}-`));
  // httpd's children run as www-data and reopen the Mutex files here.
  chmodSync(workdir, 0o755);
  copyScenarioFiles(scenario, workdir);
  try {
    if (scenario.kind === 'run') return await runProbes(scenario, side, workdir);
    if (scenario.kind === 'configtest') return await runConfigtest(scenario, side, workdir);
    return await runStartupFailure(scenario, side, workdir);
  } finally {
    if (process.env.WSLAB_KEEP_WORKDIR !== '1') rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * Files a scenario ships besides httpd.conf and scenario.json (an htpasswd file, say) are copied
 * as they are into ${WORKDIR}, so the config names them as ${WORKDIR}/<file> on both sides.
 */
export function copyScenarioFiles(scenario: Pick<Scenario, 'dir'>, workdir: string): void {
  for (const entry of readdirSync(scenario.dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'httpd.conf' || entry.name === 'scenario.json') continue;
    // httpd's children run as www-data: the copies must be readable by everyone.
    copyFileSync(join(scenario.dir, entry.name), join(workdir, entry.name));
    chmodSync(join(workdir, entry.name), 0o644);
  }
}

interface PreparedSide {
  variables: Variables;
  env: Record<string, string>;
  certs: TestCertificates;
  pool: BackendPool;
  errorLogPath: string;
}

/** ${CERT_DIR} under a workdir: ca.pem, cert.pem and key.pem from the run's test CA. */
export function writeCertificates(workdir: string): { certs: TestCertificates; certDir: string } {
  const certs = testCertificates();
  const certDir = join(workdir, 'certs');
  mkdirSync(certDir, { mode: 0o755 });
  writeFileSync(join(certDir, 'ca.pem'), certs.caCert);
  writeFileSync(join(certDir, 'cert.pem'), certs.cert);
  writeFileSync(join(certDir, 'key.pem'), certs.key, { mode: 0o600 });
  return { certs, certDir };
}

async function prepare(scenario: Scenario, workdir: string): Promise<PreparedSide> {
  const { certs, certDir } = writeCertificates(workdir);
  const pool = await BackendPool.start(certs);
  const proxyPort = await allocateListenPort();
  const proxyTlsPort = await allocateListenPort();
  const variables: Variables = {
    PROXY_PORT: String(proxyPort),
    PROXY_TLS_PORT: String(proxyTlsPort),
    ...pool.portVariables(),
    WORKDIR: workdir,
    CERT_DIR: certDir,
    MODDIR: MODULE_DIR,
    CONFIG: scenario.configPath,
  };
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...variables };
  return { variables, env, certs, pool, errorLogPath: join(workdir, 'error.log') };
}

/** Ports named by the config's Listen lines: the proxy is ready once each one answers. */
function listenPorts(scenario: Scenario, variables: Variables): number[] {
  const ports = [...scenario.configText.matchAll(/^\s*Listen\s+(\S+)/gim)].map((match) => {
    const address = fromPlaceholders(match[1], variables);
    return Number(address.slice(address.lastIndexOf(':') + 1));
  });
  return [...new Set(ports.filter((port) => Number.isInteger(port) && port > 0))];
}

async function runProbes(scenario: RunScenario, side: Side, workdir: string): Promise<RunSideResult> {
  const prepared = await prepare(scenario, workdir);
  const { variables, env, pool } = prepared;
  const tail = new ErrorLogTail(prepared.errorLogPath);
  const logTails = logFileTails(scenario, workdir);
  const takeLogSlices = (): LogSlices => toPlaceholders(readLogSlices(logTails, scenario.logMasks), variables);
  try {
    const start = await startProxy(sideCommand(side, 'run', scenario.configPath, env), listenPorts(scenario, variables), READY_TIMEOUT_MS);
    if (!start.started) {
      return { kind: 'run', started: false, exit: toPlaceholders(start.exit, variables), errorLog: toPlaceholders(tail.readAll(), variables) };
    }
    const probes: ProbeRecord[] = [];
    let probeLogs: LogSlices = { access: {}, error: {} };
    let logsAfterStop: LogSlices = { access: {}, error: {} };
    try {
      const target: ProbeTarget = {
        proxyHost: '127.0.0.1',
        proxyPort: Number(variables.PROXY_PORT),
        proxyTlsPort: Number(variables.PROXY_TLS_PORT),
        tlsCa: prepared.certs.caCert,
        tlsServerName: 'localhost',
        observer: {
          begin() {
            tail.markEnd();
            for (const logTail of [...logTails.access, ...logTails.error]) logTail.tail.markEnd();
            pool.takeObservations();
          },
          end() {
            probeLogs = takeLogSlices();
            return { backendSaw: pool.takeObservations(), errorLogCodes: probeCodesIn(tail.readNew()) };
          },
        },
      };
      for (const scenarioProbe of scenario.probes) {
        const check = fromPlaceholders({ id: scenarioProbe.id, setup: scenarioProbe.setup, probe: scenarioProbe.probe, expect: scenarioProbe.expect }, variables);
        const result = await runCheck(check, { target, setStoppedBackends: (stopped) => pool.setStopped(stopped) });
        const failures = [
          ...toPlaceholders([...result.failures, ...absentHeaderFailures(scenarioProbe.absentBackendHeaders ?? [], result.outcome)], variables),
          ...logLinesFailures(scenarioProbe.expectLogs ?? {}, probeLogs),
        ];
        probes.push({ id: scenarioProbe.id, outcome: toPlaceholders(result.outcome, variables), failures, logs: probeLogs });
      }
    } finally {
      await start.proxy.stop();
      logsAfterStop = takeLogSlices();
    }
    return { kind: 'run', started: true, probes, logsAfterStop, errorLog: toPlaceholders(tail.readAll(), variables), output: toPlaceholders(start.proxy.output(), variables) };
  } finally {
    await pool.close();
  }
}

interface LogFileTails {
  access: Array<{ file: string; tail: ErrorLogTail }>;
  error: Array<{ file: string; tail: ErrorLogTail }>;
}

/** A tail per log file the config names under ${WORKDIR}; a file both logs write is read as both. */
function logFileTails(scenario: RunScenario, workdir: string): LogFileTails {
  const files = configuredLogFiles(scenario.configText);
  const tails = (names: string[]) => names.map((file) => ({ file, tail: new ErrorLogTail(join(workdir, file)) }));
  return { access: tails(files.access), error: tails(files.error) };
}

function readLogSlices(tails: LogFileTails, masks: RunScenario['logMasks']): LogSlices {
  // A file both an ErrorLog and a CustomLog write is read once and shown under both.
  const texts = new Map<string, string>();
  const textOf = (file: string, tail: ErrorLogTail) => {
    if (!texts.has(file)) texts.set(file, tail.readNew());
    return texts.get(file) ?? '';
  };
  const slices: LogSlices = { access: {}, error: {} };
  for (const { file, tail } of tails.access) slices.access[file] = normaliseLogLines(textOf(file, tail), masks, { dropLifecycle: false });
  for (const { file, tail } of tails.error) slices.error[file] = normaliseLogLines(textOf(file, tail), masks, { dropLifecycle: true });
  return slices;
}

/** Files the probe's `expectLogs` names whose normalised new lines differ from the list. */
function logLinesFailures(expected: Record<string, string[]>, logs: LogSlices): LogLinesFailure[] {
  return Object.entries(expected).flatMap(([file, wanted]) => {
    const got = logs.access[file] ?? logs.error[file] ?? [];
    return JSON.stringify(got) === JSON.stringify(wanted) ? [] : [{ field: 'expectLogs' as const, file, wanted, got }];
  });
}

function absentHeaderFailures(absent: string[], outcome: ProbeOutcome): CheckFailure[] {
  return outcome.backendSaw
    .flatMap((seen) => absent.filter((name) => name in seen.headers).map((name) => ({ name, seen })))
    .map(({ name, seen }) => ({ field: 'backend', wanted: `no ${name} header`, got: seen }));
}

async function runConfigtest(scenario: ConfigtestScenario, side: Side, workdir: string): Promise<ConfigtestSideResult> {
  const prepared = await prepare(scenario, workdir);
  try {
    const finished = await runToCompletion(sideCommand(side, 'configtest', scenario.configPath, prepared.env), CONFIGTEST_TIMEOUT_MS);
    return { kind: 'configtest', exitCode: finished.exitCode, output: toPlaceholders(normaliseProcessOutput(finished.output), prepared.variables) };
  } finally {
    await prepared.pool.close();
  }
}

async function runStartupFailure(scenario: StartupFailureScenario, side: Side, workdir: string): Promise<StartupFailureSideResult> {
  const prepared = await prepare(scenario, workdir);
  const { variables } = prepared;
  const tail = new ErrorLogTail(prepared.errorLogPath);
  try {
    const start = await startProxy(sideCommand(side, 'run', scenario.configPath, prepared.env), listenPorts(scenario, variables), READY_TIMEOUT_MS, STARTUP_FAILURE_GRACE_MS);
    if (start.started) {
      await start.proxy.stop();
      const errorLog = tail.readAll();
      return {
        kind: 'startup-failure',
        started: true,
        exitCode: null,
        errorLogCodes: ahCodesIn(errorLog + start.proxy.output()),
        output: toPlaceholders(start.proxy.output(), variables),
        errorLog: toPlaceholders(errorLog, variables),
      };
    }
    const errorLog = existsSync(prepared.errorLogPath) ? tail.readAll() : '';
    return {
      kind: 'startup-failure',
      started: false,
      exitCode: start.exit.exitCode,
      errorLogCodes: ahCodesIn(errorLog + start.exit.output),
      output: toPlaceholders(normaliseProcessOutput(start.exit.output), variables),
      errorLog: toPlaceholders(errorLog, variables),
    };
  } finally {
    await prepared.pool.close();
  }
}

/**
 * Trailing whitespace and blank lines are not part of what a config test says; the timestamp and
 * pid of a logged warning (`[Tue Nov 24 13:32:07.472343 2026] [core:warn] [pid 401:tid 401]`)
 * differ on every run.
 */
export function normaliseProcessOutput(output: string): string {
  return output
    .split('\n')
    .map((line) =>
      line
        .replace(/^\[\w{3} \w{3} [ \d]\d \d{2}:\d{2}:\d{2}(\.\d+)? \d{4}\]/, '[${TIME}]')
        .replace(/\[pid \d+(:tid \d+)?\]/, '[pid ${PID}]')
        .trimEnd(),
    )
    .filter((line) => line.length > 0)
    .join('\n');
}
