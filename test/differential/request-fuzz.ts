/**
 * Differential request fuzzer: for each `run` scenario, start real httpd and wslab on the
 * scenario's own config exactly as the suite does (same backends, same variables, via
 * runScenarioSide), send both the same generated probes, and compare the fields the suite compares
 * (comparableViews). Probes are derived from the config: the URL-paths it mentions, twisted the way
 * clients and learners twist them (trailing slash, deeper path, sibling prefix, case, `//`, `/./`,
 * `..`, percent-encoding, a query string), sent as WebSocket upgrades and as plain requests, with
 * Host headers taken from ServerName/ServerAlias.
 *
 *   node test/differential/request-fuzz.ts [--seed S] [--probes N] [--jobs J] [--only PREFIX] [--out DIR]
 *
 * Deterministic for a seed: the probes of a scenario depend only on (seed, scenario name, config).
 * A developer tool, not part of `npm test`; see README.md ("Fuzzing requests").
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probe } from '../../sandbox/engine/probe.ts';
import { comparableViews } from './harness/compare-outcomes.ts';
import { parseFuzzOptionsOrExit } from './harness/fuzz-options.ts';
import { derivedSeed, rng } from './harness/random.ts';
import type { Random } from './harness/random.ts';
import { runScenarioSide } from './harness/run-scenario-side.ts';
import type { RunSideResult, SideResult } from './harness/run-scenario-side.ts';
import { loadScenarios } from './harness/scenario-files.ts';
import type { RunScenario, ScenarioProbe } from './harness/scenario-files.ts';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  seed: number;
  probes: number;
  jobs: number;
  only: string[];
  out: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { numbers, only, out } = parseFuzzOptionsOrExit(argv, { seed: 1, probes: 12, jobs: 1 }, 'request-fuzz.ts [--seed S] [--probes N] [--jobs J] [--only PREFIX] [--out DIR]');
  return { ...numbers, only, out };
}

// ---------------------------------------------------------------------------------------------
// What the config mentions

interface ConfigFacts {
  /** URL-paths (or the literal start of a regex) the config routes on, deduplicated. */
  paths: string[];
  /** ServerName / ServerAlias names, without scheme or port. */
  names: string[];
  /** A TLS listener on ${PROXY_TLS_PORT} exists. */
  tls: boolean;
}

/** The literal start of a regex: `^/ws/(.*)$` → `/ws/`, `^/?chat` → `/chat`. */
export function regexPrefix(pattern: string): string {
  let source = pattern.replace(/^\(\?i\)/, '').replace(/^\^/, '');
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const escaped = source[i + 1];
      if (escaped === undefined || /[A-Za-z0-9]/.test(escaped)) break;
      out += escaped;
      i++;
      continue;
    }
    if (char === '?' || char === '*') {
      // The character before is optional: keep a slash (a learner writes it), drop anything else.
      if (out.endsWith('/') && char === '?') continue;
      out = out.slice(0, -1);
      break;
    }
    if ('()[]{}.+|$'.includes(char)) break;
    out += char;
  }
  source = out;
  return source.startsWith('/') ? source : `/${source}`;
}

