/**
 * The one-file sandbox bundle: built by sandbox/runtime/build-bundle.ts, it must run on the
 * system's Node 20 with no node_modules anywhere near it, speak the protocol, and work when
 * driven the way WebContainer drives it (a terminal: "\r\n" line ends, input echoed back).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebContainerApi } from '../../sandbox/runtime/browser/webcontainer-connection.ts';
import { WebContainerSandboxConnection } from '../../sandbox/runtime/browser/webcontainer-connection.ts';
import type { SandboxEvent } from '../../sandbox/runtime/browser/index.ts';
import { buildSandboxBundle } from '../../sandbox/runtime/build-bundle.ts';
import type { CheckResult, ConfigResult } from '../../sandbox/runtime/protocol.ts';
import { closeClient, exerciseChecks, exerciseFile, openClient, roundTrip, spawnSandbox } from './sandbox-harness.ts';
import type { SandboxDriver } from './sandbox-harness.ts';

const SYSTEM_PATH = '/usr/bin:/bin';
const directory = mkdtempSync(join(tmpdir(), 'wslab-bundle-'));
const bundlePath = join(directory, 'sandbox.mjs');
let systemNodeVersion = '';
let built: Awaited<ReturnType<typeof buildSandboxBundle>>;

beforeAll(async () => {
  built = await buildSandboxBundle({ outfile: bundlePath });
  try {
    systemNodeVersion = execFileSync('node', ['--version'], { env: { PATH: SYSTEM_PATH }, encoding: 'utf8' }).trim();
  } catch {
    systemNodeVersion = '';
  }
}, 120_000);

describe('the sandbox bundle', () => {
  it('is one ES module that imports nothing but Node built-ins', () => {
    const text = readFileSync(bundlePath, 'utf8');
    expect(text.startsWith("import { createRequire as __wslabCreateRequire } from 'node:module';")).toBe(true);
    // ws's optional native add-ons stay require()s inside try/catch; ws runs without them.
    const foreign = built.externalImports.filter((specifier) => !isBuiltin(specifier) && specifier !== 'bufferutil' && specifier !== 'utf-8-validate');
    expect(foreign).toEqual([]);
    expect(built.externalImports).toContain('node:net');
  });

  describe('under the system Node (PATH without node_modules/.bin)', () => {
    let sandbox: SandboxDriver;
    beforeAll(async () => {
      if (!systemNodeVersion) return;
      sandbox = await spawnSandbox({ command: 'node', args: [bundlePath], env: { PATH: SYSTEM_PATH, WSLAB_RUNTIME: 'local' } });
    }, 60_000);
    afterAll(async () => {
      await sandbox?.stop();
    });

    it('is Node 20 here', () => {
      if (!systemNodeVersion) return console.warn('no system node on /usr/bin:/bin; skipped');
      expect(systemNodeVersion).toMatch(/^v20\./);
    });

    it('speaks the protocol: TLS lesson config, wss client, checks', async () => {
      if (!systemNodeVersion) return;
      expect(sandbox.messages[0]).toEqual({ type: 'ready', version: 1, runtime: 'local' });
      const apply = await sandbox.request({ type: 'apply-config', text: exerciseFile('06-tls', 'solution.conf') });
      if (!apply.ok) throw new Error(apply.error);
      expect((apply.result as ConfigResult).applied).toBe(true);
      expect(await openClient(sandbox, 'tls', { path: '/ws/', tls: true })).toMatchObject({ kind: 'open', status: 101 });
      expect(await roundTrip(sandbox, 'tls', 'over TLS')).toBe('Echo: over TLS');
      await closeClient(sandbox, 'tls');
      const checks = await sandbox.request({ type: 'run-checks', checks: exerciseChecks('06-tls') }, 60_000);
      if (!checks.ok) throw new Error(checks.error);
      expect((checks.result as CheckResult[]).filter((check) => !check.passed)).toEqual([]);
    });
  });

  it('runs as WebContainer runs it: mounted, spawned, over a terminal', async () => {
    const bundle = readFileSync(bundlePath, 'utf8');
    const fake = fakeWebContainer();
    const connection = new WebContainerSandboxConnection({
      crossOriginIsolated: true,
      loadApi: async () => fake.api,
      fetch: async (url) => (String(url) === '/sandbox/sandbox.mjs' ? new Response(bundle) : new Response('', { status: 404 })),
    });
    const events: SandboxEvent[] = [];
    connection.onMessage((event) => events.push(event));
    await connection.ready;
    expect(fake.spawned).toEqual({ command: 'node', args: ['sandbox.mjs'], runtime: 'webcontainer' });
    expect(events[0]).toEqual({ type: 'ready', version: 1, runtime: 'webcontainer' });
    const applied = await connection.request({ type: 'apply-config', text: exerciseFile('04-basic-vhost', 'solution.conf') });
    expect(applied).toMatchObject({ ok: true, result: { applied: true } });
    await connection.request({ type: 'client-open', client: 'w', options: { path: '/ws/' } });
    await until(() => events.some((event) => event.type === 'client-event' && event.event.kind === 'open'));
    await connection.request({ type: 'client-send', client: 'w', text: 'through a terminal' });
    await until(() => events.some((event) => event.type === 'client-event' && event.event.kind === 'message' && event.event.text === 'Echo: through a terminal'));
    connection.close();
    expect(await fake.exited).not.toBeNull();
    expect(fake.tornDown()).toBe(true);
  });

  it('fails WebContainer boot with a clear reason on a page that is not isolated, or when the bundle is missing', async () => {
    const notIsolated = new WebContainerSandboxConnection({ crossOriginIsolated: false });
    await expect(notIsolated.ready).rejects.toThrow(/not cross-origin isolated/);
    const fake = fakeWebContainer();
    const missing = new WebContainerSandboxConnection({ crossOriginIsolated: true, loadApi: async () => fake.api, fetch: async () => new Response('', { status: 404 }) });
    await expect(missing.ready).rejects.toThrow(/sandbox bundle \/sandbox\/sandbox\.mjs is missing/);
    const controller = new AbortController();
    const cancelled = new WebContainerSandboxConnection({ crossOriginIsolated: true, signal: controller.signal, loadApi: async () => ({ WebContainer: { boot: () => new Promise(() => undefined) } }) });
    controller.abort();
    await expect(cancelled.ready).rejects.toThrow(/cancelled/);
  });
});

/**
 * A stand-in for @webcontainer/api: mount() keeps the files, spawn() runs them with the system
 * Node, and the process's stdio behaves like WebContainer's terminal (input echoed, "\r\n").
 */
