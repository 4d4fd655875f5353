/**
 * Differential config-test fuzzer: small, plausible learner mistakes applied to the differential
 * scenarios' httpd.conf files, each mutant checked with `apache2 -t -f FILE` and with wslab's
 * configtest (in process, with the options `wslab configtest` uses). Every difference in exit code
 * or normalised output is recorded with the mutant.
 *
 *   node test/differential/configtest-fuzz.ts [--count N] [--seed S] [--jobs J] [--only PREFIX] [--out DIR]
 *
 * Deterministic for a seed: mutant i depends only on (seed, i), so a larger --count extends a run.
 * A developer tool, not part of `npm test`; see README.md ("Fuzzing the config test").
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configtest } from '../../sandbox/engine/config/configtest.ts';
import { nodeFileSystem, readConfigFile } from '../../sandbox/cli/config-file.ts';
import { toPlaceholders } from './harness/placeholders.ts';
import type { Variables } from './harness/placeholders.ts';
import { runToCompletion } from './harness/proxy-process.ts';
import { copyScenarioFiles, MODULE_DIR, normaliseProcessOutput, sideCommand, writeCertificates } from './harness/run-scenario-side.ts';
import { parseFuzzOptionsOrExit } from './harness/fuzz-options.ts';
import { derivedSeed, rng } from './harness/random.ts';
import type { Random } from './harness/random.ts';
import { loadScenarios } from './harness/scenario-files.ts';
import type { Scenario } from './harness/scenario-files.ts';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  count: number;
  seed: number;
  jobs: number;
  only: string[];
  out: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { numbers, only, out } = parseFuzzOptionsOrExit(argv, { count: 200, seed: 1, jobs: Math.max(1, Math.min(4, cpus().length)) }, 'configtest-fuzz.ts [--count N] [--seed S] [--jobs J] [--only PREFIX] [--out DIR]');
  return { ...numbers, only, out };
}

// ---------------------------------------------------------------------------------------------
// Mutations: each takes the config's lines and returns new lines, or null when it does not apply.

type Mutation = (lines: string[], random: Random) => string[] | null;

const isBlankOrComment = (line: string) => /^\s*(#|$)/.test(line);
const isSectionOpen = (line: string) => /^\s*<[A-Za-z]/.test(line);
const isSectionClose = (line: string) => /^\s*<\//.test(line);
const isDirective = (line: string) => !isBlankOrComment(line) && !isSectionOpen(line) && !isSectionClose(line);

function indexes(lines: string[], test: (line: string, index: number) => boolean): number[] {
  return lines.flatMap((line, index) => (test(line, index) ? [index] : []));
}

/** Section depth before each line. */
function depths(lines: string[]): number[] {
  let depth = 0;
  return lines.map((line) => {
    const before = depth;
    if (isSectionOpen(line)) depth++;
    else if (isSectionClose(line)) depth = Math.max(0, depth - 1);
    return before;
  });
}

function pickIndex(lines: string[], random: Random, test: (line: string, index: number) => boolean): number | null {
  const found = indexes(lines, test);
  return found.length === 0 ? null : random.pick(found);
}

function withLine(lines: string[], index: number, line: string): string[] {
  const copy = [...lines];
  copy[index] = line;
  return copy;
}

/** One-letter edit: delete, substitute, double or transpose a letter. */
function misspell(word: string, random: Random): string {
  if (word.length < 2) return word + 'x';
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const at = 1 + random.int(word.length - 1);
  switch (random.int(4)) {
    case 0:
      return word.slice(0, at) + word.slice(at + 1);
    case 1: {
      const letter = random.pick([...letters]);
      return word.slice(0, at) + (word[at] === word[at]?.toUpperCase() ? letter.toUpperCase() : letter) + word.slice(at + 1);
    }
    case 2:
      return word.slice(0, at) + word[at] + word.slice(at);
    default:
      return at + 1 < word.length ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word.slice(0, -1);
  }
}

