/**
 * Turns each side's result into a "comparable view": only the fields that must match, with values
 * that legitimately differ between runs (random handshake keys, timing) reduced to what matters.
 * Equal views mean wslab did what httpd did; vitest's toEqual prints the difference otherwise.
 */
import type { BackendObservation, ProbeOutcome } from '../../../sandbox/engine/probe.ts';
import type { LogSlices, ProbeRecord, RunSideResult, SideResult, StartupFailureSideResult } from './run-scenario-side.ts';
import type { ComparableField, RunScenario, Scenario } from './scenario-files.ts';

/** Response headers that make or break a WebSocket handshake. */
const UPGRADE_RESPONSE_HEADERS = ['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol'];

/** Request headers a backend's behaviour depends on: routing, forwarding and the handshake. */
const BACKEND_HEADERS = [
  'host',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-server',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
];

/** Headers whose value is random per handshake: only their presence is compared. */
const PRESENCE_ONLY_HEADERS = new Set(['sec-websocket-accept', 'sec-websocket-key']);

/**
 * Idle-timeout checks compare the tunnel's lifetime within a band: the clock is real, the machine
 * is shared, so ±30% (at least ±300 ms) separates "closed after Timeout" from "after ProxyTimeout"
 * without flaking.
 */
export const OPEN_MS_RELATIVE_TOLERANCE = 0.3;
export const OPEN_MS_MINIMUM_TOLERANCE = 300;

export function openMsWithinBand(reference: number, actual: number): boolean {
  const tolerance = Math.max(reference * OPEN_MS_RELATIVE_TOLERANCE, OPEN_MS_MINIMUM_TOLERANCE);
  return Math.abs(actual - reference) <= tolerance;
}

/** The views of both sides, ready for `expect(wslab).toEqual(httpd)`. */
export function comparableViews(scenario: Scenario, httpd: SideResult, wslab: SideResult): { httpd: unknown; wslab: unknown } {
  if (httpd.kind === 'run' && wslab.kind === 'run' && scenario.kind === 'run') return runViews(scenario, httpd, wslab);
  if (httpd.kind === 'configtest' && wslab.kind === 'configtest') {
    return { httpd: { exitCode: httpd.exitCode, output: httpd.output }, wslab: { exitCode: wslab.exitCode, output: wslab.output } };
  }
  if (httpd.kind === 'startup-failure' && wslab.kind === 'startup-failure') {
    return { httpd: startupView(httpd), wslab: startupView(wslab) };
  }
  throw new Error(`results of different kinds: httpd ${httpd.kind}, wslab ${wslab.kind}`);
}

/**
 * Codes that describe the machine, not the config: Debian's mod_ssl warns with AH01882 at every
 * start when it was built against a newer OpenSSL than the one installed.
 */
const MACHINE_CODES: ReadonlySet<string> = new Set(['AH01882']);

function startupView(result: StartupFailureSideResult): unknown {
  return { started: result.started, exitCode: result.exitCode, errorLogCodes: result.errorLogCodes.filter((code) => !MACHINE_CODES.has(code)).sort() };
}

function runViews(scenario: RunScenario, httpd: RunSideResult, wslab: RunSideResult): { httpd: unknown; wslab: unknown } {
  if (!httpd.started) throw new Error(`real httpd did not start:\n${httpd.exit.output}\n${httpd.errorLog}`);
  if (!wslab.started) {
    return {
      httpd: { started: true },
      wslab: { started: false, exitCode: wslab.exit.exitCode, output: wslab.exit.output.trim(), errorLog: wslab.errorLog.trim() },
    };
  }
  const httpdViews: Record<string, unknown> = {};
  const wslabViews: Record<string, unknown> = {};
  for (const reference of httpd.probes) {
    const actual = wslab.probes.find((probe) => probe.id === reference.id);
    httpdViews[reference.id] = outcomeView(scenario, reference, reference.outcome);
    wslabViews[reference.id] = actual ? outcomeView(scenario, actual, reference.outcome) : 'probe did not run';
  }
  // Lines that only reach the files when the server stops (BufferedLogs) belong to no probe.
  const afterStop = logViews(scenario, httpd.logsAfterStop);
  if (Object.keys(afterStop).length > 0) {
    httpdViews['(after stop)'] = afterStop;
    wslabViews['(after stop)'] = logViews(scenario, wslab.logsAfterStop);
  }
  return { httpd: httpdViews, wslab: wslabViews };
}

/** The compared fields of one probe; `reference` (httpd's outcome) decides whether openMs is in band. */
function outcomeView(scenario: RunScenario, record: ProbeRecord, reference: ProbeOutcome): Record<string, unknown> {
  const outcome = record.outcome;
  const view: Record<string, unknown> = logViews(scenario, record.logs);
  const compared = new Set<ComparableField>(scenario.compare);
  if (compared.has('status')) view.status = outcome.status;
  if (compared.has('headers')) view.headers = pickHeaders(outcome.headers, [...UPGRADE_RESPONSE_HEADERS, ...scenario.responseHeaders]);
  if (compared.has('received')) view.received = outcome.received;
  if (compared.has('closeCode')) view.closeCode = outcome.closeCode ?? null;
  if (compared.has('openMs') && reference.openMs !== undefined && reference.openMs >= OPEN_MS_MINIMUM_TOLERANCE) {
    // Short-lived tunnels are not timing checks; only lifetimes a timeout decides are compared.
    const inBand = outcome.openMs !== undefined && openMsWithinBand(reference.openMs, outcome.openMs);
    view.openMs = inBand ? `${reference.openMs} ms ±30%` : `${outcome.openMs ?? 'never opened'} ms`;
  }
  if (compared.has('opened')) view.opened = outcome.opened ?? null;
  if (compared.has('backendSaw')) view.backendSaw = outcome.backendSaw.map((seen) => backendView(seen, scenario.backendHeaders));
  if (compared.has('errorLogCodes')) view.errorLogCodes = [...outcome.errorLogCodes].sort();
  if (compared.has('body')) view.body = outcome.body ?? null;
  return view;
}

/** Log lines per file, for the opt-in accessLog and errorLogLines fields. */
function logViews(scenario: RunScenario, logs: LogSlices): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (scenario.compare.includes('accessLog')) view.accessLog = logs.access;
  if (scenario.compare.includes('errorLogLines')) view.errorLogLines = logs.error;
  return view;
}

function backendView(seen: BackendObservation, extraHeaders: string[]): unknown {
  return { backend: seen.backend, method: seen.method, path: seen.path, headers: pickHeaders(seen.headers, [...BACKEND_HEADERS, ...extraHeaders]) };
}

function pickHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of new Set(names)) {
    const value = headers[name];
    if (value === undefined) continue;
    picked[name] = PRESENCE_ONLY_HEADERS.has(name) ? '(present)' : value;
  }
  return picked;
}
