import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer } from '../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../sandbox/server/backends/echo-server.ts';
import { closed, echoRoundTrip, hex, mustOpen, openWebSocket, RawClient } from '../server/proxy/proxy-harness.ts';
import { FIXTURES, freePort, runCli, RunningCli, SYSTEM_NODES, workDirectory } from './cli-process.ts';

/** Error-log lines without time stamp and pid/tid, which change from run to run. */
function errorLog(directory: string): string[] {
  const path = join(directory, 'error.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\[[^\]]+\] /, '').replace(/ \[pid \d+:tid \d+\]/, ''));
}

function accessLog(directory: string): string[] {
  const path = join(directory, 'access.log');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line !== '') : [];
}

describe('wslab proxy', () => {
  let echo: RunningBackend;
  let directory: string;
  let running: RunningCli | undefined;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
  });
  afterAll(async () => {
    await echo.close();
  });
  afterEach(async () => {
    await running?.kill();
    running = undefined;
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /** Write a config for a fresh port in a fresh directory; `extra` lines go before the ProxyPass. */
  async function writeConfig(
    extra: string | ((directory: string) => string) = '',
    routes = `ProxyPass /ws/ ws://127.0.0.1:${echo.port}/`,
  ): Promise<{ path: string; port: number }> {
    directory = workDirectory();
    if (typeof extra === 'function') extra = extra(directory);
    const port = await freePort();
    const path = join(directory, 'httpd.conf');
    writeFileSync(
      path,
      `ServerName localhost\nListen 127.0.0.1:${port}\nErrorLog ${directory}/error.log\n` +
        `LogFormat "%h \\"%r\\" %>s" short\nCustomLog ${directory}/access.log short\n${extra}${routes}\n`,
    );
    return { path, port };
  }

  /**
   * A config on a fresh port, and `wslab proxy` running on it. Another test file may take the port
   * between freePort() and the bind; then the proxy says AH00072 and it is tried once more.
   */
  async function startOnFreshPort(
    options: { tap?: boolean; node?: string; extra?: (directory: string) => string } = {},
  ): Promise<{ path: string; port: number; proxy: RunningCli }> {
    for (let attempt = 1; ; attempt++) {
      const { path, port } = await writeConfig(options.extra);
      running = new RunningCli(['proxy', ...(options.tap ? ['--tap'] : []), path], { node: options.node });
      const outcome = await Promise.race([
        running.waitForOutput(/wslab proxy: listening on http:\/\/127\.0\.0\.1:\d+/).then(() => 'up' as const),
        running.exited.then(() => 'exited' as const),
      ]).catch(() => 'exited' as const);
      if (outcome === 'up') return { path, port, proxy: running };
      if (attempt === 3 || !running.stderr.includes('AH00072')) throw new Error(`wslab proxy did not start:\n${running.stderr}`);
      rmSync(directory, { recursive: true, force: true });
    }
  }

  it('prints the configtest message and exits 1 for a config with a syntax error', async () => {
    const file = join(FIXTURES, 'misspelled-directive.conf');
    const result = await runCli(['proxy', file], { env: { APACHE_LOG_DIR: tmpdir() } });
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr:
        `AH00526: Syntax error on line 6 of ${file}:\n` +
        "Invalid command 'ProxyPas', perhaps misspelled or defined by a module not included in the server configuration\n",
    });
  });

  it('exits with 2, as httpd does, when the config jams its expression scanner', async () => {
    const result = await runCli(['proxy', join(FIXTURES, 'expr-scanner-jam.conf')], { env: { APACHE_LOG_DIR: tmpdir() } });
    expect(result).toEqual({ code: 2, signal: null, stdout: '', stderr: 'flex scanner jammed\n' });
  });

  it('names a missing config file and exits 1', async () => {
    const missing = join(tmpdir(), 'wslab-no-such-config.conf');
    const result = await runCli(['proxy', missing]);
    expect([result.code, result.stderr]).toEqual([1, `wslab: Could not open configuration file ${missing}: No such file or directory\n`]);
  });

  it('prints the AH00072 make_sock message and exits 1 when the port is already in use', async () => {
    const { path, port } = await writeConfig();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCli(['proxy', path]);
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: '',
        stderr:
          `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${port}\n` +
          'no listening sockets available, shutting down\n' +
          'AH00015: Unable to open logs\n',
      });
    } finally {
      squatter.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('proxies WebSockets, then stops on %s with exit 0 and AH00491 in the error log', async (signal) => {
    const { path, port, proxy } = await startOnFreshPort();
    const socket = await mustOpen(`ws://127.0.0.1:${port}/ws/`);
    expect(await echoRoundTrip(socket, 'through the CLI')).toBe('Echo: through the CLI');
    socket.close(1000);
    expect(await closed(socket)).toBe(1000);

    const finished = await proxy.stop(signal);
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
    expect(errorLog(directory)).toEqual([
      '[mpm_event:notice] AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations',
      `[core:notice] AH00094: Command line: 'wslab proxy ${path}'`,
      `[mpm_event:notice] AH00491: caught ${signal}, shutting down`,
    ]);
    expect(accessLog(directory)).toEqual(['127.0.0.1 "GET /ws/ HTTP/1.1" 101']);
  });

  it('writes the PidFile it names over a stale one (AH00098), and removes it at stop (AH00096, info)', async () => {
    const { path, proxy } = await startOnFreshPort({
      extra: (directory) => {
        writeFileSync(join(directory, 'run.pid'), '12345\n');
        return `LogLevel info\nServerRoot ${directory}\nPidFile run.pid\n`;
      },
    });
    const pidFile = join(directory, 'run.pid');
    expect(readFileSync(pidFile, 'utf8')).toBe(`${proxy.child.pid}\n`);

    const finished = await proxy.stop('SIGTERM');
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
    expect(existsSync(pidFile)).toBe(false);
    expect(errorLog(directory)).toEqual([
      `[core:warn] AH00098: pid file ${pidFile} overwritten -- Unclean shutdown of previous Apache run?`,
      '[mpm_event:notice] AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations',
      '[mpm_event:info] AH00490: Server built: 2026-11-12T08:58:41',
      `[core:notice] AH00094: Command line: 'wslab proxy ${path}'`,
      `[core:info] AH00096: removed PID file ${pidFile} (pid=${proxy.child.pid})`,
      '[mpm_event:notice] AH00491: caught SIGTERM, shutting down',
    ]);
  });

  it('exits 1 with AH00099 and AH00100 when its PidFile cannot be created', async () => {
    const { path } = await writeConfig((directory) => `PidFile ${directory}/missing/run.pid\n`);
    const result = await runCli(['proxy', path]);
    expect([result.code, result.signal]).toEqual([1, null]);
    const lines = errorLog(directory);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^\\[core:error\\] \\(2\\)No such file or directory: AH00099: could not create ${directory}/missing/run\\.pid\\.[A-Za-z0-9]{6}$`),
    );
    expect(lines[1]).toBe(`[core:error] AH00100: apache2: could not log pid to file ${directory}/missing/run.pid`);
  });

  it('cuts an open WebSocket on SIGTERM (the client sees 1006), logs it with 101, and exits 0 promptly', async () => {
    const { path, port, proxy } = await startOnFreshPort();
    const socket = await mustOpen(`ws://127.0.0.1:${port}/ws/open`);
    expect(await echoRoundTrip(socket, 'hold')).toBe('Echo: hold');
    const code = closed(socket);
    const started = Date.now();
    const finished = await proxy.stop('SIGTERM', 3_000);
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await code).toBe(1006);
    expect(accessLog(directory)).toEqual(['127.0.0.1 "GET /ws/open HTTP/1.1" 101']);
  });

  it('exits promptly on SIGTERM with an idle client connection open', async () => {
    const { path, port, proxy } = await startOnFreshPort();
    const idle = await RawClient.open(port);
    try {
      const started = Date.now();
      const finished = await proxy.stop('SIGTERM', 3_000);
      expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await idle.waitEnded(1_000)).toBe(true);
    } finally {
      idle.destroy();
    }
  });

  // A tunnel that received bytes after it finished used to re-arm its idle timer and keep the
  // process alive for Timeout seconds after SIGTERM (fixed in the tunnel by 7ff4259; bin.mjs also
  // ends the process once the command returns since 841f9b7).
  it('exits promptly on SIGTERM after a tunnel received bytes once it had closed', async () => {
    const { path, port, proxy } = await startOnFreshPort();
    const client = await RawClient.open(port);
    try {
      client.write(
        'GET /ws/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      await client.waitFor((received) => received.includes('\r\n\r\n'), 3_000);
      expect(client.statusLine()).toBe('HTTP/1.1 101 Switching Protocols');
      // Close 1000 (masked with 37fa213d); the echo backend answers with its close and hangs up.
      client.write(hex('88 82 37fa213d 3412'));
      expect(await client.waitEnded(3_000)).toBe(true);
      // The proxy has ended its side but not yet destroyed the socket: a masked "hi" still arrives.
      client.write(hex('81 82 00000000 6869'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      client.destroy();
    }
    const finished = await proxy.stop('SIGTERM', 2_000);
    expect(errorLog(directory).at(-1)).toBe('[mpm_event:notice] AH00491: caught SIGTERM, shutting down');
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
  });

  it('prints every traffic event as a JSON line with --tap', async () => {
    const { port, proxy } = await startOnFreshPort({ tap: true });
    const answer = await openWebSocket(`ws://127.0.0.1:${port}/nowhere`);
    expect(answer.ok ? 101 : answer.status).toBe(404);
    await proxy.waitForOutput(/"type":"connection-close"/);
    const events = proxy.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type: string; hop?: string; status?: number; routing?: { outcome: string }; entry?: { code?: string } });
    expect(events.map((event) => [event.type, event.hop ?? event.status ?? event.routing?.outcome ?? event.entry?.code ?? null])).toEqual([
      // The start-up notices go through the same stream.
      ['error-log', 'AH00489'],
      ['error-log', 'AH00094'],
      ['connection-open', null],
      ['head', 'client->proxy'],
      ['route', 'not-found'],
      ['head', 'proxy->client'],
      ['response', 404],
      ['access-log', null],
      ['connection-close', null],
    ]);
    const finished = await proxy.stop('SIGTERM');
    expect(finished?.code).toBe(0);
  });

  it('prints each WebSocket frame of a tunnel with --tap, and what is still gathered when it stops', async () => {
    const { port, proxy } = await startOnFreshPort({ tap: true });
    const socket = await mustOpen(`ws://127.0.0.1:${port}/ws/`);
    expect(await echoRoundTrip(socket, 'say "hi" \\ é')).toBe('Echo: say "hi" \\ é');
    socket.close(1000, 'bye');
    await closed(socket);
    // Stop straight away: the tunnel's last events may still be gathered, and must not be lost.
    const finished = await proxy.stop('SIGTERM');
    expect(finished?.code).toBe(0);
    const lines = proxy.stdout.split('\n').filter((line) => line !== '');
    // Every line is JSON exactly as JSON.stringify writes it (the frame lines come from a template).
    for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    const frames = lines
      .map((line) => JSON.parse(line) as { type: string; direction?: string; frame?: { opcodeName: string; masked: boolean; preview: string; closeCode?: number; closeReason?: string } })
      .filter((event) => event.type === 'frame')
      .map(({ direction, frame }) => [direction, frame?.opcodeName, frame?.masked, frame?.preview, frame?.closeCode ?? null, frame?.closeReason ?? null]);
    expect(frames).toEqual([
      ['client->backend', 'text', true, 'say "hi" \\ é', null, null],
      ['backend->client', 'text', false, 'Echo: say "hi" \\ é', null, null],
      ['client->backend', 'close', true, '03e8627965', 1000, 'bye'],
      ['backend->client', 'close', false, '03e8627965', 1000, 'bye'],
    ]);
    // Written on the way out, after the tunnel's own events.
    expect(lines.slice(-2).map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['connection-close', 'error-log']);
    expect(lines.at(-1)).toContain('AH00491: caught SIGTERM, shutting down');
  });

  it('on SIGUSR1 reloads a changed config for new connections, and keeps the old one when the new one is broken', async () => {
    const { path, port, proxy } = await startOnFreshPort();
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, original.replace('ProxyPass /ws/', 'ProxyPass /moved/'));
    proxy.child.kill('SIGUSR1');
    await waitForLog(directory, 'AH00493', () => proxy.stderr);
    const moved = await mustOpen(`ws://127.0.0.1:${port}/moved/`);
    expect(await echoRoundTrip(moved, 'after reload')).toBe('Echo: after reload');
    moved.terminate();

    writeFileSync(path, `${original}ProxyPas /x http://127.0.0.1:1/\n`);
    proxy.child.kill('SIGUSR1');
    await proxy.waitForOutput(/graceful restart refused; still running the previous config/);
    expect(proxy.stderr).toContain(`AH00526: Syntax error on line 7 of ${path}:`);
    const still = await mustOpen(`ws://127.0.0.1:${port}/moved/`);
    expect(await echoRoundTrip(still, 'old config')).toBe('Echo: old config');
    still.terminate();
    expect((await proxy.stop('SIGTERM'))?.code).toBe(0);
  });

  const systemNode = SYSTEM_NODES.find(({ major }) => major < 22)?.path;
  it.skipIf(systemNode === undefined)('hands over from an older node to the bundled Node 22 and passes SIGTERM on', async () => {
    const { port } = await startOnFreshPort({ node: systemNode });
    if (!running) throw new Error('not running');
    const socket = await mustOpen(`ws://127.0.0.1:${port}/ws/`);
    expect(await echoRoundTrip(socket, 'node 20')).toBe('Echo: node 20');
    socket.terminate();
    const finished = await running.stop('SIGTERM');
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
    expect(errorLog(directory).at(-1)).toBe('[mpm_event:notice] AH00491: caught SIGTERM, shutting down');
  });
});

async function waitForLog(directory: string, code: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!errorLog(directory).some((line) => line.includes(code))) {
    if (Date.now() > deadline) throw new Error(`${code} never reached the error log:\n${errorLog(directory).join('\n')}\nstderr:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
