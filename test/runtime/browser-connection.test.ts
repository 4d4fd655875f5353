/**
 * The page-side API against real sandboxes: LocalSandboxConnection through attachLocalSandboxes
 * (Node's fetch plus a `ws` client standing in for the browser's, which adds Origin itself), and
 * chooseRuntime's order and messages with WebContainer stubbed (it cannot boot here).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseRuntime, LocalSandboxConnection } from '../../sandbox/runtime/browser/index.ts';
import type { SandboxEvent, WebSocketLike } from '../../sandbox/runtime/browser/index.ts';
import type { WebContainerApi } from '../../sandbox/runtime/browser/webcontainer-connection.ts';
import { attachLocalSandboxes } from '../../sandbox/runtime/local-sessions.ts';
import type { LocalSandboxes } from '../../sandbox/runtime/local-sessions.ts';
import { startSiteServer } from '../../sandbox/server/site-server.ts';
import { exerciseFile } from './sandbox-harness.ts';

const root = mkdtempSync(join(tmpdir(), 'wslab-browser-connection-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>wslab</title>\n');

let server: Server;
let sandboxes: LocalSandboxes;
let origin: string;

/** What a browser adds by itself: Origin on fetch and on the WebSocket handshake. */
const browserFetch: typeof fetch = (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), Origin: origin } });
const browserWebSocket = (url: string) => new WebSocket(url, { origin }) as unknown as WebSocketLike;
const local = () => ({ fetch: browserFetch, createWebSocket: browserWebSocket });
const neverBoots: WebContainerApi = { WebContainer: { boot: () => new Promise(() => undefined) } };

beforeAll(async () => {
  server = await startSiteServer({ root, host: '127.0.0.1', port: 0 });
  sandboxes = attachLocalSandboxes(server, { maxSessions: 3, log: () => undefined });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandboxes.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('LocalSandboxConnection', () => {
  it('boots, applies a config, opens a client and closes with the sandbox', async () => {
    const connection = new LocalSandboxConnection({ origin, ...local() });
    const statuses: string[] = [];
    connection.onStatus((status) => statuses.push(status));
    const events: SandboxEvent[] = [];
    connection.onMessage((event) => events.push(event));
    // Sent while booting: queued until ready.
    const early = connection.request({ type: 'ping' });
    await connection.ready;
    expect(connection.status).toBe('ready');
    expect(await early).toMatchObject({ ok: true });
    const applied = await connection.request({ type: 'apply-config', text: exerciseFile('04-basic-vhost', 'solution.conf') });
    if (!applied.ok) throw new Error(applied.error);
    expect(applied.result.applied).toBe(true);
    expect((await connection.request({ type: 'client-open', client: 'c', options: { path: '/ws/' } })).ok).toBe(true);
    await until(() => events.some((event) => event.type === 'client-event' && event.event.kind === 'open'));
    await connection.request({ type: 'client-send', client: 'c', text: 'hello' });
    await until(() => events.some((event) => event.type === 'client-event' && event.event.kind === 'message' && event.event.direction === 'in' && event.event.text === 'Echo: hello'));
    const unknown = await connection.request({ type: 'client-send', client: 'nobody', text: 'x' });
    expect(unknown).toMatchObject({ ok: false, error: 'no client nobody' });
    connection.close();
    expect(statuses).toEqual(['booting', 'ready', 'closed']);
    expect(await connection.request({ type: 'ping' })).toMatchObject({ ok: false });
    await until(() => sandboxes.sessionCount() === 0);
  });

  it('fails with the server\'s reason when it refuses a session', async () => {
    const connection = new LocalSandboxConnection({ origin, fetch, createWebSocket: browserWebSocket });
    await expect(connection.ready).rejects.toThrow(/Origin/);
    expect(connection.status).toBe('failed');
    expect(connection.reason).toContain('no Origin header');
  });

  it('goes to failed with a reason when the server ends the session', async () => {
    const connection = new LocalSandboxConnection({ origin, ...local() });
    await connection.ready;
    await sandboxes.close();
    await until(() => connection.status === 'failed');
    expect(connection.reason).toContain('shutting down');
    sandboxes = attachLocalSandboxes(server, { maxSessions: 3, log: () => undefined });
  });
});

describe('chooseRuntime', () => {
  it('uses the local runtime when the page is not cross-origin isolated', async () => {
    const choice = await chooseRuntime({ pageUrl: `${origin}/en/lessons/basic-vhost/`, crossOriginIsolated: false, local: local() });
    if (!choice.ok) throw new Error(choice.reason);
    expect(choice.connection.runtime).toBe('local');
    expect(choice.attempts).toEqual([
      { runtime: 'webcontainer', ok: false, reason: expect.stringContaining('not cross-origin isolated') },
      { runtime: 'local', ok: true },
    ]);
    choice.connection.close();
  });

  it('tries WebContainer first when isolated, and falls back to local when it does not boot', async () => {
    const tried: string[] = [];
    const choice = await chooseRuntime({
      pageUrl: `${origin}/`,
      crossOriginIsolated: true,
      webContainerFallbackMs: 200,
      webContainer: { loadApi: async () => neverBoots, fetch: async () => new Response('') },
      local: local(),
      onAttempt: (runtime) => tried.push(runtime),
    });
    if (!choice.ok) throw new Error(choice.reason);
    expect(tried).toEqual(['webcontainer', 'local']);
    expect(choice.connection.runtime).toBe('local');
    expect(choice.attempts[0]).toMatchObject({ runtime: 'webcontainer', ok: false });
    choice.connection.close();
  });

  it('explains why nothing can run on a plain static host', async () => {
    const choice = await chooseRuntime({
      pageUrl: 'https://static.example/en/',
      crossOriginIsolated: false,
      local: { fetch: async () => new Response('not found', { status: 404 }) },
    });
    expect(choice).toMatchObject({ ok: false, code: 'not-isolated-no-local' });
    if (choice.ok) return;
    expect(choice.reason).toContain('Cross-Origin-Embedder-Policy');
    expect(choice.advice).toContain('wslab serve');
  });

  it('honours ?runtime= without falling back', async () => {
    const forcedLocal = await chooseRuntime({ pageUrl: `${origin}/?runtime=local`, crossOriginIsolated: true, local: local() });
    if (!forcedLocal.ok) throw new Error(forcedLocal.reason);
    expect(forcedLocal.connection.runtime).toBe('local');
    forcedLocal.connection.close();

    const failing: WebContainerApi = { WebContainer: { boot: async () => Promise.reject(new Error('Unable to create more instances')) } };
    const forcedWebContainer = await chooseRuntime({
      pageUrl: `${origin}/?runtime=webcontainer`,
      crossOriginIsolated: false,
      webContainer: { loadApi: async () => failing },
      local: local(),
    });
    expect(forcedWebContainer).toMatchObject({ ok: false, code: 'forced-runtime-failed' });
    if (!forcedWebContainer.ok) expect(forcedWebContainer.reason).toContain('?runtime=webcontainer');
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
