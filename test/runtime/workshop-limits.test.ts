/**
 * The limits that let one `wslab serve` host a workshop: every learner gets a sandbox process of
 * their own, and no learner can starve, crash or reach another. Driven through the real endpoints
 * (token, WebSocket, protocol lines), as the page drives them.
 *
 * Also covered elsewhere: --max-sessions, idle reaping, bad Origin / Host / token
 * (local-sessions.test.ts); the same limits on a sandbox over stdio (sandbox-process.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LearnerSession, SessionRefused } from '../../sandbox/loadtest/learner-client.ts';
import type { ClientEventMessage } from '../../sandbox/loadtest/learner-client.ts';
import { attachLocalSandboxes, CLOSE_CODES } from '../../sandbox/runtime/local-sessions.ts';
import type { LocalSandboxes, LocalSandboxOptions } from '../../sandbox/runtime/local-sessions.ts';
import { CpuWindow, parseCpuTime, readProcessUsage } from '../../sandbox/runtime/process-usage.ts';
import { LIMITS } from '../../sandbox/runtime/request-validation.ts';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { exerciseFile, SANDBOX_ENTRY } from './sandbox-harness.ts';
import { eventually as eventuallyWithin, processAlive } from '../helpers/conditions.ts';

const root = mkdtempSync(join(tmpdir(), 'wslab-workshop-limits-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>wslab</title>\n');
const SOLUTION = exerciseFile('04-basic-vhost', 'solution.conf');

interface Fixture {
  server: Server;
  sandboxes: LocalSandboxes;
  base: string;
  logs: string[];
  learners: LearnerSession[];
}

let fixture: Fixture | undefined;

async function startFixture(options: LocalSandboxOptions = {}): Promise<Fixture> {
  const server = await startSiteServer({ root, host: '127.0.0.1', port: 0 });
  const logs: string[] = [];
  // The sources, not a bundle that may predate them.
  const command = { file: process.execPath, args: [SANDBOX_ENTRY] };
  const sandboxes = attachLocalSandboxes(server, { maxSessions: 4, command, log: (line) => logs.push(line), ...options });
  fixture = { server, sandboxes, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logs, learners: [] };
  return fixture;
}

async function learner(f: Fixture): Promise<LearnerSession> {
  const session = await LearnerSession.open(f.base);
  f.learners.push(session);
  return session;
}

afterEach(async () => {
  if (!fixture) return;
  const f = fixture;
  fixture = undefined;
  for (const session of f.learners) session.socket.terminate();
  await f.sandboxes.close();
  await new Promise((resolve) => f.server.close(resolve));
});

/** The ports a process listens on (TCP, IPv4 and IPv6), from /proc: its socket inodes in the LISTEN tables. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.trim().split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      if (fields[3] === '0A' && inodes.has(fields[9])) ports.add(Number.parseInt(fields[1].split(':').at(-1) ?? '', 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

function tcpConnects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function runSolution(session: LearnerSession): Promise<void> {
  const reply = await session.request({ type: 'apply-config', text: SOLUTION });
  expect(reply.ok && (reply.result as { applied: boolean }).applied).toBe(true);
}

async function echoWorks(session: LearnerSession, client: string): Promise<void> {
  expect(await session.openClient(client, { path: '/ws/' })).toMatchObject({ kind: 'open', status: 101 });
  expect(await session.roundTrip(client, 'hello')).toBe('Echo: hello');
}

describe('workshop limits, through the local runtime', () => {
  it(`allows ${LIMITS.clients} test clients (each a proxied connection to the echo backend) per session, and says so past that`, async () => {
    const f = await startFixture();
    const session = await learner(f);
    await runSolution(session);
    const from = session.messages.length;
    const many = await session.request({ type: 'client-open-many', prefix: 'c', count: LIMITS.clients, options: { path: '/ws/' } });
    expect(many.ok).toBe(true);
    const opened = () => session.messages.slice(from).filter((message) => message.type === 'client-event' && message.event.kind === 'open').length;
    await eventually(() => opened() === LIMITS.clients, `${LIMITS.clients} clients to get 101`, 20_000);
    const extra = await session.request({ type: 'client-open', client: 'one-more', options: { path: '/ws/' } });
    expect(extra).toMatchObject({ ok: false, error: expect.stringContaining(`too many test clients (${LIMITS.clients} at most)`) });
    const probe = await session.request({
      type: 'run-checks',
      checks: [{ id: 'flood', probe: { kind: 'ws-many', path: '/ws/', count: LIMITS.manyCount + 1, holdMs: 10 }, expect: {} }],
    });
    expect(probe).toMatchObject({ ok: false, error: expect.stringContaining(`from 1 to ${LIMITS.manyCount}`) });
    // The session still works once a client is closed.
    expect((await session.request({ type: 'client-close', client: 'c-1' })).ok).toBe(true);
    await eventually(() => session.messages.some((message) => message.type === 'client-event' && message.client === 'c-1' && message.event.kind === 'closed'), 'c-1 to close');
    await echoWorks(session, 'after');
  });

  it('refuses messages over 1 MiB from the page, and test-client messages over 512 KiB either way, with clear errors', async () => {
    const f = await startFixture();
    const session = await learner(f);
    await runSolution(session);
    // A config of more than 1 MiB: refused with a reply; the session goes on.
    const huge = await session.request({ type: 'apply-config', text: `# ${'x'.repeat(LIMITS.lineBytes)}\n${SOLUTION}` });
    expect(huge).toMatchObject({ ok: false, error: expect.stringMatching(/ignored a message of \d+ bytes: .* limited to 1048576 bytes \(1 MiB\)/) });
    expect((await session.request({ type: 'ping' })).ok).toBe(true);

    await echoWorks(session, 'big');
    const tooBig = await session.request({ type: 'client-send', client: 'big', text: 'y'.repeat(LIMITS.clientMessageBytes + 1) });
    expect(tooBig).toMatchObject({ ok: false, error: expect.stringContaining(`at most ${LIMITS.clientMessageBytes} bytes (512 KiB)`) });
    // Exactly the limit may be sent; its echo ("Echo: " + it) is bigger than a client accepts.
    const from = session.messages.length;
    expect((await session.request({ type: 'client-send', client: 'big', text: 'z'.repeat(LIMITS.clientMessageBytes) })).ok).toBe(true);
    const failure = (await session.waitFor(
      (message) => message.type === 'client-event' && message.client === 'big' && message.event.kind === 'error',
      10_000,
      from,
    )) as ClientEventMessage;
    expect(failure.event).toMatchObject({ message: expect.stringContaining('larger than 524288 bytes (512 KiB)') });
    await session.waitFor((message) => message.type === 'client-event' && message.client === 'big' && message.event.kind === 'closed', 10_000, from);
    await echoWorks(session, 'small');
  });

  it('stops a sandbox that uses more than its CPU budget, with a notice; the other sessions go on', async () => {
    // A stand-in sandbox: answers pings, and spins a core when told to.
    const fake = [
      'const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");',
      'out({ type: "ready", version: 1, runtime: "local" });',
      'let buffer = "";',
      'process.stdin.on("data", (chunk) => { buffer += chunk; let i; while ((i = buffer.indexOf("\\n")) >= 0) { const line = JSON.parse(buffer.slice(0, i)); buffer = buffer.slice(i + 1);',
      '  if (line.type === "spin") { const end = Date.now() + 30000; while (Date.now() < end); }',
      '  out({ type: "reply", id: line.id, ok: true }); } });',
    ].join('\n');
    const f = await startFixture({ command: { file: process.execPath, args: ['-e', fake] }, cpuBudget: { cpuSeconds: 1, windowMs: 60_000 }, cpuSampleMs: 200 });
    const spinner = await learner(f);
    const calm = await learner(f);
    const [spinnerPid] = f.sandboxes.sandboxPids();
    spinner.socket.send(JSON.stringify({ type: 'spin', id: 1 }));
    const closed = await spinner.closed;
    expect(closed).toEqual({ code: CLOSE_CODES.cpuLimit, reason: 'cpu limit' });
    expect(spinner.notices().at(-1)).toMatch(/the sandbox was stopped: it used [\d.]+ seconds of CPU time in 1 minute, more than the 1 s this server allows each learner/);
    expect(f.logs.some((line) => line.includes('CPU-seconds'))).toBe(true);
    await eventually(() => !processAlive(spinnerPid), 'the spinning sandbox to be killed', 5_000);
    expect((await calm.request({ type: 'ping' })).ok).toBe(true);
    expect(f.sandboxes.sessionCount()).toBe(1);
  });

  it('a sandbox killed with SIGKILL ends only its own session', async () => {
    const f = await startFixture();
    const doomed = await learner(f);
    const survivor = await learner(f);
    await Promise.all([runSolution(doomed), runSolution(survivor)]);
    await echoWorks(survivor, 'before');
    const [doomedPid, survivorPid] = f.sandboxes.sandboxPids();
    // Sandboxes run niced below the server, so pages stay quick while a room boots its sandboxes.
    if (process.platform === 'linux') expect(getPriority(survivorPid)).toBe(Math.min(19, getPriority() + 5));
    process.kill(doomedPid, 'SIGKILL');
    expect(await doomed.closed).toEqual({ code: CLOSE_CODES.processExited, reason: 'sandbox exited' });
    expect(doomed.notices().at(-1)).toContain('the sandbox process exited (signal SIGKILL)');
    // The survivor's open client, config and backends are untouched; new sessions still start.
    expect(await survivor.roundTrip('before', 'still there?')).toBe('Echo: still there?');
    await echoWorks(survivor, 'after');
    const newcomer = await learner(f);
    await runSolution(newcomer);
    await echoWorks(newcomer, 'fresh');
  });

  it("never reaches another session's ports or other hosts, whatever the config says", async () => {
    const f = await startFixture();
    const attacker = await learner(f);
    const victim = await learner(f);
    await runSolution(victim);
    await echoWorks(victim, 'v');
    const [, victimPid] = f.sandboxes.sandboxPids();
    // The victim's echo and app backends and its proxy listener, really listening on this machine.
    const victimPorts = listeningPorts(victimPid);
    expect(victimPorts.length).toBeGreaterThanOrEqual(3);
    for (const port of victimPorts) expect(await tcpConnects(port)).toBe(true);
    const observedBefore = victim.messages.filter((message) => message.type === 'backend-observation').length;

    const routes = victimPorts.flatMap((port, index) => [
      `ProxyPass /steal-http-${index}/ http://127.0.0.1:${port}/`,
      `ProxyPass /steal-ws-${index}/ ws://localhost:${port}/`,
    ]);
    const config = [
      'Listen 80',
      '<VirtualHost *:80>',
      ...routes,
      'ProxyPass /far-http/ http://10.0.0.1/',
      'ProxyPass /far-ws/ ws://10.0.0.1:8080/',
      'ProxyPass /far-name/ http://example.com/',
      '</VirtualHost>',
    ].join('\n');
    const applied = await attacker.request({ type: 'apply-config', text: config });
    expect(applied.ok && (applied.result as { applied: boolean }).applied).toBe(true);

    for (const [index, port] of victimPorts.entries()) {
      const plain = await attacker.request({ type: 'http-request', method: 'GET', path: `/steal-http-${index}/` });
      expect(plain, `http to the victim's port ${port}`).toMatchObject({ ok: true, result: { status: 503 } });
      expect(await attacker.openClient(`steal-${index}`, { path: `/steal-ws-${index}/` })).toMatchObject({ kind: 'rejected', status: 503 });
    }
    const started = Date.now();
    for (const path of ['/far-http/', '/far-name/']) {
      expect(await attacker.request({ type: 'http-request', method: 'GET', path })).toMatchObject({ ok: true, result: { status: 503 } });
    }
    expect(await attacker.openClient('far', { path: '/far-ws/' })).toMatchObject({ kind: 'rejected', status: 503 });
    // Blocked at once, never tried (a real connect to 10.0.0.1 would time out, not answer in ms).
    expect(Date.now() - started).toBeLessThan(5_000);
    const errorLog = attacker.messages.flatMap((message) => (message.type === 'tap' && message.event.type === 'error-log' ? [message.event.line] : []));
    expect(errorLog.some((line) => line.includes('only reaches its own backends') && line.includes('10.0.0.1'))).toBe(true);
    expect(errorLog.some((line) => /AH00957|Connection refused|refused/i.test(line))).toBe(true);

    // The victim's backends saw none of it, and still work.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(victim.messages.filter((message) => message.type === 'backend-observation').length).toBe(observedBefore);
    expect(await victim.roundTrip('v', 'ok?')).toBe('Echo: ok?');
  });

  it('rejects a token used on a server that did not issue it, and a session past --max-sessions', async () => {
    const a = await startFixture({ maxSessions: 1 });
    const other = await startSiteServer({ root, host: '127.0.0.1', port: 0 });
    const otherSandboxes = attachLocalSandboxes(other, { maxSessions: 1, log: () => undefined });
    try {
      const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const answer = await fetch(`${a.base}/__wslab/session`, { method: 'POST', headers: { Origin: a.base } });
      const { token } = (await answer.json()) as { token: string };
      await expect(LearnerSession.connect(otherBase, token)).rejects.toMatchObject({ stage: 'socket', status: 403 });
      const first = await LearnerSession.connect(a.base, token);
      a.learners.push(first);
      const refused = await LearnerSession.open(a.base).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SessionRefused);
      expect(refused).toMatchObject({ stage: 'token', status: 503, body: expect.stringContaining('--max-sessions') });
    } finally {
      await otherSandboxes.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('process usage', () => {
  it('parses ps cpu times', () => {
    expect(parseCpuTime('0:01.50')).toBe(1.5);
    expect(parseCpuTime('01:02:03')).toBe(3723);
    expect(parseCpuTime('1-00:00:01')).toBe(86401);
    expect(parseCpuTime('soon')).toBeNull();
  });

  it('counts CPU time within a sliding window only', () => {
    const window = new CpuWindow(10_000, 0);
    expect(window.add(5_000, 4)).toBe(4);
    expect(window.add(10_000, 8)).toBe(8);
    // 15 s: the window starts at 5 s, when 4 s had been used.
    expect(window.add(15_000, 9)).toBe(5);
    // A long quiet stretch: what was used long ago no longer counts.
    expect(window.add(60_000, 9)).toBe(0);
    expect(window.add(61_000, 10)).toBe(1);
  });

  it("reads a live process's CPU time and memory, and null for a gone one", async () => {
    const start = Date.now();
    while (Date.now() - start < 200);
    const usage = await readProcessUsage(process.pid);
    expect(usage?.cpuSeconds).toBeGreaterThan(0.1);
    expect(usage?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(await readProcessUsage(2 ** 22 + 12345)).toBeNull();
  });
});

/** This file's waits: up to 10 s unless a call says otherwise. */
function eventually(condition: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  return eventuallyWithin(condition, what, timeoutMs, 25);
}