const unquote = (word: string) => word.replace(/^["']|["']$/g, '');

export function configFacts(configText: string): ConfigFacts {
  const paths = new Set<string>();
  const names = new Set<string>();
  const add = (path: string | undefined) => {
    if (path && path.startsWith('/') && !path.includes('${')) paths.add(path);
  };
  for (const rawLine of configText.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('#') || line === '') continue;
    const words = [...line.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((match) => unquote(match[0]));
    const directive = words[0].replace(/^</, '').replace(/>$/, '').toLowerCase();
    const args = words.slice(1).map((word) => word.replace(/>$/, '')).filter((word) => word !== '');
    switch (directive) {
      case 'location':
      case 'directory':
        if (args[0] === '~' && args[1]) add(regexPrefix(args[1]));
        else if (directive === 'location') add(args[0]);
        break;
      case 'locationmatch':
        if (args[0]) add(regexPrefix(args[0]));
        break;
      case 'proxypass':
      case 'proxypassreverse':
      case 'alias':
        if (args[0]?.startsWith('/')) add(args[0]);
        break;
      case 'proxypassmatch':
      case 'aliasmatch':
      case 'redirectmatch':
        for (const arg of args) {
          if (/^[\^(/]/.test(arg)) {
            add(regexPrefix(arg));
            break;
          }
        }
        break;
      case 'redirect':
      case 'redirectpermanent':
      case 'redirecttemp':
        add(args.find((arg) => arg.startsWith('/')));
        break;
      case 'rewriterule':
        if (args[0]) add(regexPrefix(args[0]));
        break;
      case 'rewritecond':
        if (/REQUEST_URI|THE_REQUEST/i.test(args[0] ?? '') && args[1]) add(regexPrefix(args[1].replace(/^!/, '')));
        break;
      case 'servername':
      case 'serveralias':
        for (const arg of args) {
          const name = arg.replace(/^\w+:\/\//, '').replace(/:[^:]*$/, '').replace(/\*/g, 'a').replace(/\?/g, 'b');
          if (name && !name.includes('${')) names.add(name);
        }
        break;
    }
  }
  paths.add('/');
  return { paths: [...paths].sort(), names: [...names].sort(), tls: /^\s*Listen\s+\S*\$\{PROXY_TLS_PORT\}/im.test(configText) };
}

// ---------------------------------------------------------------------------------------------
// Probes

/** A path variant: how a config path was twisted. */
interface PathVariant {
  variant: string;
  path: string;
}

function encodeOne(path: string, random: Random): string {
  const letters = [...path].flatMap((char, index) => (/[A-Za-z0-9._~-]/.test(char) ? [index] : []));
  if (letters.length === 0) return path;
  const at = random.pick(letters);
  const code = path.charCodeAt(at).toString(16).toUpperCase().padStart(2, '0');
  return `${path.slice(0, at)}%${random.chance(0.3) ? code.toLowerCase() : code}${path.slice(at + 1)}`;
}

function swapCase(path: string, random: Random): string {
  const letters = [...path].flatMap((char, index) => (/[a-z]/i.test(char) ? [index] : []));
  if (letters.length === 0) return path.toUpperCase();
  if (random.chance(0.5)) return path.toUpperCase();
  const at = random.pick(letters);
  const char = path[at];
  return path.slice(0, at) + (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()) + path.slice(at + 1);
}

const DEEPER = ['room/1', 'chat', 'a/b/c', 'x', 'page.txt', 'socket.io/', 'sub/'];
const SPECIAL_ENCODED = ['%2F', '%2f', '%20', '%25', '%3F', '%23', '%2E', '%7E', '%C3%A9', '%00', '%zz', '+', '~', ';x=1', '%3B'];

/** One twisted version of a config path. */
function pathVariant(base: string, random: Random): PathVariant {
  const trimmed = base.length > 1 ? base.replace(/\/+$/, '') : '';
  const withSlash = `${trimmed}/`;
  const deeper = random.pick(DEEPER);
  const options: Array<() => PathVariant> = [
    () => ({ variant: 'exact', path: base }),
    () => ({ variant: 'no-trailing-slash', path: trimmed || '/' }),
    () => ({ variant: 'trailing-slash', path: withSlash }),
    () => ({ variant: 'deeper', path: `${withSlash}${deeper}` }),
    () => ({ variant: 'sibling', path: trimmed ? `${trimmed}x` : '/x' }),
    () => ({ variant: 'sibling', path: trimmed ? `${trimmed}-${deeper.replace(/\/.*/, '')}` : '/other' }),
    () => ({ variant: 'case', path: swapCase(withSlash + (random.chance(0.5) ? deeper : ''), random) }),
    () => ({ variant: 'double-slash-before', path: `/${withSlash}${random.chance(0.5) ? deeper : ''}` }),
    () => ({ variant: 'double-slash-after', path: `${withSlash}/${deeper}` }),
    () => ({ variant: 'double-slash-inside', path: `${withSlash}${deeper.replace(/\//, '//')}` }),
    () => ({ variant: 'dot-segment', path: `${withSlash}./${deeper}` }),
    () => ({ variant: 'dot-segment-before', path: `/.${withSlash}${random.chance(0.5) ? deeper : ''}` }),
    () => ({ variant: 'dotdot-out', path: `${withSlash}../${random.pick(['x', 'other/', trimmed.slice(1) || 'y'])}` }),
    () => ({ variant: 'dotdot-in', path: `/x/..${withSlash}${random.chance(0.5) ? deeper : ''}` }),
    () => ({ variant: 'dotdot-above-root', path: `/..${withSlash}${deeper}` }),
    () => ({ variant: 'percent-encoded', path: encodeOne(withSlash + deeper, random) }),
    () => ({ variant: 'percent-special', path: `${withSlash}${deeper.replace(/\/.*/, '')}${random.pick(SPECIAL_ENCODED)}${random.chance(0.5) ? 'y' : ''}` }),
    () => ({ variant: 'query', path: `${random.chance(0.5) ? base : withSlash + deeper}?${random.pick(['a=1', 'token=x%20y', '', 'a=1&b=/c', 'x=%2F'])}` }),
    () => ({ variant: 'fragment-ish', path: `${withSlash}${deeper}%23frag` }),
  ];
  return random.pick(options)();
}

/** A path variant a WebSocket client library sends unchanged (no dot segments for URL parsing to fold). */
const needsRaw = (path: string) => /(^|\/)\.\.?(\/|$|\?)/.test(path) || /%00|%zz|[^\x21-\x7e]/.test(path);

interface GeneratedProbe {
  id: string;
  /** Short description of how it was made, for grouping. */
  variant: string;
  probe: Probe;
}

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function hostVariant(facts: ConfigFacts, tls: boolean, random: Random): { label: string; host: string | undefined } {
  const port = tls ? '${PROXY_TLS_PORT}' : '${PROXY_PORT}';
  const choices: Array<() => { label: string; host: string | undefined }> = [
    () => ({ label: 'default', host: undefined }),
    () => ({ label: 'default', host: undefined }),
    () => ({ label: 'ip', host: `127.0.0.1:${port}` }),
    () => ({ label: 'unknown', host: random.chance(0.5) ? 'unknown.example' : `unknown.example:${port}` }),
  ];
  if (facts.names.length > 0) {
    choices.push(
      () => ({ label: 'name', host: random.pick(facts.names) }),
      () => ({ label: 'name:port', host: `${random.pick(facts.names)}:${port}` }),
      () => ({ label: 'name:port', host: `${random.pick(facts.names)}:${port}` }),
      () => ({ label: 'NAME', host: `${random.pick(facts.names).toUpperCase()}:${port}` }),
      () => ({ label: 'name:otherport', host: `${random.pick(facts.names)}:8080` }),
    );
  }
  return random.pick(choices)();
}

/** A raw request line and headers, CRLF-joined, as a client that does not normalise would send. */
function rawRequest(method: string, path: string, host: string | undefined, upgrade: boolean): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host ?? 'localhost:${PROXY_PORT}'}`];
  if (upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 13');
  else lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function generateProbes(facts: ConfigFacts, random: Random, count: number): GeneratedProbe[] {
  const probes: GeneratedProbe[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; probes.length < count && attempt < count * 10; attempt++) {
    const base = random.pick(facts.paths);
    const { variant, path } = pathVariant(base, random);
    const tls = facts.tls && random.chance(0.25);
    const host = hostVariant(facts, tls, random);
    const roll = random.next();
    const asWebSocket = roll < 0.55;
    const method = asWebSocket ? 'GET' : random.pick(['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS']);
    let probe: Probe;
    let kind: string;
    if (needsRaw(path) && !tls) {
      kind = asWebSocket ? 'raw-ws' : `raw-${method}`;
      probe = { kind: 'raw', data: rawRequest(method === 'HEAD' ? 'GET' : method, path, host.host, asWebSocket) };
    } else if (needsRaw(path)) {
      continue;
    } else if (asWebSocket) {
      kind = 'ws';
      probe = { kind: 'ws', path, send: [{ text: 'hello' }], ...(host.host === undefined ? {} : { host: host.host }), ...(tls ? { tls: true } : {}) };
    } else {
      kind = `http-${method}`;
      probe = {
        kind: 'http',
        method,
        path,
        ...(host.host === undefined ? {} : { host: host.host }),
        ...(method === 'POST' ? { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        ...(tls ? { tls: true } : {}),
      };
    }
    const key = JSON.stringify(probe);
    if (seen.has(key)) continue;
    seen.add(key);
    const id = `p${String(probes.length).padStart(2, '0')}`;
    probes.push({ id, variant: `${kind}${tls ? '+tls' : ''} ${variant} host=${host.label}`, probe });
  }
  return probes;
}

// ---------------------------------------------------------------------------------------------
// Running and comparing

/** The scenario with its own probes replaced by generated ones (no expectations: only compared). */
function withProbes(scenario: RunScenario, probes: GeneratedProbe[]): RunScenario {
  const scenarioProbes: ScenarioProbe[] = probes.map((generated) => ({ id: generated.id, probe: generated.probe, expect: {} }));
  return { ...scenario, probes: scenarioProbes };
}

interface ProbeMismatch {
  scenario: string;
  generated: GeneratedProbe;
  httpd: unknown;
  wslab: unknown;
  signature: string;
  nondeterministic: boolean;
  saved: string;
}

/** The fields whose values differ, with short values where they explain the class. */
function differenceOf(httpd: Record<string, unknown>, wslab: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const field of new Set([...Object.keys(httpd), ...Object.keys(wslab)])) {
    const a = httpd[field];
    const b = wslab[field];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (field === 'status' || field === 'closeCode') parts.push(`${field} ${String(a)}≠${String(b)}`);
    else if (field === 'errorLogCodes') parts.push(`AH [${(a as string[]).join(',')}]≠[${(b as string[]).join(',')}]`);
    else if (field === 'backendSaw') parts.push(backendDifference(a as BackendView[], b as BackendView[]));
    else if (field === 'headers') {
      const names = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      const differing = [...names].filter((name) => (a as Record<string, string>)[name] !== (b as Record<string, string>)[name]);
      parts.push(`headers(${differing.join(',')})`);
    } else parts.push(field);
  }
  return parts.join(' ');
}

interface BackendView {
  backend: string;
  method: string;
  path: string;
  headers: Record<string, string>;
}

function backendDifference(a: BackendView[], b: BackendView[]): string {
  if (a.length !== b.length) return `backends ${a.length}≠${b.length}`;
  const fields = new Set<string>();
  a.forEach((seen, index) => {
    const other = b[index];
    for (const key of ['backend', 'method', 'path'] as const) if (seen[key] !== other[key]) fields.add(key);
    for (const name of new Set([...Object.keys(seen.headers), ...Object.keys(other.headers)])) {
      if (seen.headers[name] !== other.headers[name]) fields.add(name);
    }
  });
  return `backend(${[...fields].join(',')})`;
}

function saveMismatch(runDir: string, scenario: RunScenario, mismatch: Omit<ProbeMismatch, 'saved'>, outcomes: { httpd: unknown; wslab: unknown }): string {
  const dir = join(runDir, 'mismatches', scenario.name, `${mismatch.generated.id}`);
  mkdirSync(dir, { recursive: true });
  // The whole scenario folder, with this probe as its only probe: `measure.ts` and the suite run it as is.
  cpSync(scenario.dir, dir, { recursive: true });
  writeFileSync(
    join(dir, 'scenario.json'),
    `${JSON.stringify({ description: `fuzzed from ${scenario.name}: ${mismatch.generated.variant}`, kind: 'run', probes: [{ id: mismatch.generated.id, probe: mismatch.generated.probe, expect: { status: 0 } }], compare: scenario.compare }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, 'mismatch.json'),
    `${JSON.stringify({ scenario: scenario.name, variant: mismatch.generated.variant, signature: mismatch.signature, nondeterministic: mismatch.nondeterministic, probe: mismatch.generated.probe, httpd: mismatch.httpd, wslab: mismatch.wslab, outcomes }, null, 2)}\n`,
  );
  return dir;
}

function probeOutcomes(result: SideResult, id: string): unknown {
  return result.kind === 'run' && result.started ? result.probes.find((probe) => probe.id === id)?.outcome : undefined;
}

/**
 * The app backend echoes the request it saw as its body, random Sec-WebSocket-Key included; in a
 * compared body only that key's presence counts, as in the backend headers.
 */
function maskRandomKeys<T>(views: T): T {
  return JSON.parse(JSON.stringify(views).replace(/(\\"sec-websocket-key\\":\\")[^"\\]*(\\")/gi, '$1(present)$2')) as T;
}

interface ScenarioReport {
  tried: number;
  matches: number;
  mismatches: ProbeMismatch[];
  skipped?: string;
}

async function fuzzScenario(scenario: RunScenario, options: Options, runDir: string): Promise<ScenarioReport> {
  const facts = configFacts(scenario.configText);
  const generated = generateProbes(facts, rng(derivedSeed(options.seed, scenario.name)), options.probes);
  if (generated.length === 0) return { tried: 0, matches: 0, mismatches: [], skipped: 'no probes' };
  const fuzzed = withProbes(scenario, generated);
  const [httpd, wslab] = await Promise.all([runScenarioSide(fuzzed, 'httpd'), runScenarioSide(fuzzed, 'wslab')]);
  if (httpd.kind !== 'run' || !httpd.started) return { tried: 0, matches: 0, mismatches: [], skipped: 'httpd did not start' };
  const views = maskRandomKeys(comparableViews(fuzzed, httpd, wslab)) as { httpd: Record<string, Record<string, unknown>>; wslab: Record<string, unknown> };
  const report: ScenarioReport = { tried: generated.length, matches: 0, mismatches: [] };
  const differing: GeneratedProbe[] = [];
  for (const probe of generated) {
    if (JSON.stringify(views.httpd[probe.id]) === JSON.stringify(views.wslab[probe.id])) report.matches++;
    else differing.push(probe);
  }
  if (differing.length === 0) return report;
  // httpd once more on the same probes (earlier probes leave state: pooled connections, which child
  // process resolved a backend): an outcome that changes is not a divergence.
  const again = (await runScenarioSide(fuzzed, 'httpd')) as RunSideResult;
  const againViews = again.started ? (maskRandomKeys(comparableViews(fuzzed, again, again)).httpd as Record<string, unknown>) : {};
  for (const probe of differing) {
    const httpdView = views.httpd[probe.id];
    const wslabView = views.wslab[probe.id];
    const nondeterministic = JSON.stringify(againViews[probe.id]) !== JSON.stringify(httpdView);
    const kind = probe.variant.split(' ')[0];
    const variant = probe.variant.split(' ')[1];
    const difference = typeof wslabView === 'object' && wslabView !== null ? differenceOf(httpdView, wslabView as Record<string, unknown>) : String(wslabView);
    const signature = `${nondeterministic ? '[httpd nondeterministic] ' : ''}${kind} ${variant}: ${difference}`;
    const mismatch = { scenario: scenario.name, generated: probe, httpd: httpdView, wslab: wslabView, signature, nondeterministic };
    const saved = saveMismatch(runDir, scenario, mismatch, { httpd: probeOutcomes(httpd, probe.id), wslab: probeOutcomes(wslab, probe.id) });
    report.mismatches.push({ ...mismatch, saved });
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scenarios = loadScenarios().filter(
    (scenario): scenario is RunScenario => scenario.kind === 'run' && (options.only.length === 0 || options.only.some((prefix) => scenario.name.startsWith(prefix))),
  );
  if (scenarios.length === 0) throw new Error('no run scenario matches --only');
  const runDir = options.out ?? mkdtempSync(join(tmpdir(), `wslab-request-fuzz-${options.seed}-`));
  rmSync(join(runDir, 'mismatches'), { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  chmodSync(runDir, 0o755);
  const started = Date.now();
  let tried = 0;
  let matches = 0;
  const mismatches: ProbeMismatch[] = [];
  const skipped: string[] = [];
  let next = 0;

  async function worker(): Promise<void> {
    for (;;) {
      const scenario = scenarios[next++];
      if (scenario === undefined) return;
      const report = await fuzzScenario(scenario, options, runDir).catch((error: unknown): ScenarioReport => ({ tried: 0, matches: 0, mismatches: [], skipped: String(error) }));
      tried += report.tried;
      matches += report.matches;
      mismatches.push(...report.mismatches);
      if (report.skipped) skipped.push(`${scenario.name}: ${report.skipped.split('\n')[0]}`);
      process.stderr.write(`${scenario.name}: ${report.matches}/${report.tried}${report.skipped ? ` (skipped: ${report.skipped.split('\n')[0]})` : ''}\n`);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, () => worker()));

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`request fuzz: seed ${options.seed}, ${options.probes} probes per scenario, ${scenarios.length} run scenarios, ${seconds} s`);
  const rate = tried === 0 ? 0 : (100 * matches) / tried;
  console.log(`tried ${tried} probes: ${matches} match, ${mismatches.length} mismatch (${rate.toFixed(1)} % match)`);
  for (const line of skipped) console.log(`  skipped ${line}`);
  const groups = new Map<string, ProbeMismatch[]>();
  for (const mismatch of mismatches) groups.set(mismatch.signature, [...(groups.get(mismatch.signature) ?? []), mismatch]);
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  console.log(`${groups.size} mismatch groups`);
  for (const [signature, group] of sorted) {
    console.log(`\n${group.length} × ${signature}`);
    for (const mismatch of group.slice(0, 3)) console.log(`    ${mismatch.saved}  ${JSON.stringify(mismatch.generated.probe).slice(0, 160)}`);
  }
  if (mismatches.length > 0) console.log(`\nmismatches saved under ${join(runDir, 'mismatches')} (a scenario folder per probe, plus mismatch.json)`);
  writeFileSync(
    join(runDir, 'summary.json'),
    JSON.stringify(
      {
        seed: options.seed,
        probes: options.probes,
        tried,
        matches,
        skipped,
        mismatches: mismatches.map((m) => ({ scenario: m.scenario, id: m.generated.id, variant: m.generated.variant, signature: m.signature, probe: m.generated.probe, saved: m.saved })),
      },
      null,
      2,
    ),
  );
}

await main();
process.exit(0);
