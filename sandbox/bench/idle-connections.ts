/**
 * 1,000 idle WebSockets held through a proxy: are they all open, does each still echo, and what
 * do they cost the proxy in memory? Measured on `wslab proxy --tap FILE` (tap JSON lines to
 * /dev/null) and, when it is installed, on real httpd running the same file (event MPM with
 * MaxRequestWorkers 1100, since each upgraded WebSocket holds a worker on both).
 *
 * Memory is read from /proc: VmRSS/VmHWM of the wslab process; for httpd, the sum over its
 * parent and forked children of RSS (shared pages counted once per process) and of PSS (shared
 * pages divided among the processes sharing them, the fairer total).
 *
 *   node sandbox/bench/idle-connections.ts
 *   node sandbox/bench/idle-connections.ts --connections 500 --hold 5 --paths wslab
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  formatNumber,
  groupMemoryKb,
  httpdAvailable,
  installGuards,
  makeWorkdir,
  onFreshPort,
  openFileLimit,
  parseOptions,
  pidsInGroup,
  sleep,
  startEchoServer,
  startHttpd,
  startWslabProxy,
  statusKb,
  table,
  writeProxyConfig,
} from './bench-support.ts';
import type { Spawned } from './bench-support.ts';
import { closeClients, openClients } from './load-generator.ts';

const USAGE = `usage: node sandbox/bench/idle-connections.ts [options]
  --connections N  idle WebSockets to hold (default 1000; the config allows 1100 workers)
  --hold S         seconds to hold them idle before the memory reading (default 3)
  --batch N        handshakes in flight at once while opening (default 100)
  --paths LIST     wslab,httpd (default both; httpd is skipped when not installed)`;

const options = parseOptions(process.argv.slice(2), { connections: 1000, hold: 3, batch: 100, paths: 'wslab,httpd' }, USAGE);
const WORKERS = 1100; // MaxRequestWorkers in BENCH_HTTPD_CONF
const WARMUP_CONNECTIONS = 10;

interface Memory {
  /** kB; for wslab its VmRSS, for httpd the sum over its processes. */
  rss: number;
  /** kB; PSS (sum over processes for httpd). */
  pss: number;
  /** kB; wslab's VmHWM (peak RSS), not summed for httpd. */
  hwm: number | null;
  processes: number;
}

interface PathResult {
  name: string;
  fresh: Memory;
  baseline: Memory;
  held: Memory;
  afterClose: Memory;
  opened: number;
  openSeconds: number;
  echoed: number;
  stillOpen: number;
}

async function main(): Promise<void> {
  installGuards(110_000, 'idle-connections');
  const wanted = new Set(options.paths.split(',').map((name) => name.trim()));

  // Every tunnel costs the proxy two descriptors (client and backend), the clients here one each.
  const limit = openFileLimit();
  const needed = 2 * options.connections + 100;
  console.log(`ulimit -n (open files): soft ${limit?.soft ?? '?'}, hard ${limit?.hard ?? '?'}; the proxy needs about ${needed} for ${options.connections} tunnels (children inherit this limit; it cannot be raised from Node)`);
  let connections = options.connections;
  if (limit && limit.soft < needed) {
    connections = Math.max(1, Math.floor((limit.soft - 100) / 2));
    console.log(`not enough descriptors: holding ${connections} WebSockets instead of ${options.connections}`);
  }
  if (connections > WORKERS) {
    console.log(`MaxRequestWorkers is ${WORKERS}: holding ${WORKERS} WebSockets instead of ${connections}`);
    connections = WORKERS;
  }

  const workdir = makeWorkdir('wslab-idle');
  const { value: echo, port: echoPort } = await onFreshPort((port) => startEchoServer(port));
  const results: PathResult[] = [];

  if (wanted.has('wslab')) {
    const dir = join(workdir, 'wslab');
    mkdirSync(dir, { mode: 0o755 });
    const { value: wslab, port } = await onFreshPort((port) => startWslabProxy(writeProxyConfig(dir, port, echoPort), port));
    results.push(await holdThrough('wslab proxy --tap', `ws://127.0.0.1:${port}/ws/idle`, connections, () => wslabMemory(wslab)));
    await wslab.stop();
  }
  if (wanted.has('httpd')) {
    const available = httpdAvailable();
    if (!available.ok) console.log(`real httpd not measured: ${available.reason}`);
    else {
      const dir = join(workdir, 'httpd');
      mkdirSync(dir, { mode: 0o755 });
      const { value: httpd, port } = await onFreshPort((port) => startHttpd(writeProxyConfig(dir, port, echoPort), port));
      results.push(await holdThrough('httpd 2.4 event', `ws://127.0.0.1:${port}/ws/idle`, connections, () => httpdMemory(httpd)));
      await httpd.stop();
    }
  }
  await echo.stop();
  report(results, connections);
}

function wslabMemory(proxy: Spawned): Memory {
  const memory = groupMemoryKb([proxy.pid]);
  return { ...memory, hwm: statusKb(proxy.pid, 'VmHWM') };
}

