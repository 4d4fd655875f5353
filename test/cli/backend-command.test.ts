import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { echoRoundTrip, mustOpen } from '../server/proxy/proxy-harness.ts';
import { freePort, runCli, RunningCli } from './cli-process.ts';

function get(port: number, path: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      })
      .on('error', reject);
  });
}

describe('wslab echo / wslab app', () => {
  let running: RunningCli | undefined;

  afterEach(async () => {
    await running?.kill();
    running = undefined;
  });

  it('echo --port 0 listens on a free loopback port, echoes, logs the upgrade and stops on SIGTERM with exit 0', async () => {
    running = new RunningCli(['echo', '--port', '0']);
    const [, port] = await running.waitForOutput(/^wslab echo: listening on ws:\/\/127\.0\.0\.1:(\d+)$/m);
    expect(Number(port)).toBeGreaterThan(0);
    const socket = await mustOpen(`ws://127.0.0.1:${port}/chat`);
    expect(await echoRoundTrip(socket, 'hi')).toBe('Echo: hi');
    socket.terminate();
    await running.waitForOutput(/^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/chat \(Upgrade: websocket\)$/m);
    const finished = await running.stop('SIGTERM');
    expect(finished && [finished.code, finished.signal, finished.stderr]).toEqual([0, null, '']);
  });

  it('app --port 0 serves its page and stops on SIGTERM with exit 0', async () => {
    running = new RunningCli(['app', '--port', '0']);
    const [, port] = await running.waitForOutput(/^wslab app: listening on http:\/\/127\.0\.0\.1:(\d+)$/m);
    const answer = await get(Number(port), '/');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<h1>App backend</h1>');
    await running.waitForOutput(/ GET \/$/m);
    const finished = await running.stop('SIGTERM');
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
  });

  it.each(['echo', 'app'] as const)('%s stops on SIGINT with exit 0', async (kind) => {
    running = new RunningCli([kind, '--port', '0']);
    await running.waitForOutput(new RegExp(`^wslab ${kind}: listening on `, 'm'));
    const finished = await running.stop('SIGINT');
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
  });

  it('echo --host and -p choose the address', async () => {
    const port = await freePort();
    running = new RunningCli(['echo', '--host', '127.0.0.1', '-p', String(port)]);
    await running.waitForOutput(new RegExp(`^wslab echo: listening on ws://127\\.0\\.0\\.1:${port}$`, 'm'));
    const socket = await mustOpen(`ws://127.0.0.1:${port}/`);
    socket.terminate();
    expect((await running.stop('SIGTERM'))?.code).toBe(0);
  });

  it.each(['echo', 'app'] as const)('%s says the port is in use and exits 1', async (kind) => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as net.AddressInfo;
    try {
      const result = await runCli([kind, '--port', String(port)]);
      expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr: `wslab ${kind}: cannot listen on 127.0.0.1:${port}: the address is already in use\n` });
    } finally {
      squatter.close();
    }
  });

  it('refuses a port that is not a number, with the usage, and exits 1', async () => {
    const result = await runCli(['echo', '--port', 'eighty']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(0, 3)).toEqual(["wslab echo: invalid port 'eighty': use a number from 0 to 65535", '', 'Usage: wslab echo [--port 8080] [--host 127.0.0.1]']);
  });

  it('refuses a positional argument and exits 1', async () => {
    const result = await runCli(['app', '3000']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("wslab app: unexpected argument '3000'");
  });
});