function fakeWebContainer() {
  const files = new Map<string, string>();
  let spawned: { command: string; args: string[]; runtime: string | undefined } | null = null;
  let tornDown = false;
  let resolveExit: (code: number | null) => void = () => undefined;
  const exited = new Promise<number | null>((resolve) => (resolveExit = resolve));
  const container = {
    async mount(tree: Record<string, { file: { contents: string } }>) {
      for (const [name, node] of Object.entries(tree)) files.set(name, node.file.contents);
    },
    async spawn(command: string, args: string[], options: { env?: Record<string, string> }) {
      spawned = { command, args, runtime: options.env?.WSLAB_RUNTIME };
      const workdir = mkdtempSync(join(tmpdir(), 'wslab-fake-webcontainer-'));
      for (const [name, contents] of files) writeFileSync(join(workdir, name), contents);
      const child = spawn('node', args, { cwd: workdir, env: { PATH: SYSTEM_PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      child.on('exit', (code) => resolveExit(code));
      let emit: (text: string) => void = () => undefined;
      const output = new ReadableStream<string>({
        start(controller) {
          emit = (text) => controller.enqueue(text.replace(/\n/g, '\r\n'));
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', emit);
          child.stderr.setEncoding('utf8');
          child.stderr.on('data', emit);
          child.on('exit', () => controller.close());
        },
      });
      const input = new WritableStream<string>({
        write(chunk) {
          emit(chunk); // a terminal echoes what is typed
          child.stdin.write(chunk);
        },
      });
      return { input, output, exit: new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1))), kill: () => child.kill(), resize: () => undefined };
    },
    teardown() {
      tornDown = true;
    },
  };
  const api = { WebContainer: { boot: async () => container } } as unknown as WebContainerApi;
  return { api, exited, tornDown: () => tornDown, get spawned() { return spawned; } };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
