import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../sandbox/cli/serve-command.ts';
import { freePort, runCli, RunningCli, workDirectory } from './cli-process.ts';

function get(port: number, path: string): Promise<{ status: number | undefined; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      })
      .on('error', reject);
  });
}

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '192.168.1.10', '::', 'example.com', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('wslab serve', () => {
  let site: string;
  let running: RunningCli | undefined;

  beforeEach(() => {
    site = workDirectory();
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!DOCTYPE html><title>wslab</title><h1>Tutorial</h1>\n');
  });
  afterEach(async () => {
    await running?.kill();
    running = undefined;
    rmSync(site, { recursive: true, force: true });
  });

  it('says there is no built site, how to build one, and exits 1', async () => {
    const empty = workDirectory();
    try {
      const result = await runCli(['serve', '--root', empty, '--port', '0']);
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: '',
        stderr: `wslab serve: no built site in ${empty}. Run \`npm run build\` first (or \`npm start\`, which builds and serves).\n`,
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('serves the built site with the cross-origin isolation headers', async () => {
    const port = await freePort();
    running = new RunningCli(['serve', '--root', site, '--port', String(port)]);
    await running.waitForOutput(new RegExp(`^wslab serve: the tutorial is at http://127\\.0\\.0\\.1:${port}/`, 'm'));
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Tutorial</h1>');
    expect([page.headers['cross-origin-opener-policy'], page.headers['cross-origin-embedder-policy']]).toEqual(['same-origin', 'require-corp']);
  });

  // serve-command.ts does not close the site server after the signal; the process still exits
  // because bin.mjs ends the process once the command returns (841f9b7). Before that, the first
  // SIGTERM was swallowed and the server kept running.
  it('stops on SIGTERM with exit 0', async () => {
    const port = await freePort();
    running = new RunningCli(['serve', '--root', site, '--port', String(port)]);
    await running.waitForOutput(/the tutorial is at/);
    const finished = await running.stop('SIGTERM', 2_000);
    expect(finished && [finished.code, finished.signal]).toEqual([0, null]);
  });

  // `--port 0` must announce the port the server really got, not 0.
  it('announces the port it really listens on for --port 0', async () => {
    running = new RunningCli(['serve', '--root', site, '--port', '0']);
    const [, port] = await running.waitForOutput(/the tutorial is at http:\/\/127\.0\.0\.1:(\d+)\//);
    expect(Number(port)).toBeGreaterThan(0);
    expect((await get(Number(port), '/')).status).toBe(200);
  });
});
