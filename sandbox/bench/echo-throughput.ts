/**
 * WebSocket echo throughput, direct and through proxies, measured side by side in one run:
 *
 *   direct   client -> echo server
 *   pipe     client -> bare Node TCP relay (sandbox/bench/tcp-pipe.ts) -> echo   (the Node ceiling)
 *   wslab    client -> `wslab proxy --tap FILE` (tap JSON lines to /dev/null)   -> echo
 *   httpd    client -> `apache2 -f FILE -DFOREGROUND` (event MPM)               -> echo
 *
 * wslab and httpd run the same config file (sandbox/bench/bench-support.ts). The echo server
 * (`wslab echo`) and each proxy are child processes; the clients run here. The machine is noisy,
 * so every path is measured in each of several rounds, in a rotating order, and the ratios
 * proxied/direct are taken within a round before the median is reported.
 *
 *   npm run bench                          # all paths, 3 rounds
 *   npm run bench -- --rounds 5 --seconds 3
 *   npm run bench -- --profile             # afterwards, profile wslab (node --cpu-prof) under load
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuSeconds,
  formatNumber,
  httpdAvailable,
  machineBusySeconds,
  installGuards,
  makeWorkdir,
  median,
  onFreshPort,
  parseOptions,
  pidsInGroup,
  startEchoServer,
  startHttpd,
  startTcpPipe,
  startWslabProxy,
  table,
  writeProxyConfig,
} from './bench-support.ts';
import type { Spawned } from './bench-support.ts';
import { formatProfileSummary, summarizeProfile } from './cpu-profile-summary.ts';
import { MESSAGE_KINDS, runLoad } from './load-generator.ts';
import type { LoadResult, MessageKind } from './load-generator.ts';

const TARGET_RATIO = 0.75;

const USAGE = `usage: node sandbox/bench/echo-throughput.ts [options]
  --rounds N      rounds; every path and message size is measured once per round (default 3)
  --seconds S     counted seconds per phase (default 2)
  --warmup S      warm-up seconds per phase, not counted (default 0.5)
  --clients N     concurrent WebSockets (default 8)
  --window N      messages outstanding per WebSocket (default 16)
  --kinds LIST    comma-separated message sizes, of small-text,binary-16k (default both)
  --paths LIST    comma-separated, of direct,pipe,wslab,wslab-notap,httpd (default all but
                  wslab-notap, which is wslab without --tap: the tap's share of the cost)
  --retries N     re-measure a phase when other processes used > 50% of a core meanwhile (default 1)
  --budget S      no re-measuring once the phases would take longer than S seconds (default 100)
  --profile       afterwards, run wslab (and wslab-notap, if measured) under node --cpu-prof for
                  each message size and summarise
  --profileSeconds S  counted seconds per profiled phase (default 4)`;

const options = parseOptions(
  process.argv.slice(2),
  { rounds: 3, seconds: 2, warmup: 0.5, clients: 8, window: 16, paths: 'direct,pipe,wslab,httpd', kinds: 'small-text,binary-16k', profile: false, profileSeconds: 4, retries: 1, budget: 100 },
  USAGE,
);

/** The names in a comma-separated option, each checked against `known`; a usage error (exit 64) otherwise. */
function listOption<Name extends string>(option: string, value: string, known: readonly string[]): Name[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    console.error(`--${option}: ${names.length === 0 ? 'empty list' : `unknown ${unknown.map((name) => `'${name}'`).join(', ')}`} (choose from ${known.join(', ')})\n\n${USAGE}`);
    process.exit(64);
  }
  return names as Name[];
}

type PathName = 'direct' | 'pipe' | 'wslab' | 'wslab-notap' | 'httpd';
const PATH_LABELS: Record<PathName, string> = {
  direct: 'direct to echo',
  pipe: 'bare Node pipe',
  wslab: 'wslab proxy --tap',
  'wslab-notap': 'wslab proxy',
  httpd: 'httpd 2.4 event',
};

const requestedPaths = listOption<PathName>('paths', options.paths, Object.keys(PATH_LABELS));
const requestedKinds = listOption<MessageKind>('kinds', options.kinds, Object.keys(MESSAGE_KINDS));

interface PathUnderTest {
  name: PathName;
  url: string;
  /** Pids whose CPU time is the proxy's (none for direct). */
  proxyPids(): number[];
}

interface Sample extends LoadResult {
  round: number;
  path: PathName;
  kind: MessageKind;
  proxyCpuSeconds: number;
  echoCpuSeconds: number;
  /** CPU the rest of the machine used meanwhile (other people's jobs): a noise indicator. */
  otherCpuSeconds: number;
}

