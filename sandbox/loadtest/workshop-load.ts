/**
 * The workshop load test: one `wslab serve` on this machine, N learners doing the basic-vhost
 * exercise AT THE SAME TIME through the real endpoints, while a separate loop keeps fetching a
 * lesson page and timing it.
 *
 *   node sandbox/loadtest/workshop-load.ts [--learners 50] [--short] [--json FILE] [--port P]
 *
 * Each learner, as the page does: POST /__wslab/session with the page's Origin, open the sandbox
 * WebSocket, wait for `ready`; then Run (apply-config with the exercise's solution.conf) and
 * client-open /ws/ — "time to 101" is from sending Run to the 101 — send "hello" and expect
 * "Echo: hello", run the exercise's checks (all must pass). Every learner keeps their sandbox
 * open until all have finished, so N sandboxes really run at once; then the memory is read (RSS
 * of the server and all its sandbox children) and everyone disconnects.
 *
 * --short: 10 learners (CI). Needs dist/ (`npm run build`); builds it when missing. Exit code 1
 * when any learner failed or the page loop got no page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { httpRequest, LearnerSession } from './learner-client.ts';
import { readProcessUsage } from '../runtime/process-usage.ts';
import { ensureBuilt, processTree, ROOT, startServe, treeMemory } from './serve-process.ts';

export const PAGE_PATH = '/en/lessons/basic-vhost/';
const LESSON = join(ROOT, 'lessons', '04-basic-vhost', 'exercise');

export interface LoadOptions {
  learners: number;
  port?: number;
  /** A built site to serve instead of dist/ (tests pass their own build). */
  siteDir?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface LoadReport {
  learners: number;
  succeeded: number;
  failures: Array<{ learner: number; stage: string; error: string }>;
  /** Token + WebSocket + `ready`, per learner (ms). */
  sessionStartMs: Percentiles;
  /** From sending Run (apply-config) to the test client's 101 (ms). */
  runTo101Ms: Percentiles;
  /** Whole exercise per learner, session start to checks passed (ms). */
  exerciseMs: Percentiles;
  /** Lesson page fetches while the learners worked (ms). */
  pageMs: Percentiles;
  pageFailures: number;
  /** Why page fetches failed (first few). */
  pageErrors: string[];
  /** Page latency with no learners, for comparison (ms). */
  idlePageMs: Percentiles;
  /** RSS with every sandbox running (bytes). */
  memory: { serverBytes: number; sandboxBytes: number; sandboxes: number; totalBytes: number; perSandboxBytes: number };
  peakMemoryBytes: number;
  /** CPU time each sandbox had used when all were done (boot + the exercise), seconds. */
  sandboxCpuSeconds: Percentiles;
  wallMs: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? Number.NaN) };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * One page load on a new connection (connect, request, whole body), as a learner's first visit.
 * A new connection each time also keeps the measure clear of keep-alive races: a client whose
 * event loop lags behind can reuse a connection the server has just closed (browsers retry those).
 */
async function fetchPage(base: string): Promise<number> {
  const started = performance.now();
  const answer = await httpRequest(`${base}${PAGE_PATH}`, { headers: { 'Accept-Encoding': 'br, gzip' }, timeoutMs: 30_000 });
  if (answer.status !== 200 || answer.body.length < 1000) throw new Error(`page ${PAGE_PATH}: HTTP ${answer.status}, ${answer.body.length} bytes`);
  return performance.now() - started;
}