/** The words of a line with their offsets (quotes kept as part of the word). */
function words(line: string): Array<{ text: string; start: number }> {
  return [...line.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((match) => ({ text: match[0], start: match.index ?? 0 }));
}

function replaceWord(line: string, word: { text: string; start: number }, text: string): string {
  return line.slice(0, word.start) + text + line.slice(word.start + word.text.length);
}

const SECTION_NAMES = /^\s*<(Location|LocationMatch|VirtualHost|Proxy|ProxyMatch|Directory|DirectoryMatch|Files|If|Else|ElseIf|IfModule)\b/i;

/** Directives a learner adds while following a tutorial (inserted somewhere plausible). */
const EXTRA_DIRECTIVES = [
  'ProxyPreserveHost On',
  'ProxyRequests Off',
  'ProxyRequests On',
  'RewriteEngine On',
  'RewriteCond %{HTTP:Upgrade} websocket [NC]',
  'RewriteRule ^/?(.*) ws://127.0.0.1:${ECHO_PORT}/$1 [P,L]',
  'ProxyWebsocketFallbackToProxyHttp Off',
  'ProxyTimeout 60',
  'Timeout 0',
  'KeepAlive On',
  'ProxyPass /ws ws://127.0.0.1:${ECHO_PORT}/',
  'ProxyPassReverse /ws ws://127.0.0.1:${ECHO_PORT}/',
  'ProxyPass /app http://127.0.0.1:${APP_PORT}/ upgrade=websocket',
  'Header always set X-Test "1"',
  'RequestHeader set X-Forwarded-Proto "https"',
  'SSLProxyEngine On',
  'SSLEngine on',
  'ServerName example.test',
  'ServerAlias www.example.test',
  'Require all granted',
  'Require local',
  'Options -Indexes',
  'AllowOverride None',
  'ProxyAddHeaders Off',
  'ProxyIOBufferSize 65536',
  'LogLevel proxy:trace2',
  'LogLevel debug proxy_wstunnel:trace8',
  'Listen 127.0.0.1:${PROXY_PORT}',
  'LoadModule proxy_wstunnel_module ${MODDIR}/mod_proxy_wstunnel.so',
  'LoadModule rewrite_module ${MODDIR}/mod_rewrite.so',
  'LoadModule headers_module ${MODDIR}/mod_headers.so',
  'LoadModule ssl_module ${MODDIR}/mod_ssl.so',
  'Protocols h2 http/1.1',
  'H2WebSockets on',
  'ProxyErrorOverride On',
  'ProxyBadHeader Ignore',
  'ProxyVia On',
  'SetEnv proxy-initial-not-pooled 1',
  'SetEnvIf Upgrade websocket is_ws',
  'MaxRequestWorkers 4',
  'ThreadsPerChild 25',
  'ServerLimit 1',
];

const PROXY_KEYS = ['timeout', 'retry', 'upgrade', 'disablereuse', 'enablereuse', 'flushpackets', 'keepalive', 'connectiontimeout', 'max', 'ttl', 'smax', 'min', 'acquire', 'ping', 'loadfactor', 'route', 'status', 'lbmethod', 'hcmethod', 'secret', 'iobuffersize', 'receivebuffersize', 'mapping', 'addressttl', 'responsefieldsize'];
const PROXY_VALUES = ['0', '-1', '4294967296', 'abc', '', 'On', 'Off', 'websocket', 'ws', '1s', '100ms', '5', 'servlet', '+H', 'byrequests'];

const NUMBER_REPLACEMENTS = ['0', '-1', '99999999999', '2147483648', '65536', 'abc', '1.5', '10s', '0x10', '+5', '007', ''];
const ON_OFF_REPLACEMENTS = ['Yes', 'No', 'true', 'false', '1', '0', 'Onn', 'Of', 'ON', 'off', 'enabled', 'none', '"On"', 'On Off'];

const SCHEMES = ['ws', 'wss', 'http', 'https', 'h2c', 'h2', 'balancer', 'fcgi', 'ajp', 'tcp', 'unix', 'http:/', 'htp', 'WS'];

export const MUTATIONS: Record<string, Mutation> = {
  'drop-line'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line) && !/^\s*LoadModule\b/i.test(line));
    return index === null ? null : lines.filter((_, i) => i !== index);
  },
  'drop-loadmodule'(lines, random) {
    const index = pickIndex(lines, random, (line) => /^\s*LoadModule\b/i.test(line) && !/mpm_/.test(line));
    return index === null ? null : lines.filter((_, i) => i !== index);
  },
  'duplicate-line'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line));
    return index === null ? null : [...lines.slice(0, index + 1), lines[index], ...lines.slice(index + 1)];
  },
  'swap-lines'(lines, random) {
    const candidates = indexes(lines, (line) => !isBlankOrComment(line));
    if (candidates.length < 2) return null;
    const at = random.int(candidates.length - 1);
    const [a, b] = [candidates[at], candidates[at + 1]];
    const copy = [...lines];
    [copy[a], copy[b]] = [copy[b], copy[a]];
    return copy;
  },
  'move-into-section'(lines, random) {
    const depth = depths(lines);
    const sections = indexes(lines, (line) => SECTION_NAMES.test(line));
    const directive = pickIndex(lines, random, (line, i) => isDirective(line) && depth[i] === 0 && !/^\s*LoadModule\b/i.test(line));
    if (sections.length === 0 || directive === null) return null;
    const target = random.pick(sections);
    const moved = lines[directive];
    const without = lines.filter((_, i) => i !== directive);
    const at = target > directive ? target : target + 1;
    return [...without.slice(0, at), `    ${moved.trim()}`, ...without.slice(at)];
  },
  'move-out-of-section'(lines, random) {
    const depth = depths(lines);
    const directive = pickIndex(lines, random, (line, i) => isDirective(line) && depth[i] > 0);
    if (directive === null) return null;
    const moved = lines[directive].trim();
    const without = lines.filter((_, i) => i !== directive);
    // Before the outermost section that held it, or at the end of the file.
    if (random.chance(0.5)) return [...without, moved];
    let start = directive;
    while (start > 0 && (depth[start] > 0 || !isSectionOpen(lines[start]))) start--;
    return [...without.slice(0, start), moved, ...without.slice(start)];
  },
  'number'(lines, random) {
    const candidates = lines.flatMap((line, index) =>
      isBlankOrComment(line) ? [] : [...line.matchAll(/(?<![\w$.{:/-])\d+(?![\w.}])/g)].map((match) => ({ index, start: match.index ?? 0, text: match[0] })),
    );
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    const line = lines[chosen.index];
    return withLine(lines, chosen.index, line.slice(0, chosen.start) + random.pick(NUMBER_REPLACEMENTS) + line.slice(chosen.start + chosen.text.length));
  },
  'on-off'(lines, random) {
    const candidates = lines.flatMap((line, index) =>
      isBlankOrComment(line) ? [] : words(line).slice(1).filter((word) => /^(on|off)$/i.test(word.text)).map((word) => ({ index, word })),
    );
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    return withLine(lines, chosen.index, replaceWord(lines[chosen.index], chosen.word, random.pick(ON_OFF_REPLACEMENTS)));
  },
  'misspell-directive'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line));
    if (index === null) return null;
    const line = lines[index];
    const match = /^(\s*<?\/?)([A-Za-z_][\w]*)/.exec(line);
    if (!match) return null;
    return withLine(lines, index, match[1] + misspell(match[2], random) + line.slice(match[0].length));
  },
  'misspell-keyword'(lines, random) {
    const candidates = lines.flatMap((line, index) =>
      isBlankOrComment(line) || isSectionClose(line) ? [] : words(line).slice(1).filter((word) => /^[A-Za-z][A-Za-z_-]+$/.test(word.text)).map((word) => ({ index, word })),
    );
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    return withLine(lines, chosen.index, replaceWord(lines[chosen.index], chosen.word, misspell(chosen.word.text, random)));
  },
  'change-case'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line));
    if (index === null) return null;
    const line = lines[index];
    const chosen = random.pick(words(line));
    const text = random.chance(0.5) ? chosen.text.toLowerCase() : chosen.text.toUpperCase();
    return text === chosen.text ? null : withLine(lines, index, replaceWord(line, chosen, text));
  },
  'quote'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line) && words(line).length > 1);
    if (index === null) return null;
    const line = lines[index];
    const quotes = [...line].flatMap((char, at) => (char === '"' || char === "'" ? [at] : []));
    const choice = random.int(4);
    if (choice === 0 && quotes.length > 0) {
      const at = random.pick(quotes);
      return withLine(lines, index, line.slice(0, at) + line.slice(at + 1));
    }
    const word = random.pick(words(line).slice(1));
    if (choice === 1) return withLine(lines, index, replaceWord(line, word, `"${word.text}`));
    if (choice === 2) return withLine(lines, index, replaceWord(line, word, `${word.text}"`));
    return withLine(lines, index, replaceWord(line, word, random.chance(0.5) ? `"${word.text}"` : `'${word.text}'`));
  },
  'drop-close-tag'(lines, random) {
    const index = pickIndex(lines, random, isSectionClose);
    return index === null ? null : lines.filter((_, i) => i !== index);
  },
  'mangle-section-tag'(lines, random) {
    const index = pickIndex(lines, random, (line) => isSectionOpen(line) || isSectionClose(line));
    if (index === null) return null;
    const line = lines[index];
    const edits: Array<() => string> = [
      () => line.replace(/>\s*$/, ''),
      () => line.replace(/^(\s*<\/?\w+)[^>]*>/, '$1>'),
      () => line.replace(/^(\s*<\/?)(\w+)/, (_, open: string, name: string) => open + ({ Location: 'LocationMatch', LocationMatch: 'Location', VirtualHost: 'Virtualhost', Proxy: 'ProxyMatch', ProxyMatch: 'Proxy', IfModule: 'IfDefine' } as Record<string, string>)[name] || `${open}${name}s`),
      () => line.replace(/>\s*$/, ' >'),
      () => line.replace(/^(\s*<)/, '$1 '),
      () => line.replace(/>\s*$/, '/>'),
    ];
    const result = random.pick(edits)();
    return result === line ? null : withLine(lines, index, result);
  },
  'scheme'(lines, random) {
    const candidates = lines.flatMap((line, index) =>
      isBlankOrComment(line) ? [] : [...line.matchAll(/\b([a-z][a-z0-9+]*):\/\//gi)].map((match) => ({ index, start: match.index ?? 0, scheme: match[1] })),
    );
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    const replacement = random.pick(SCHEMES.filter((scheme) => scheme !== chosen.scheme));
    const line = lines[chosen.index];
    const fixed = replacement.endsWith('/') ? `${replacement}/` : `${replacement}://`;
    return withLine(lines, chosen.index, line.slice(0, chosen.start) + fixed + line.slice(chosen.start + chosen.scheme.length + 3));
  },
  'trailing-comment'(lines, random) {
    const index = pickIndex(lines, random, (line) => !isBlankOrComment(line));
    if (index === null) return null;
    return withLine(lines, index, lines[index] + random.pick([' # note', ' #note', '  # the websocket route', ' #', ' // comment', ' ; comment']));
  },
  'proxy-key-value'(lines, random) {
    const index = pickIndex(lines, random, (line) => /^\s*(ProxyPass|ProxyPassMatch|BalancerMember|ProxySet)\s/i.test(line) && !/^\s*ProxyPass(Match)?\s+\S+\s+!\s*$/i.test(line));
    if (index === null) return null;
    const line = lines[index];
    const pairs = words(line).filter((word) => /^\w+=/.test(word.text));
    if (pairs.length > 0 && random.chance(0.6)) {
      const pair = random.pick(pairs);
      const [key, value] = [pair.text.slice(0, pair.text.indexOf('=')), pair.text.slice(pair.text.indexOf('=') + 1)];
      const edits = [
        () => `${misspell(key, random)}=${value}`,
        () => `${key}=${random.pick(PROXY_VALUES)}`,
        () => `${key} ${value}`,
        () => `${key} = ${value}`,
        () => `${key}=`,
        () => `${key.toUpperCase()}=${value}`,
        () => `${random.pick(PROXY_KEYS)}=${value}`,
      ];
      return withLine(lines, index, replaceWord(line, pair, random.pick(edits)()));
    }
    const added = random.chance(0.85) ? `${random.pick(PROXY_KEYS)}=${random.pick(PROXY_VALUES)}` : random.pick(['nocanon', 'interpolate', 'noquery', 'keepalive', 'upgrade']);
    return withLine(lines, index, `${line.trimEnd()} ${added}`);
  },
  'insert-directive'(lines, random) {
    const at = random.int(lines.length + 1);
    return [...lines.slice(0, at), random.pick(EXTRA_DIRECTIVES), ...lines.slice(at)];
  },
  'drop-argument'(lines, random) {
    const index = pickIndex(lines, random, (line) => isDirective(line) && words(line).length > 1);
    if (index === null) return null;
    const line = lines[index];
    const list = words(line);
    const word = list.length > 2 && random.chance(0.5) ? random.pick(list.slice(1)) : list[list.length - 1];
    return withLine(lines, index, (line.slice(0, word.start) + line.slice(word.start + word.text.length)).trimEnd());
  },
  'add-argument'(lines, random) {
    const index = pickIndex(lines, random, (line) => isDirective(line) || isSectionOpen(line));
    if (index === null) return null;
    const line = lines[index];
    const extra = random.pick(['On', 'extra', '/', '*', '"', 'http://127.0.0.1/', '1', '[L]']);
    if (isSectionOpen(line)) return withLine(lines, index, line.replace(/>\s*$/, ` ${extra}>`));
    return withLine(lines, index, `${line.trimEnd()} ${extra}`);
  },
  'slash'(lines, random) {
    const candidates = lines.flatMap((line, index) => (isBlankOrComment(line) ? [] : words(line).slice(1).filter((word) => /^["']?\//.test(word.text) || /:\/\//.test(word.text)).map((word) => ({ index, word }))));
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    const text = chosen.word.text;
    const edited = /\/["']?$/.test(text) ? text.replace(/\/(["']?)$/, '$1') : text.replace(/(["']?)$/, '/$1');
    return withLine(lines, chosen.index, replaceWord(lines[chosen.index], chosen.word, edited));
  },
  'continuation'(lines, random) {
    const index = pickIndex(lines, random, (line) => isDirective(line) && words(line).length > 1);
    if (index === null) return null;
    const line = lines[index];
    const list = words(line);
    const word = random.pick(list.slice(1));
    const variants = [
      () => [line.slice(0, word.start).trimEnd() + ' \\', `    ${line.slice(word.start)}`],
      () => [`${line} \\`],
      () => [`${line}\\ `],
    ];
    return [...lines.slice(0, index), ...random.pick(variants)(), ...lines.slice(index + 1)];
  },
  'variable'(lines, random) {
    const candidates = lines.flatMap((line, index) => [...line.matchAll(/\$\{(\w+)\}/g)].map((match) => ({ index, start: match.index ?? 0, text: match[0], name: match[1] })));
    if (candidates.length === 0) return null;
    const chosen = random.pick(candidates);
    const line = lines[chosen.index];
    const replacement = random.pick([`$${chosen.name}`, `\${${misspell(chosen.name, random)}}`, `{${chosen.name}}`, `\${${chosen.name}`, `%{${chosen.name}}`]);
    return withLine(lines, chosen.index, line.slice(0, chosen.start) + replacement + line.slice(chosen.start + chosen.text.length));
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

interface Mutant {
  index: number;
  scenario: Scenario;
  mutations: string[];
  text: string;
}

/** Mutant `index` of the run: a scenario and one or two mutations, or null if none applied. */
function makeMutant(scenarios: Scenario[], seed: number, index: number): Mutant | null {
  const random = rng(derivedSeed(seed, index));
  for (let attempt = 0; attempt < 20; attempt++) {
    const scenario = random.pick(scenarios);
    let lines = scenario.configText.split('\n');
    const applied: string[] = [];
    const wanted = random.chance(0.25) ? 2 : 1;
    for (let tries = 0; applied.length < wanted && tries < 10; tries++) {
      const name = random.pick(MUTATION_NAMES);
      const result = MUTATIONS[name](lines, random);
      if (result === null) continue;
      lines = result;
      applied.push(name);
    }
    const text = lines.join('\n');
    if (applied.length > 0 && text !== scenario.configText) return { index, scenario, mutations: applied, text };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Running both sides

interface Sandbox {
  variables: Variables;
  env: Record<string, string>;
}

/** Fixed stand-ins for the ports: `apache2 -t` binds nothing and connects to nothing. */
const PORT_VARIABLES: Variables = { PROXY_PORT: '41801', PROXY_TLS_PORT: '41802', ECHO_PORT: '41803', ECHO2_PORT: '41804', ECHO_TLS_PORT: '41805', APP_PORT: '41806' };

/** A ${WORKDIR} per source scenario (certificates and the scenario's extra files), made once. */
function sandboxFor(scenario: Scenario, runDir: string, cache: Map<string, Sandbox>): Sandbox {
  const cached = cache.get(scenario.name);
  if (cached) return cached;
  const workdir = join(runDir, 'work', scenario.name);
  mkdirSync(workdir, { recursive: true });
  chmodSync(workdir, 0o755);
  copyScenarioFiles(scenario, workdir);
  const { certDir } = writeCertificates(workdir);
  const variables: Variables = { ...PORT_VARIABLES, WORKDIR: workdir, CERT_DIR: certDir, MODDIR: MODULE_DIR };
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...variables };
  const sandbox = { variables, env };
  cache.set(scenario.name, sandbox);
  return sandbox;
}

interface SideOutput {
  exitCode: number | null;
  output: string;
}

async function runHttpd(configPath: string, sandbox: Sandbox): Promise<SideOutput> {
  const finished = await runToCompletion(sideCommand('httpd', 'configtest', configPath, sandbox.env), 15_000);
  const variables = { ...sandbox.variables, CONFIG: configPath };
  return { exitCode: finished.timedOut ? null : finished.exitCode, output: toPlaceholders(normaliseProcessOutput(finished.output), variables) };
}

/** wslab's configtest in process, with the options `wslab configtest FILE` passes. */
function runWslab(configPath: string, sandbox: Sandbox): SideOutput {
  const file = readConfigFile(configPath);
  if (!file.ok) return { exitCode: 1, output: file.message };
  const result = configtest(file.text, { file: file.path, env: sandbox.env, defines: [], fileSystem: nodeFileSystem, modulePaths: 'debian', pid: process.pid });
  const variables = { ...sandbox.variables, CONFIG: configPath };
  return { exitCode: result.exitCode, output: toPlaceholders(normaliseProcessOutput(result.stdout + result.stderr), variables) };
}

interface Mismatch {
  mutant: Mutant;
  httpd: SideOutput;
  wslab: SideOutput;
  signature: string;
  /** httpd printed something else when run again on the same file. */
  httpdNondeterministic: boolean;
  saved: string;
}

/** The first differing line of each side, with numbers and quoted names generalised. */
function signatureOf(httpd: SideOutput, wslab: SideOutput): string {
  const general = (line: string | undefined) =>
    (line ?? '<nothing>')
      .replace(/'[^']*'|"[^"]*"/g, "'…'")
      .replace(/\$\{[A-Z_]+\}/g, '${…}')
      .replace(/\d+/g, 'N')
      .slice(0, 90);
  const a = httpd.output.split('\n');
  const b = wslab.output.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const exit = httpd.exitCode === wslab.exitCode ? '' : `exit ${httpd.exitCode}≠${wslab.exitCode} `;
  if (i === a.length && i === b.length) return `${exit}(same text)`;
  return `${exit}httpd: ${general(a[i])}  |  wslab: ${general(b[i])}`;
}

function saveMismatch(runDir: string, mutant: Mutant, httpd: SideOutput, wslab: SideOutput, sandbox: Sandbox): string {
  const dir = join(runDir, 'mismatches', `${String(mutant.index).padStart(5, '0')}-${mutant.scenario.name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'httpd.conf'), mutant.text);
  writeFileSync(join(dir, 'httpd.out'), `exit ${httpd.exitCode}\n${httpd.output}\n`);
  writeFileSync(join(dir, 'wslab.out'), `exit ${wslab.exitCode}\n${wslab.output}\n`);
  const env = Object.entries(sandbox.env)
    .filter(([name]) => name !== 'PATH')
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  writeFileSync(
    join(dir, 'info.txt'),
    `scenario: ${mutant.scenario.name}\nmutations: ${mutant.mutations.join(', ')}\n\nreproduce:\n  env ${env} /usr/sbin/apache2 -t -f ${join(dir, 'httpd.conf')}\n  env ${env} node_modules/.bin/node sandbox/cli/bin.mjs configtest ${join(dir, 'httpd.conf')}\n`,
  );
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scenarios = loadScenarios().filter((scenario) => options.only.length === 0 || options.only.some((prefix) => scenario.name.startsWith(prefix)));
  if (scenarios.length === 0) throw new Error('no scenario matches --only');
  const runDir = options.out ?? mkdtempSync(join(tmpdir(), `wslab-configtest-fuzz-${options.seed}-`));
  // A reused --out directory starts clean.
  for (const sub of ['current', 'work', 'mismatches']) rmSync(join(runDir, sub), { recursive: true, force: true });
  mkdirSync(join(runDir, 'current'), { recursive: true });
  chmodSync(runDir, 0o755);
  const sandboxes = new Map<string, Sandbox>();
  const seen = new Set<string>();
  const mismatches: Mismatch[] = [];
  let tried = 0;
  let duplicates = 0;
  let matches = 0;
  let next = 0;
  const started = Date.now();

  async function worker(slot: number): Promise<void> {
    const configPath = join(runDir, 'current', `w${slot}.conf`);
    for (;;) {
      const index = next++;
      if (index >= options.count) return;
      const mutant = makeMutant(scenarios, options.seed, index);
      if (mutant === null) continue;
      const key = `${mutant.scenario.name}\0${mutant.text}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      const sandbox = sandboxFor(mutant.scenario, runDir, sandboxes);
      writeFileSync(configPath, mutant.text);
      const wslab = runWslab(configPath, sandbox);
      const httpd = await runHttpd(configPath, sandbox);
      tried++;
      if (httpd.exitCode === wslab.exitCode && httpd.output === wslab.output) {
        matches++;
        continue;
      }
      const again = await runHttpd(configPath, sandbox);
      const httpdNondeterministic = again.exitCode !== httpd.exitCode || again.output !== httpd.output;
      const signature = (httpdNondeterministic ? '[httpd nondeterministic] ' : '') + signatureOf(httpd, wslab);
      mismatches.push({ mutant, httpd, wslab, signature, httpdNondeterministic, saved: saveMismatch(runDir, mutant, httpd, wslab, sandbox) });
    }
  }

  await Promise.all(Array.from({ length: options.jobs }, (_, slot) => worker(slot)));

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`configtest fuzz: seed ${options.seed}, ${options.count} mutant slots, ${scenarios.length} source configs, ${seconds} s`);
  console.log(`tried ${tried} distinct mutants (${duplicates} duplicates skipped): ${matches} match, ${mismatches.length} mismatch (${tried === 0 ? 0 : ((100 * matches) / tried).toFixed(1)} % match)`);
  const groups = new Map<string, Mismatch[]>();
  for (const mismatch of mismatches) groups.set(mismatch.signature, [...(groups.get(mismatch.signature) ?? []), mismatch]);
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [signature, group] of sorted) {
    const kinds = [...new Set(group.flatMap((mismatch) => mismatch.mutant.mutations))].join(', ');
    console.log(`\n${group.length} × ${signature}\n    mutations: ${kinds}`);
    for (const mismatch of group.slice(0, 3)) console.log(`    ${mismatch.saved}`);
  }
  if (mismatches.length > 0) console.log(`\nmismatches saved under ${join(runDir, 'mismatches')} (httpd.conf, httpd.out, wslab.out, info.txt each)`);
  writeFileSync(
    join(runDir, 'summary.json'),
    JSON.stringify({ seed: options.seed, count: options.count, tried, matches, mismatches: mismatches.map((m) => ({ index: m.mutant.index, scenario: m.mutant.scenario.name, mutations: m.mutant.mutations, signature: m.signature, saved: m.saved })) }, null, 2),
  );
}

await main();
process.exit(0);