async function main(): Promise<void> {
  const phases = options.rounds * 2 * 5;
  const budgetMs = 60_000 + Math.max(options.budget * 1000, phases * (options.seconds + options.warmup + 1.5) * 1000) + (options.profile ? 4 * (options.profileSeconds + 8) * 1000 : 0);
  installGuards(budgetMs, 'echo-throughput');

  const wanted = new Set<string>(requestedPaths);
  wanted.add('direct'); // the ratios need it

  const workdir = makeWorkdir('wslab-bench');
  const { value: echo, port: echoPort } = await onFreshPort((port) => startEchoServer(port));
  const paths: PathUnderTest[] = [{ name: 'direct', url: `ws://127.0.0.1:${echoPort}/ws/bench`, proxyPids: () => [] }];
  const children: Spawned[] = [echo];
  const configDir = (name: string) => {
    const dir = join(workdir, name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    return dir;
  };

  if (wanted.has('pipe')) {
    const { value: pipe, port } = await onFreshPort((port) => startTcpPipe(port, echoPort));
    children.push(pipe);
    paths.push({ name: 'pipe', url: `ws://127.0.0.1:${port}/ws/bench`, proxyPids: () => [pipe.pid] });
  }
  if (wanted.has('wslab')) {
    const { value: wslab, port } = await onFreshPort((port) => startWslabProxy(writeProxyConfig(configDir('wslab'), port, echoPort), port));
    children.push(wslab);
    paths.push({ name: 'wslab', url: `ws://127.0.0.1:${port}/ws/bench`, proxyPids: () => [wslab.pid] });
  }
  if (wanted.has('wslab-notap')) {
    const { value: notap, port } = await onFreshPort((port) => startWslabProxy(writeProxyConfig(configDir('wslab-notap'), port, echoPort), port, [], false));
    children.push(notap);
    paths.push({ name: 'wslab-notap', url: `ws://127.0.0.1:${port}/ws/bench`, proxyPids: () => [notap.pid] });
  }
  if (wanted.has('httpd')) {
    const available = httpdAvailable();
    if (!available.ok) console.log(`real httpd not measured: ${available.reason}`);
    else {
      const { value: httpd, port } = await onFreshPort((port) => startHttpd(writeProxyConfig(configDir('httpd'), port, echoPort), port));
      children.push(httpd);
      paths.push({ name: 'httpd', url: `ws://127.0.0.1:${port}/ws/bench`, proxyPids: () => pidsInGroup(httpd.pid) });
    }
  }

  console.log(`WebSocket echo throughput: ${options.clients} clients x ${options.window} messages outstanding, ${options.warmup} s warm-up + ${options.seconds} s counted per phase, ${options.rounds} rounds`);
  console.log(`paths: ${paths.map((path) => PATH_LABELS[path.name]).join(', ')}; echo server and each proxy in its own process, clients in this one (${process.version}, ${navigatorCores()} cores)`);
  console.log('');

  const samples: Sample[] = [];
  const kinds = requestedKinds;
  const totalPhases = options.rounds * kinds.length * paths.length;
  const measuringSince = Date.now();
  for (let round = 1; round <= options.rounds; round++) {
    for (const kind of kinds) {
      // Rotate the order each round so no path always runs first (warm caches) or last.
      const order = paths.map((_, index) => paths[(index + round - 1) % paths.length]);
      for (const path of order) {
        let sample = await measure(path, kind, round, echo);
        // Other people's jobs on this machine steal whole cores at times; a phase that ran beside
        // more than half a core of foreign load is measured again (--retries times at most) and
        // the attempt with the least foreign load is kept, whatever its throughput.
        // Retries stop when they would push the whole run past the time budget.
        const phaseMs = (options.warmup + options.seconds + 0.6) * 1000;
        const roomForRetry = () => Date.now() - measuringSince + (totalPhases - samples.length) * phaseMs < options.budget * 1000;
        for (let retry = 1; retry <= options.retries && sample.otherCpuSeconds / sample.seconds > 0.5 && roomForRetry(); retry++) {
          console.log(`round ${round}  ${MESSAGE_KINDS[kind].label.padEnd(13)}  ${PATH_LABELS[path.name].padEnd(17)}  (other processes used ${percent(sample.otherCpuSeconds / sample.seconds)} of a core: measuring again)`);
          const again = await measure(path, kind, round, echo);
          if (again.otherCpuSeconds / again.seconds < sample.otherCpuSeconds / sample.seconds) sample = again;
        }
        samples.push(sample);
        console.log(
          `round ${round}  ${MESSAGE_KINDS[kind].label.padEnd(13)}  ${PATH_LABELS[path.name].padEnd(17)}  ${formatNumber(sample.messages / sample.seconds).padStart(8)} msg/s  ${formatNumber(sample.bytes / sample.seconds / 1e6, 1).padStart(6)} MB/s` +
            `  cpu: proxy ${percent(sample.proxyCpuSeconds / sample.seconds)} echo ${percent(sample.echoCpuSeconds / sample.seconds)} clients ${percent(sample.clientCpuSeconds / sample.seconds)} others ${percent(sample.otherCpuSeconds / sample.seconds)}`,
        );
      }
    }
  }
  console.log('');
  report(samples, paths, kinds);

  if (options.profile) {
    if (!wanted.has('wslab') && !wanted.has('wslab-notap')) console.log('\n--profile needs the wslab or wslab-notap path');
    // The measured proxies are stopped so the profiled one has the same share of the machine.
    for (const child of children.filter((child) => child.name.startsWith('wslab proxy'))) await child.stop();
    if (wanted.has('wslab')) await profileWslab(workdir, echoPort, kinds, true);
    if (wanted.has('wslab-notap')) await profileWslab(workdir, echoPort, kinds, false);
  }
  for (const child of children.reverse()) await child.stop();
}

async function measure(path: PathUnderTest, kind: MessageKind, round: number, echo: Spawned): Promise<Sample> {
  let proxyStart = new Map<number, number>();
  let echoStart = 0;
  let machineStart = 0;
  let proxyCpu = 0;
  let echoCpu = 0;
  let machineCpu = 0;
  const result = await runLoad({
    url: path.url,
    kind,
    clients: options.clients,
    window: options.window,
    warmupMs: options.warmup * 1000,
    measureMs: options.seconds * 1000,
    onMark: (mark) => {
      if (mark === 'start') {
        proxyStart = new Map(path.proxyPids().map((pid) => [pid, cpuSeconds([pid])]));
        echoStart = cpuSeconds([echo.pid]);
        machineStart = machineBusySeconds();
      } else {
        machineCpu = machineBusySeconds() - machineStart;
        // httpd's children may come and go; count what each pid present at the end used since the start.
        for (const pid of path.proxyPids()) proxyCpu += cpuSeconds([pid]) - (proxyStart.get(pid) ?? 0);
        echoCpu = cpuSeconds([echo.pid]) - echoStart;
      }
    },
  });
  const otherCpu = Math.max(0, machineCpu - proxyCpu - echoCpu - result.clientCpuSeconds);
  return { ...result, round, path: path.name, kind, proxyCpuSeconds: proxyCpu, echoCpuSeconds: echoCpu, otherCpuSeconds: otherCpu };
}

function report(samples: Sample[], paths: PathUnderTest[], kinds: MessageKind[]): void {
  const rate = (sample: Sample) => sample.messages / sample.seconds;
  const rows: string[][] = [];
  for (const kind of kinds) {
    for (const path of paths) {
      const mine = samples.filter((sample) => sample.kind === kind && sample.path === path.name);
      const ratios = ratiosFor(samples, kind, path.name);
      const cpuPerMessage = median(mine.map((sample) => (sample.proxyCpuSeconds / sample.messages) * 1e6));
      rows.push([
        `${MESSAGE_KINDS[kind].label}  ${PATH_LABELS[path.name]}`,
        formatNumber(median(mine.map(rate))),
        formatNumber(median(mine.map((sample) => sample.bytes / sample.seconds / 1e6)), 1),
        path.name === 'direct' ? '1' : formatNumber(median(ratios), 2),
        path.name === 'direct' ? '' : `${formatNumber(Math.min(...ratios), 2)}-${formatNumber(Math.max(...ratios), 2)}`,
        path.name === 'direct' ? '' : percent(median(mine.map((sample) => sample.proxyCpuSeconds / sample.seconds))),
        path.name === 'direct' ? '' : formatNumber(cpuPerMessage, 1),
      ]);
    }
  }
  console.log(table(['median of rounds', 'msg/s', 'MB/s', 'ratio', 'range', 'proxy cpu', 'proxy cpu us/msg'], rows));
  console.log('(MB/s: echoed payload bytes received by the clients, one direction; ratio: proxied/direct within each round, median; cpu 100% = one core)');
  const others = median(samples.map((sample) => sample.otherCpuSeconds / sample.seconds));
  if (others > 0.1) console.log(`note: other processes used a median ${percent(others)} of a core during the phases; figures are noisier than usual`);
  console.log('');

  if (!paths.some((path) => path.name === 'wslab')) return;
  let met = true;
  for (const kind of kinds) {
    const wslab = median(ratiosFor(samples, kind, 'wslab'));
    const httpd = paths.some((path) => path.name === 'httpd') ? `, httpd ${formatNumber(median(ratiosFor(samples, kind, 'httpd')), 2)}` : '';
    // wslab against the bare relay in the same round says how much of the gap to direct is wslab's
    // own work and how much any extra process on these cores costs.
    const pipe = paths.some((path) => path.name === 'pipe')
      ? `, bare Node pipe ${formatNumber(median(ratiosFor(samples, kind, 'pipe')), 2)} (wslab/pipe ${formatNumber(median(ratiosFor(samples, kind, 'wslab', 'pipe')), 2)})`
      : '';
    const notap = paths.some((path) => path.name === 'wslab-notap') ? `, wslab without --tap ${formatNumber(median(ratiosFor(samples, kind, 'wslab-notap')), 2)}` : '';
    const ok = wslab >= TARGET_RATIO;
    met &&= ok;
    console.log(`${MESSAGE_KINDS[kind].label.padEnd(13)}: wslab proxied/direct ${formatNumber(wslab, 3)} (target >= ${TARGET_RATIO}: ${ok ? 'met' : 'NOT met'})${notap}${httpd}${pipe}`);
  }
  console.log(`target wslab proxied/direct >= ${TARGET_RATIO} for every message size: ${met ? 'MET' : 'NOT MET'}${met || options.profile ? '' : ' (run with --profile to see where wslab spends its time)'}`);
}

/** path/reference (by default proxied/direct) within each round, where both were measured. */
function ratiosFor(samples: Sample[], kind: MessageKind, path: PathName, reference: PathName = 'direct'): number[] {
  const ratios: number[] = [];
  for (const sample of samples) {
    if (sample.kind !== kind || sample.path !== path) continue;
    const base = samples.find((other) => other.kind === kind && other.path === reference && other.round === sample.round);
    if (base) ratios.push(sample.messages / sample.seconds / (base.messages / base.seconds));
  }
  return ratios;
}

/** One wslab child (with or without the tap) per message size under node --cpu-prof, loaded like the measured phases. */
async function profileWslab(workdir: string, echoPort: number, kinds: MessageKind[], tap: boolean): Promise<void> {
  for (const kind of kinds) {
    const dir = join(workdir, `profile-${kind}${tap ? '' : '-notap'}`);
    mkdirSync(dir, { mode: 0o755 });
    const spawnedAt = performance.now();
    const { value: wslab, port } = await onFreshPort((port) => startWslabProxy(writeProxyConfig(dir, port, echoPort), port, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'], tap));
    // Only the counted interval is summarised: not start-up (type stripping, module loading), warm-up or shutdown.
    let window = { from: 0, to: Infinity };
    const result = await runLoad({
      url: `ws://127.0.0.1:${port}/ws/profile`,
      kind,
      clients: options.clients,
      window: options.window,
      warmupMs: options.warmup * 1000,
      measureMs: options.profileSeconds * 1000,
      onMark: (mark) => {
        const seconds = (performance.now() - spawnedAt) / 1000;
        if (mark === 'start') window = { from: seconds, to: Infinity };
        else window = { ...window, to: seconds };
      },
    });
    await wslab.stop('SIGTERM', 10_000); // the profile is written on a clean exit
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    console.log('');
    console.log(`=== wslab proxy${tap ? ' --tap' : ''} under node --cpu-prof, ${MESSAGE_KINDS[kind].label} (${formatNumber(result.messages / result.seconds)} msg/s while profiled; echo cpu not shown) ===`);
    if (!file) {
      console.log(`no .cpuprofile was written in ${dir} (did the proxy exit cleanly?)\n${wslab.stderr().trim()}`);
      continue;
    }
    console.log(`profile: ${join(dir, file)}${process.env.WSLAB_KEEP_WORKDIR === '1' ? '' : ' (deleted at exit; WSLAB_KEEP_WORKDIR=1 keeps it)'}`);
    // The profile's clock starts a little after the spawn; the window is widened by that slack.
    console.log(formatProfileSummary(summarizeProfile(join(dir, file), 15, window.from - 0.3, window.to)));
  }
}

function percent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)}%` : '-';
}

function navigatorCores(): number {
  return globalThis.navigator?.hardwareConcurrency ?? 0;
}

await main();