function httpdMemory(httpd: Spawned): Memory {
  return { ...groupMemoryKb(pidsInGroup(httpd.pid)), hwm: null };
}

async function holdThrough(name: string, url: string, count: number, memory: () => Memory): Promise<PathResult> {
  console.log(`\n${name}: opening ${count} WebSockets (${options.batch} handshakes at a time)`);
  await sleep(500);
  const fresh = memory();

  // One-time costs (code compiled on first use, lazily loaded modules, httpd's first children)
  // are paid by a few connections first, so the per-connection figure is about connections.
  const warm = await openClients(url, WARMUP_CONNECTIONS);
  await echoAll(warm, 'warm');
  await closeClients(warm);
  await sleep(1_000);
  const baseline = memory();

  const sockets: WebSocket[] = [];
  let closedEarly = 0;
  let failures = 0;
  let firstFailure = '';
  const started = performance.now();
  for (let attempted = 0; attempted < count; attempted += options.batch) {
    const batch = await openSome(url, Math.min(options.batch, count - attempted), 10_000);
    for (const socket of batch.open) socket.once('close', () => (closedEarly += 1));
    sockets.push(...batch.open);
    failures += batch.failures.length;
    firstFailure ||= batch.failures[0] ?? '';
    // A proxy that has stopped accepting will not start again within this run.
    if (batch.open.length === 0) break;
  }
  const openSeconds = (performance.now() - started) / 1000;
  const opened = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  if (opened < count) console.log(`${name}: only ${opened} of ${count} opened (${failures} failed, first: ${firstFailure})`);
  console.log(`${name}: ${opened} open after ${openSeconds.toFixed(2)} s; each echoes one message`);
  const echoed = await echoAll(sockets, 'idle');
  console.log(`${name}: ${echoed} of ${sockets.length} echoed; holding them idle for ${options.hold} s`);
  await sleep(options.hold * 1000);
  const held = memory();
  const stillOpen = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  console.log(`${name}: ${stillOpen} still open after the hold${closedEarly > 0 ? ` (${closedEarly} closed early)` : ''}`);

  await closeClients(sockets, 3_000);
  await sleep(1_500);
  const afterClose = memory();
  return { name, fresh, baseline, held, afterClose, opened, openSeconds, echoed, stillOpen };
}

/** Start `count` handshakes at once; those not open within `timeoutMs` are terminated and counted. */
async function openSome(url: string, count: number, timeoutMs: number): Promise<{ open: WebSocket[]; failures: string[] }> {
  const open: WebSocket[] = [];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      try {
        open.push(...(await openClients(url, 1, timeoutMs)));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }),
  );
  return { open, failures };
}

/** Send "<tag>-<i>" on each socket and count the ones answered "Echo: <tag>-<i>" within 15 s. */
async function echoAll(sockets: WebSocket[], tag: string): Promise<number> {
  const answers = sockets.map(
    (socket, index) =>
      new Promise<boolean>((resolve) => {
        const expected = `Echo: ${tag}-${index}`;
        const timer = setTimeout(() => resolve(false), 15_000);
        socket.once('message', (data) => {
          clearTimeout(timer);
          resolve(String(data) === expected);
        });
        socket.send(`${tag}-${index}`);
      }),
  );
  return (await Promise.all(answers)).filter(Boolean).length;
}

function report(results: PathResult[], connections: number): void {
  if (results.length === 0) return;
  const mb = (kb: number) => formatNumber(kb / 1024, 1);
  console.log('');
  const rows = results.map((result) => [
    result.name,
    `${result.stillOpen}/${connections}`,
    `${result.echoed}/${connections}`,
    mb(result.fresh.rss),
    mb(result.baseline.rss),
    mb(result.held.rss),
    mb(result.afterClose.rss),
    formatNumber((result.held.rss - result.baseline.rss) / result.stillOpen, 1),
    formatNumber((result.held.pss - result.baseline.pss) / result.stillOpen, 1),
    result.held.hwm === null ? `${result.held.processes} procs` : mb(result.held.hwm),
  ]);
  console.log(
    table(['proxy', 'open', 'echoed', 'RSS fresh MB', 'RSS warm MB', `RSS ${connections} open MB`, 'RSS closed MB', 'RSS kB/conn', 'PSS kB/conn', 'VmHWM MB / procs'], rows),
  );
  console.log('(fresh: just started; warm: after 10 connections opened, echoed and closed; kB/conn = (held - warm) / connections held open; httpd: summed over its processes)');
  for (const result of results) {
    const ok = result.stillOpen === connections && result.echoed === connections;
    console.log(`${result.name}: ${ok ? `all ${connections} open and echoing` : `PROBLEM: ${result.stillOpen} open, ${result.echoed} echoed of ${connections}`}; opened in ${result.openSeconds.toFixed(2)} s; ${formatNumber((result.held.rss - result.baseline.rss) / 1024, 1)} MB RSS for ${result.stillOpen} idle WebSockets`);
  }
  if (results.some((result) => result.stillOpen !== connections || result.echoed !== connections)) process.exitCode = 1;
}

await main();
