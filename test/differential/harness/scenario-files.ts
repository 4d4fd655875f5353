/**
 * The on-disk scenario format (see ../README.md): one folder per scenario with `httpd.conf` and
 * `scenario.json`. Loading validates the JSON so a typo in a scenario fails loudly instead of
 * silently checking nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Expectation, Probe, ProbeSetup } from '../../../sandbox/engine/probe.ts';
import type { LogMask } from './log-lines.ts';

/**
 * Outcome fields the comparison knows. Opt-in: `body` (error pages differ in wording), and the
 * exact log lines `accessLog` and `errorLogLines` (most scenarios are about routing, not logs).
 */
export const COMPARABLE_FIELDS = ['status', 'headers', 'received', 'closeCode', 'openMs', 'opened', 'backendSaw', 'errorLogCodes', 'body', 'accessLog', 'errorLogLines'] as const;
export type ComparableField = (typeof COMPARABLE_FIELDS)[number];
const OPT_IN_FIELDS: ReadonlySet<ComparableField> = new Set(['body', 'accessLog', 'errorLogLines']);
export const DEFAULT_COMPARED_FIELDS: readonly ComparableField[] = COMPARABLE_FIELDS.filter((field) => !OPT_IN_FIELDS.has(field));

export interface ScenarioProbe {
  id: string;
  setup?: ProbeSetup;
  probe: Probe;
  /** What real httpd did, as measured; checked on the httpd side of every run. */
  expect: Expectation;
  /**
   * Request headers no backend may have received (lower-case): an Expectation can only say what
   * must be present, and "the proxy dropped it" is the point of some scenarios.
   */
  absentBackendHeaders?: string[];
  /**
   * Exact lines each named log file (as the config names it under ${WORKDIR}) gained while the
   * probe ran, normalised as for the accessLog / errorLogLines comparison.
   */
  expectLogs?: Record<string, string[]>;
}

interface ScenarioCommon {
  /** Folder name, e.g. "01-first-match-wins". */
  name: string;
  dir: string;
  configPath: string;
  configText: string;
  description: string;
  /** The apache-reference.md row or issue behaviour this scenario pins down. */
  reference?: string;
}

/** Start the proxy on the config and send probes through it. */
export interface RunScenario extends ScenarioCommon {
  kind: 'run';
  probes: ScenarioProbe[];
  compare: readonly ComparableField[];
  /** Response headers compared besides the upgrade headers (lower-case). */
  responseHeaders: string[];
  /** Backend request headers compared besides the forwarding and WebSocket ones (lower-case). */
  backendHeaders: string[];
  /** Extra placeholders for varying parts of log lines (durations, pids), for accessLog/errorLogLines. */
  logMasks: LogMask[];
}

/** `apache2 -t -f FILE` against `wslab configtest FILE`. */
export interface ConfigtestScenario extends ScenarioCommon {
  kind: 'configtest';
  expect: { exitCode: number; output: string };
}

/** The config passes the syntax check but the server refuses to start. */
export interface StartupFailureScenario extends ScenarioCommon {
  kind: 'startup-failure';
  expect: { exitCode: number; errorLog: string[] };
}

export type Scenario = RunScenario | ConfigtestScenario | StartupFailureScenario;

export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios', import.meta.url));

/** Every scenario folder, in name order. */
export function loadScenarios(dir: string = SCENARIOS_DIR): Scenario[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => loadScenario(join(dir, name), name));
}

/** Read and validate one scenario folder. */
export function loadScenario(dir: string, name: string): Scenario {
  const configPath = join(dir, 'httpd.conf');
  const jsonPath = join(dir, 'scenario.json');
  if (!existsSync(configPath)) throw new Error(`${name}: missing httpd.conf`);
  if (!existsSync(jsonPath)) throw new Error(`${name}: missing scenario.json`);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  const common = {
    name,
    dir,
    configPath,
    configText: readFileSync(configPath, 'utf8'),
    description: requireString(json, 'description', name),
    reference: typeof json.reference === 'string' ? json.reference : undefined,
  };
  switch (json.kind) {
    case 'run':
      return { ...common, kind: 'run', ...parseRunFields(json, name) };
    case 'configtest': {
      const expect = json.expect as ConfigtestScenario['expect'] | undefined;
      if (!expect || typeof expect.exitCode !== 'number' || typeof expect.output !== 'string') {
        throw new Error(`${name}: a configtest scenario needs expect {exitCode, output}`);
      }
      return { ...common, kind: 'configtest', expect };
    }
    case 'startup-failure': {
      const expect = json.expect as StartupFailureScenario['expect'] | undefined;
      if (!expect || typeof expect.exitCode !== 'number' || !Array.isArray(expect.errorLog) || expect.errorLog.length === 0) {
        throw new Error(`${name}: a startup-failure scenario needs expect {exitCode, errorLog: [AH codes]}`);
      }
      return { ...common, kind: 'startup-failure', expect };
    }
    default:
      throw new Error(`${name}: kind must be "run", "configtest" or "startup-failure", not ${JSON.stringify(json.kind)}`);
  }
}

function parseRunFields(json: Record<string, unknown>, name: string): Omit<RunScenario, keyof ScenarioCommon | 'kind'> {
  if (!Array.isArray(json.probes) || json.probes.length === 0) throw new Error(`${name}: a run scenario needs probes`);
  const probes = json.probes as ScenarioProbe[];
  const ids = new Set<string>();
  for (const probe of probes) {
    if (typeof probe.id !== 'string' || ids.has(probe.id)) throw new Error(`${name}: every probe needs a unique id`);
    ids.add(probe.id);
    if (!probe.probe || !['ws', 'ws-many', 'http', 'raw'].includes(probe.probe.kind)) throw new Error(`${name}/${probe.id}: unknown probe kind`);
    if (!probe.expect || Object.keys(probe.expect).length === 0) {
      throw new Error(`${name}/${probe.id}: every probe needs a non-empty expect measured on real httpd`);
    }
    if (probe.absentBackendHeaders !== undefined) probe.absentBackendHeaders = lowerCaseList(probe.absentBackendHeaders);
  }
  const compare = (json.compare as ComparableField[] | undefined) ?? DEFAULT_COMPARED_FIELDS;
  const unknown = compare.filter((field) => !(COMPARABLE_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) throw new Error(`${name}: unknown compare fields ${unknown.join(', ')}`);
  return {
    probes,
    compare,
    responseHeaders: lowerCaseList(json.responseHeaders),
    backendHeaders: lowerCaseList(json.backendHeaders),
    logMasks: parseLogMasks(json.logMasks, name),
  };
}

function parseLogMasks(value: unknown, name: string): LogMask[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${name}: logMasks must be a list of {pattern, replacement}`);
  return value.map((mask: unknown) => {
    const { pattern, replacement } = (mask ?? {}) as Partial<LogMask>;
    if (typeof pattern !== 'string' || typeof replacement !== 'string') throw new Error(`${name}: every logMasks entry needs pattern and replacement strings`);
    new RegExp(pattern, 'g'); // a malformed pattern fails here, at load time
    return { pattern, replacement };
  });
}

function lowerCaseList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item).toLowerCase()) : [];
}

function requireString(json: Record<string, unknown>, field: string, name: string): string {
  const value = json[field];
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${name}: "${field}" must be a non-empty string`);
  return value;
}
