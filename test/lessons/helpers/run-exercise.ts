/**
 * Runs one exercise's configs on real httpd and on the wslab emulator inside a network namespace,
 * through netns-runner.ts. Each config is fed to both sides exactly as a learner wrote it, after
 * the same preamble (httpdPreamble: Debian's default LoadModule lines, PidFile, Mutex, ErrorLog in
 * a fresh directory, User/Group www-data), with the sandbox's certificate paths
 * (/etc/wslab/tls/server.{crt,key}) pointing at freshly made test certificates.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpdPreamble } from '../../../sandbox/engine/config/default-modules.ts';
import type { Check } from '../../../sandbox/engine/probe.ts';
import type { CheckResult } from '../../../sandbox/server/probe-runner.ts';
import { createTestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import type { TestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import { EXERCISE_CONFIG_NAMES, listenPorts } from './exercise-files.ts';
import type { Exercise, ExerciseConfigName } from './exercise-files.ts';
import { APACHE_BINARY, killNetnsProcesses, netnsCommand, netnsScratchDir } from './netns.ts';
import type { RunnerResult, RunnerSpec, RunResult, RunSpec, Side } from './netns-runner.ts';

export type { RunResult, Side };
export const SIDES: readonly Side[] = ['httpd', 'wslab'];

const RUNNER = fileURLToPath(new URL('./netns-runner.ts', import.meta.url));
/** Where the lesson configs expect the sandbox's certificate and key. */
const VIRTUAL_TLS_DIR = '/etc/wslab/tls/';

let certificates: TestCertificates | undefined;
function testCertificates(): TestCertificates {
  // Key generation is the slow part: one CA and leaf serve every exercise.
  certificates ??= createTestCertificates({ hostnames: ['localhost', 'example.com'], ips: ['127.0.0.1'] });
  return certificates;
}

/** Both sides' results for each of the exercise's configs. */
export type ExerciseResults = Record<ExerciseConfigName, Record<Side, RunResult>>;

/** The config text both sides run: preamble, then the learner's file with real certificate paths. */
export function runnableConfig(text: string, runtimeDirectory: string, tlsDirectory: string): string {
  const preamble = httpdPreamble({ runtimeDirectory, user: 'www-data', group: 'www-data' });
  return preamble + text.split(VIRTUAL_TLS_DIR).join(`${tlsDirectory}/`);
}

/**
 * Start each config on each side (fresh backends and a fresh server every time), run every check,
 * and return what happened. Throws only when the runner itself breaks.
 */
export async function runExercise(netns: string, exercise: Exercise, options: { timeoutMs?: number } = {}): Promise<ExerciseResults> {
  const workdir = mkdtempSync(join(netnsScratchDir(netns), `${exercise.lesson}-`));
  // httpd's children run as www-data and reopen the Mutex files under here.
  chmodSync(workdir, 0o755);
  try {
    const certs = testCertificates();
    const tlsDir = join(workdir, 'tls');
    mkdirSync(tlsDir, { mode: 0o755 });
    writeFileSync(join(tlsDir, 'ca.crt'), certs.caCert);
    writeFileSync(join(tlsDir, 'server.crt'), certs.cert);
    writeFileSync(join(tlsDir, 'server.key'), certs.key, { mode: 0o600 });

    const runs: RunSpec[] = [];
    for (const configName of EXERCISE_CONFIG_NAMES) {
      for (const side of SIDES) {
        const runtimeDir = join(workdir, `${configName}-${side}`);
        mkdirSync(runtimeDir, { mode: 0o755 });
        const configFile = join(runtimeDir, `${configName}.conf`);
        const text = exercise.configs[configName].text;
        writeFileSync(configFile, runnableConfig(text, runtimeDir, tlsDir));
        runs.push({ label: `${configName}:${side}`, side, configFile, errorLogFile: join(runtimeDir, 'error.log'), listenPorts: listenPorts(text) });
      }
    }
    const spec: RunnerSpec = { checks: exercise.checks, runs, caCertFile: join(tlsDir, 'ca.crt'), apacheBinary: APACHE_BINARY };
    const specFile = join(workdir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec, null, 2));

    const result = await runInNetns(netns, specFile, options.timeoutMs ?? 150_000);
    const byLabel = new Map(result.runs.map((run) => [run.label, run]));
    const results = {} as ExerciseResults;
    for (const configName of EXERCISE_CONFIG_NAMES) {
      results[configName] = {} as Record<Side, RunResult>;
      for (const side of SIDES) {
        const run = byLabel.get(`${configName}:${side}`);
        if (!run) throw new Error(`runner returned no result for ${configName}:${side}`);
        results[configName][side] = run;
      }
    }
    return results;
  } finally {
    if (process.env.WSLAB_KEEP_WORKDIR === '1') process.stderr.write(`[exercises] kept ${workdir}\n`);
    else rmSync(workdir, { recursive: true, force: true });
  }
}

