/**
 * Cold start of the local runtime, measured the way the learner meets it: press Run
 * (apply-config) and open a WebSocket to /ws/; the clock stops at the client's 101.
 *   - "spawned": the sandbox process is already up and said ready (the page opened it earlier);
 *   - "with spawn": from asking the server for a session, through spawning the bundle, to the 101.
 * Figures are printed; the bounds are loose because the test machine may be busy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandboxBundle } from '../../sandbox/runtime/build-bundle.ts';
import { attachLocalSandboxes, SESSION_PATH } from '../../sandbox/runtime/local-sessions.ts';
import type { LocalSandboxes } from '../../sandbox/runtime/local-sessions.ts';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { exerciseFile } from './sandbox-harness.ts';

const ROUNDS = 5;
const directory = mkdtempSync(join(tmpdir(), 'wslab-cold-start-'));
writeFileSync(join(directory, 'index.html'), '<!doctype html>\n');
const bundlePath = join(directory, 'sandbox.mjs');
const CONFIG = exerciseFile('04-basic-vhost', 'solution.conf');

let server: Server;
let sandboxes: LocalSandboxes;
let origin: string;

beforeAll(async () => {
  await buildSandboxBundle({ outfile: bundlePath });
  server = await startSiteServer({ root: directory, host: '127.0.0.1', port: 0 });
  sandboxes = attachLocalSandboxes(server, { command: { file: process.execPath, args: [bundlePath] }, log: () => undefined });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await sandboxes.close();
  await new Promise((resolve) => server.close(resolve));
});

interface Round {
  spawnToReady: number;
  runTo101: number;
  withSpawn: number;
  reloadTo101: number;
}

async function oneRound(): Promise<Round> {
  const start = performance.now();
  const grant = (await (await fetch(`${origin}${SESSION_PATH}`, { method: 'POST', headers: { Origin: origin } })).json()) as { token: string; socketPath: string };
  const socket = new WebSocket(`${origin.replace('http', 'ws')}${grant.socketPath}?token=${grant.token}`, { origin });
  const waiters: Array<(message: Record<string, unknown>) => boolean> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    for (const waiter of [...waiters]) if (waiter(message)) waiters.splice(waiters.indexOf(waiter), 1);
  });
  const next = (predicate: (message: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => waiters.push((message) => (predicate(message) ? (resolve(message), true) : false)));
  const isOpen = (client: string) => (message: Record<string, unknown>) => message.type === 'client-event' && message.client === client && (message.event as { kind: string }).kind === 'open';

  await next((message) => message.type === 'ready');
  const ready = performance.now();
  const runAndConnect = async (id: number, client: string) => {
    const applied = next((message) => message.type === 'reply' && message.id === id);
    socket.send(JSON.stringify({ id, type: 'apply-config', text: CONFIG }));
    const reply = await applied;
    expect(reply).toMatchObject({ ok: true, result: { applied: true } });
    const opened = next(isOpen(client));
    socket.send(JSON.stringify({ id: id + 1, type: 'client-open', client, options: { path: '/ws/' } }));
    await opened;
  };
  await runAndConnect(1, 'first');
  const first101 = performance.now();
  await runAndConnect(3, 'second');
  const second101 = performance.now();
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.close();
  await closed;
  while (sandboxes.sessionCount() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  return { spawnToReady: ready - start, runTo101: first101 - ready, withSpawn: first101 - start, reloadTo101: second101 - first101 };
}

describe('cold start of the local runtime (bundle)', () => {
  it(`Run -> first 101, over ${ROUNDS} fresh sandboxes`, async () => {
    const rounds: Round[] = [];
    for (let index = 0; index < ROUNDS; index++) rounds.push(await oneRound());
    const median = (key: keyof Round) => [...rounds.map((round) => round[key])].sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
    const max = (key: keyof Round) => Math.max(...rounds.map((round) => round[key]));
    const report = (['runTo101', 'withSpawn', 'spawnToReady', 'reloadTo101'] as const).map((key) => `${key}: median ${median(key).toFixed(0)} ms, max ${max(key).toFixed(0)} ms`);
    console.log(`cold start (${process.version}, load ${(await import('node:os')).loadavg()[0].toFixed(1)}):\n  ${report.join('\n  ')}`);
    expect(median('runTo101')).toBeLessThan(1_000);
    expect(median('withSpawn')).toBeLessThan(5_000);
  }, 120_000);
});
