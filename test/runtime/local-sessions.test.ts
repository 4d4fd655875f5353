import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachLocalSandboxes, CLOSE_CODES, SESSION_PATH, SOCKET_PATH } from '../../sandbox/runtime/local-sessions.ts';
import type { LocalSandboxes, LocalSandboxOptions } from '../../sandbox/runtime/local-sessions.ts';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { eventually as eventuallyWithin, processAlive } from '../helpers/conditions.ts';

const root = mkdtempSync(join(tmpdir(), 'wslab-local-sessions-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>wslab</title>\n');

interface Fixture {
  server: Server;
  sandboxes: LocalSandboxes;
  origin: string;
  logs: string[];
}

async function startFixture(options: LocalSandboxOptions = {}): Promise<Fixture> {
  const server = await startSiteServer({ root, host: '127.0.0.1', port: 0 });
  const logs: string[] = [];
  const sandboxes = attachLocalSandboxes(server, { log: (line) => logs.push(line), ...options });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, sandboxes, origin, logs };
}

/** POST for a token (node:http, so a test can send any Host). */
function grant(fixture: Fixture, headers: Record<string, string> = { Origin: fixture.origin }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${fixture.origin}${SESSION_PATH}`, { method: 'POST', headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
    request.end();
  });
}

type Opened = { socket: WebSocket; lines: string[]; closed: Promise<{ code: number; reason: string }> } | { status: number; body: string };

/** Open the sandbox socket; resolves once `ready` arrived, or with the refusal. */
function openSocket(fixture: Fixture, token: string, origin: string | undefined = fixture.origin): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const url = `${fixture.origin.replace('http', 'ws')}${SOCKET_PATH}?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url, { origin });
    const lines: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.on('close', (code, reason) => {
        done({ code, reason: reason.toString() });
        // Closed before `ready` (an idle timeout shorter than the boot): still a session to look at.
        resolve({ socket, lines, closed });
      }),
    );
    socket.on('message', (data) => {
      lines.push(data.toString());
      if (data.toString().includes('"type":"ready"')) resolve({ socket, lines, closed });
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

function pidsFrom(logs: string[]): number[] {
  return logs.flatMap((line) => [...line.matchAll(/\(pid (\d+);/g)].map((match) => Number(match[1])));
}

describe('local sandbox sessions on the site server', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture({ maxSessions: 2 });
  });
  afterEach(async () => {
    await fixture.sandboxes.close();
    await new Promise((resolve) => fixture.server.close(resolve));
  });

  it('still serves the site, and answers the probe without making a session', async () => {
    expect((await fetch(`${fixture.origin}/`)).status).toBe(200);
    expect((await fetch(`${fixture.origin}/`, { method: 'POST' })).status).toBe(405);
    const probe = await fetch(`${fixture.origin}${SESSION_PATH}`);
    expect(probe.status).toBe(200);
    expect(probe.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await probe.json()).toEqual({ available: true, runtime: 'local', protocolVersion: 1, maxSessions: 2, activeSessions: 0 });
  });

  it('hands out tokens only to the server\'s own origin', async () => {
    const missing = await grant(fixture, {});
    expect(missing).toMatchObject({ status: 403, body: { error: 'origin', message: expect.stringContaining('no Origin header') } });
    const foreign = await grant(fixture, { Origin: 'http://evil.example' });
    expect(foreign).toMatchObject({ status: 403, body: { message: expect.stringContaining('Origin http://evil.example is not this server') } });
    // A DNS-rebinding page has its own name as Host and as Origin: the Host check stops it.
    const port = new URL(fixture.origin).port;
    const rebound = await grant(fixture, { Origin: `http://evil.example:${port}`, Host: `evil.example:${port}` });
    expect(rebound).toMatchObject({ status: 403, body: { error: 'host' } });
    const ok = await grant(fixture);
    expect(ok).toMatchObject({ status: 201, body: { token: expect.any(String), socketPath: SOCKET_PATH, expiresInMs: 30_000 } });
    const localhost = await grant(fixture, { Origin: `http://localhost:${port}`, Host: `localhost:${port}` });
    expect(localhost.status).toBe(201);
  });

  it('opens the socket only with a fresh token and the right Origin', async () => {
    expect(await openSocket(fixture, 'made-up')).toMatchObject({ status: 403, body: expect.stringContaining('session token') });
    const { body } = await grant(fixture);
    expect(await openSocket(fixture, body.token as string, 'http://evil.example')).toMatchObject({ status: 403, body: expect.stringContaining('Origin') });
    // The refused attempt did not spend the token; a good one does.
    const opened = await openSocket(fixture, body.token as string);
    if (!('socket' in opened)) throw new Error(`refused: ${opened.body}`);
    expect(JSON.parse(opened.lines[0])).toEqual({ type: 'ready', version: 1, runtime: 'local' });
    expect(await openSocket(fixture, body.token as string)).toMatchObject({ status: 403 });
    opened.socket.close();
    await opened.closed;
  });

  it('bridges protocol lines both ways, and the sandbox dies with its socket', async () => {
    const { body } = await grant(fixture);
    const opened = await openSocket(fixture, body.token as string);
    if (!('socket' in opened)) throw new Error(`refused: ${opened.body}`);
    const [pid] = pidsFrom(fixture.logs);
    expect(processAlive(pid)).toBe(true);
    const reply = new Promise<string>((resolve) => opened.socket.on('message', (data) => data.toString().includes('"id":7') && resolve(data.toString())));
    opened.socket.send(JSON.stringify({ id: 7, type: 'ping' }));
    expect(JSON.parse(await reply)).toEqual({ type: 'reply', id: 7, ok: true });
    expect(fixture.sandboxes.sessionCount()).toBe(1);
    opened.socket.close();
    await eventually(() => !processAlive(pid), `sandbox process ${pid} to exit`);
    expect(fixture.sandboxes.sessionCount()).toBe(0);
  });

  it('says "too many sandboxes" past --max-sessions, and frees the slot when one closes', async () => {
    const first = await openSocket(fixture, (await grant(fixture)).body.token as string);
    const second = await openSocket(fixture, (await grant(fixture)).body.token as string);
    if (!('socket' in first) || !('socket' in second)) throw new Error('refused');
    const third = await grant(fixture);
    expect(third).toMatchObject({ status: 503, body: { error: 'too-many-sessions', message: expect.stringContaining('too many sandboxes') } });
    expect(third.body.message).toContain('--max-sessions');
    first.socket.close();
    await eventually(() => fixture.sandboxes.sessionCount() === 1, 'the first session to end');
    expect((await grant(fixture)).status).toBe(201);
    second.socket.close();
    await second.closed;
  });

  it('ends idle sessions and sessions whose process dies, with a notice and a close code', async () => {
    await fixture.sandboxes.close();
    await new Promise((resolve) => fixture.server.close(resolve));
    fixture = await startFixture({ idleTimeoutMs: 1_000 });
    const idle = await openSocket(fixture, (await grant(fixture)).body.token as string);
    if (!('socket' in idle)) throw new Error('refused');
    expect(await idle.closed).toEqual({ code: CLOSE_CODES.idle, reason: 'idle timeout' });
    expect(idle.lines.some((line) => line.includes('without use'))).toBe(true);
    await eventually(() => pidsFrom(fixture.logs).every((pid) => !processAlive(pid)), 'the idle sandbox to exit');

    await fixture.sandboxes.close();
    await new Promise((resolve) => fixture.server.close(resolve));
    fixture = await startFixture({ command: { file: process.execPath, args: ['-e', 'process.stdout.write(JSON.stringify({type:"ready",version:1,runtime:"local"})+"\\n"); setTimeout(() => { console.error("boom"); process.exit(3); }, 100)'] } });
    const dying = await openSocket(fixture, (await grant(fixture)).body.token as string);
    if (!('socket' in dying)) throw new Error('refused');
    expect(await dying.closed).toEqual({ code: CLOSE_CODES.processExited, reason: 'sandbox exited' });
    expect(dying.lines.at(-1)).toContain('the sandbox process exited (code 3): boom');
  });
});

/** This file's waits: up to 5 s unless a call says otherwise. */
function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return eventuallyWithin(condition, what, timeoutMs, 20);
}