function runInNetns(netns: string, specFile: string, timeoutMs: number): Promise<RunnerResult> {
  return new Promise((resolve, reject) => {
    const { command, args } = netnsCommand(netns, process.execPath, [RUNNER, specFile]);
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => killNetnsProcesses(netns), 2_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Nothing the runner started may outlive it (the next exercise needs the same ports).
      killNetnsProcesses(netns);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || timedOut || !line.startsWith('{')) {
        reject(new Error(`netns runner ${timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code}`}\nstderr:\n${stderr}\nstdout:\n${stdout.slice(0, 4_000)}`));
        return;
      }
      resolve(JSON.parse(line) as RunnerResult);
    });
  });
}

/** Pass/fail per check id, or "not started" when the server refused the config. */
export function verdicts(run: RunResult): Record<string, 'pass' | 'fail'> | 'not started' {
  if (!run.started) return 'not started';
  return Object.fromEntries(run.checks.map((check) => [check.id, check.passed ? 'pass' : 'fail']));
}

/** One line per check for reports: id, verdict and the failed fields with what was seen. */
export function describeRun(run: RunResult): string {
  const head = `${run.label}: ${run.started ? `started; checks done after ${run.elapsedMs} ms` : `did not start (exit ${run.exitCode})`}`;
  if (!run.started) {
    const output = run.output.trim().split('\n').slice(0, 6).join('\n    ');
    const log = run.errorLog.trim().split('\n').slice(-6).join('\n    ');
    return `${head}\n    output: ${output}\n    error log: ${log}`;
  }
  return [head, ...run.checks.map(describeCheck)].join('\n');
}

function describeCheck(check: CheckResult): string {
  const outcome = check.outcome;
  const seen = {
    status: outcome.status,
    received: outcome.received,
    closeCode: outcome.closeCode,
    openMs: outcome.openMs,
    opened: outcome.opened,
    backendSaw: outcome.backendSaw.map((seen) => `${seen.backend} ${seen.method} ${seen.path}`),
    errorLogCodes: outcome.errorLogCodes,
  };
  const failed = check.failures.map((failure) => `${failure.field} wanted ${JSON.stringify(failure.wanted)}`).join('; ');
  return `  ${check.passed ? 'pass' : 'FAIL'} ${check.id}${failed ? ` (${failed})` : ''} seen ${JSON.stringify(seen)}`;
}

/**
 * Checks whose verdict rides on wall-clock time: several sockets racing for worker threads within
 * holdMs, or a tunnel's lifetime. On a loaded machine one handshake can miss its window.
 */
export function isTimingSensitive(check: Check): boolean {
  return check.probe.kind === 'ws-many' || (check.probe.kind === 'ws' && check.probe.holdMs !== undefined) || check.expect.openMs !== undefined;
}

/**
 * True when a timing-sensitive check gave a verdict the suite would reject: a solution check that
 * failed on either side, or a check on which the two sides disagree. Only such results are worth
 * one more run; a disagreement on anything else is the emulator's, not the clock's.
 */
export function timingHiccup(exercise: Exercise, results: ExerciseResults): boolean {
  const timed = new Set(exercise.checks.filter(isTimingSensitive).map((check) => check.id));
  if (timed.size === 0) return false;
  for (const configName of EXERCISE_CONFIG_NAMES) {
    const [httpd, wslab] = SIDES.map((side) => results[configName][side]);
    if (!httpd.started || !wslab.started) continue;
    for (const id of timed) {
      const onHttpd = httpd.checks.find((check) => check.id === id)?.passed;
      const onWslab = wslab.checks.find((check) => check.id === id)?.passed;
      if (onHttpd !== onWslab) return true;
      if (configName === 'solution' && (!onHttpd || !onWslab)) return true;
    }
  }
  return false;
}

/** runExercise, once more if a timing-sensitive check hiccuped; says whether it ran twice. */
export async function runExerciseSettled(netns: string, exercise: Exercise): Promise<{ results: ExerciseResults; retried: ExerciseResults | null }> {
  const first = await runExercise(netns, exercise);
  if (!timingHiccup(exercise, first)) return { results: first, retried: null };
  return { results: await runExercise(netns, exercise), retried: first };
}