/** Run the load test against a fresh `wslab serve`. */
export async function runWorkshopLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  if (!options.siteDir) ensureBuilt(log);
  const solution = readFileSync(join(LESSON, 'solution.conf'), 'utf8');
  const checks = (JSON.parse(readFileSync(join(LESSON, 'exercise.json'), 'utf8')) as { checks: unknown[] }).checks;
  const serve = await startServe({ maxSessions: options.learners, port: options.port, siteDir: options.siteDir });
  log(`wslab loadtest: wslab serve (pid ${serve.pid}) at ${serve.base}, ${options.learners} learners`);
  const failures: LoadReport['failures'] = [];
  const sessionStart: number[] = [];
  const runTo101: number[] = [];
  const exercise: number[] = [];
  const pages: number[] = [];
  let pageFailures = 0;
  const pageErrors: string[] = [];
  let peakMemoryBytes = 0;
  const started = performance.now();
  try {
    const idlePages: number[] = [];
    for (let index = 0; index < 10; index++) idlePages.push(await fetchPage(serve.base));

    let learnersDone = false;
    const pageLoop = (async () => {
      while (!learnersDone) {
        try {
          pages.push(await fetchPage(serve.base));
        } catch (error) {
          pageFailures += 1;
          if (pageErrors.length < 5) pageErrors.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const memoryTimer = setInterval(() => {
      peakMemoryBytes = Math.max(peakMemoryBytes, treeMemory(serve.pid).totalBytes);
    }, 500);

    // All learners hold their sandbox until every one has finished (or failed).
    let release!: () => void;
    const everyoneDone = new Promise<void>((resolve) => (release = resolve));
    let finished = 0;
    const finish = () => {
      finished += 1;
      if (finished === options.learners) release();
    };
    let memory: LoadReport['memory'] | undefined;
    let cpu: Promise<number[]> | undefined;
    const learner = async (index: number) => {
      let stage = 'session';
      let session: LearnerSession | undefined;
      try {
        const t0 = performance.now();
        session = await LearnerSession.open(serve.base, { readyTimeoutMs: 120_000 });
        const t1 = performance.now();
        sessionStart.push(t1 - t0);
        stage = 'run';
        const applied = await session.request({ type: 'apply-config', text: solution }, 120_000);
        if (!applied.ok || !(applied.result as { applied?: boolean }).applied) throw new Error(`config not applied: ${JSON.stringify(applied).slice(0, 400)}`);
        stage = 'client-open';
        const opened = await session.openClient('ws', { path: '/ws/' }, 120_000);
        if (opened.kind !== 'open') throw new Error(`expected 101, got ${JSON.stringify(opened).slice(0, 400)}`);
        runTo101.push(performance.now() - t1);
        stage = 'echo';
        const echoed = await session.roundTrip('ws', 'hello', 60_000);
        if (echoed !== 'Echo: hello') throw new Error(`expected "Echo: hello", got ${JSON.stringify(echoed)}`);
        stage = 'run-checks';
        const verdict = await session.request({ type: 'run-checks', checks }, 120_000);
        if (!verdict.ok) throw new Error(verdict.error);
        const failed = (verdict.result as Array<{ id: string; passed: boolean }>).filter((check) => !check.passed);
        if (failed.length > 0) throw new Error(`checks failed: ${JSON.stringify(failed).slice(0, 600)}`);
        exercise.push(performance.now() - t0);
      } catch (error) {
        failures.push({ learner: index, stage, error: (error as Error).message });
      }
      finish();
      await everyoneDone;
      // The first learner past the barrier reads the memory while every sandbox still runs.
      memory ??= (() => {
        const now = treeMemory(serve.pid);
        return { ...now, perSandboxBytes: now.sandboxes === 0 ? 0 : Math.round(now.sandboxBytes / now.sandboxes) };
      })();
      cpu ??= Promise.all(processTree(serve.pid).slice(1).map((pid) => readProcessUsage(pid))).then((usages) =>
        usages.flatMap((usage) => (usage ? [usage.cpuSeconds] : [])),
      );
      await cpu;
      await session?.close();
    };
    await Promise.all(Array.from({ length: options.learners }, (_, index) => learner(index + 1)));
    learnersDone = true;
    clearInterval(memoryTimer);
    await pageLoop;
    return {
      learners: options.learners,
      succeeded: options.learners - failures.length,
      failures,
      sessionStartMs: percentiles(sessionStart),
      runTo101Ms: percentiles(runTo101),
      exerciseMs: percentiles(exercise),
      pageMs: percentiles(pages),
      pageFailures,
      pageErrors,
      idlePageMs: percentiles(idlePages),
      memory: memory ?? { serverBytes: 0, sandboxBytes: 0, sandboxes: 0, totalBytes: 0, perSandboxBytes: 0 },
      peakMemoryBytes,
      sandboxCpuSeconds: percentiles((await cpu) ?? []),
      wallMs: round(performance.now() - started),
    };
  } finally {
    await serve.stop();
  }
}

const MiB = 1024 * 1024;

export function formatReport(report: LoadReport): string {
  const ms = (p: Percentiles) => `p50 ${p.p50} ms, p95 ${p.p95} ms, max ${p.max} ms (n=${p.count})`;
  return [
    `learners at once:        ${report.learners} (${report.succeeded} succeeded, ${report.failures.length} failed)`,
    `session start (token→ready): ${ms(report.sessionStartMs)}`,
    `time to 101 from Run:    ${ms(report.runTo101Ms)}`,
    `whole exercise:          ${ms(report.exerciseMs)}`,
    `lesson page under load:  ${ms(report.pageMs)}, ${report.pageFailures} failed`,
    `lesson page, no load:    ${ms(report.idlePageMs)}`,
    `memory, all sandboxes up: server ${(report.memory.serverBytes / MiB).toFixed(0)} MiB + ${report.memory.sandboxes} sandboxes ${(report.memory.sandboxBytes / MiB).toFixed(0)} MiB ` +
      `(${(report.memory.perSandboxBytes / MiB).toFixed(0)} MiB each) = ${(report.memory.totalBytes / MiB).toFixed(0)} MiB; peak ${(report.peakMemoryBytes / MiB).toFixed(0)} MiB`,
    `CPU per sandbox:         p50 ${report.sandboxCpuSeconds.p50} s, p95 ${report.sandboxCpuSeconds.p95} s, max ${report.sandboxCpuSeconds.max} s (boot + exercise)`,
    `wall time:               ${(report.wallMs / 1000).toFixed(1)} s`,
    ...report.pageErrors.map((error) => `FAILED page fetch: ${error}`),
    ...report.failures.slice(0, 10).map((failure) => `FAILED learner ${failure.learner} at ${failure.stage}: ${failure.error}`),
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      learners: { type: 'string' },
      short: { type: 'boolean', default: false },
      json: { type: 'string' },
      port: { type: 'string' },
    },
  });
  const learners = Number(values.learners ?? (values.short ? 10 : 50));
  if (!Number.isInteger(learners) || learners < 1 || learners > 500) throw new Error('--learners takes a whole number from 1 to 500');
  const report = await runWorkshopLoad({ learners, port: values.port ? Number(values.port) : undefined });
  console.log(formatReport(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.failures.length === 0 && report.pageMs.count > 0 && report.pageFailures === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`wslab loadtest: ${error.stack ?? error.message}`);
      process.exit(2);
    },
  );
}
