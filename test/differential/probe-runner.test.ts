/**
 * The probe runner on its own, pointed straight at the backends (no proxy in between): if these
 * fail, a differential result means nothing, so they guard the harness as much as the product.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { APP_HOME_PAGE, startAppServer } from '../../sandbox/server/backends/app-server.ts';
import { startEchoServer } from '../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../sandbox/server/backends/server-lifecycle.ts';
import type { BackendName } from '../../sandbox/engine/probe.ts';
import { runCheck, runProbe } from '../../sandbox/server/probe-runner.ts';
import type { ProbeTarget } from '../../sandbox/server/probe-runner.ts';
import { findFreePort } from './harness/proxy-process.ts';

let echo: RunningBackend;
let app: RunningBackend;

beforeAll(async () => {
  [echo, app] = await Promise.all([startEchoServer(), startAppServer()]);
});
afterAll(async () => {
  await Promise.all([echo.close(), app.close()]);
});

function targetFor(backend: RunningBackend): ProbeTarget {
  return {
    proxyHost: '127.0.0.1',
    proxyPort: backend.port,
    observer: {
      begin: () => void backend.observations.take(),
      end: () => ({ backendSaw: backend.observations.take(), errorLogCodes: [] }),
    },
  };
}

describe('runProbe', () => {
  it('records the 101, replies in order (binary as hex) and the close code of a ws probe', async () => {
    const outcome = await runProbe(
      { kind: 'ws', path: '/chat', send: [{ text: 'one' }, { binaryHex: '00ff' }, { text: 'three' }], closeCode: 4001 },
      targetFor(echo),
    );
    expect(outcome.status).toBe(101);
    expect(outcome.headers.upgrade).toBe('websocket');
    expect(outcome.received).toEqual(['Echo: one', 'hex:00ff', 'Echo: three']);
    expect(outcome.closeCode).toBe(4001);
    expect(outcome.openMs).toBeGreaterThanOrEqual(0);
    expect(outcome.backendSaw).toMatchObject([{ backend: 'echo', path: '/chat' }]);
  });

  it('sends probe headers over the ones ws writes (Firefox Connection, own Host)', async () => {
    const outcome = await runProbe(
      { kind: 'ws', path: '/', host: 'chat.example', headers: { Connection: 'keep-alive, Upgrade' }, protocols: ['v2', 'v1'] },
      targetFor(echo),
    );
    expect(outcome.status).toBe(101);
    expect(outcome.headers['sec-websocket-protocol']).toBe('v2');
    expect(outcome.backendSaw[0]?.headers).toMatchObject({ host: 'chat.example', connection: 'keep-alive, Upgrade', 'sec-websocket-protocol': 'v2,v1' });
  });

  it('records a non-101 answer to a handshake with its status, headers and body', async () => {
    const outcome = await runProbe({ kind: 'ws', path: '/', send: [{ text: 'lost' }] }, targetFor(app));
    expect(outcome.status).toBe(200);
    expect(outcome.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(outcome.body).toBe(APP_HOME_PAGE);
    expect(outcome.received).toEqual([]);
    expect(outcome.closeCode).toBeUndefined();
  });

  it('reports status null when nothing listens', async () => {
    const port = await findFreePort();
    const outcome = await runProbe({ kind: 'ws', path: '/' }, { proxyHost: '127.0.0.1', proxyPort: port });
    expect(outcome).toMatchObject({ status: null, received: [], backendSaw: [], errorLogCodes: [] });
  });

  it('sees 1006 and the tunnel lifetime when the server cuts an idle connection', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => setTimeout(() => socket.terminate(), 300));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const outcome = await runProbe({ kind: 'ws', path: '/', holdMs: 3_000 }, { proxyHost: '127.0.0.1', proxyPort: port });
      expect(outcome.closeCode).toBe(1006);
      expect(outcome.openMs).toBeGreaterThanOrEqual(250);
      expect(outcome.openMs).toBeLessThan(1_500);
    } finally {
      server.close();
    }
  });

  it('makes a plain HTTP request and keeps the first 4 KiB of the body', async () => {
    const outcome = await runProbe({ kind: 'http', path: '/', headers: { 'X-Probe': 'yes' } }, targetFor(app));
    expect(outcome.status).toBe(200);
    expect(outcome.body).toBe(APP_HOME_PAGE);
    expect(outcome.backendSaw[0]?.headers['x-probe']).toBe('yes');
  });

  it('parses the answer to raw bytes and stops at the end of a keep-alive response', async () => {
    const started = Date.now();
    const outcome = await runProbe({ kind: 'raw', data: 'GET / HTTP/1.1\r\nHost: raw.example\r\n\r\n' }, targetFor(app));
    expect(outcome.status).toBe(200);
    expect(outcome.body).toBe(APP_HOME_PAGE);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives up on a raw request nobody answers after rawMs', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const outcome = await runProbe({ kind: 'raw', data: 'GET / HTTP/1.1\r\n\r\n' }, { proxyHost: '127.0.0.1', proxyPort: port, timeouts: { rawMs: 300 } });
      expect(outcome.status).toBeNull();
    } finally {
      silent.close();
    }
  });

  it('counts how many of several WebSockets open within holdMs', async () => {
    const outcome = await runProbe({ kind: 'ws-many', path: '/', count: 4, holdMs: 500 }, targetFor(echo));
    expect(outcome.opened).toBe(4);
    expect(outcome.status).toBe(101);
    expect(outcome.backendSaw).toHaveLength(4);
  });
});

describe('runCheck', () => {
  it('applies the setup, then judges the outcome with the expectation', async () => {
    const stoppedCalls: BackendName[][] = [];
    const result = await runCheck(
      { id: 'echo-answers', setup: { stopped: ['app'] }, probe: { kind: 'ws', path: '/', send: [{ text: 'hi' }] }, expect: { status: 101, received: ['Echo: nope'] } },
      { target: targetFor(echo), setStoppedBackends: async (stopped) => void stoppedCalls.push(stopped) },
    );
    expect(stoppedCalls).toEqual([['app']]);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([{ field: 'received', wanted: ['Echo: nope'], got: ['Echo: hi'] }]);
  });

  it('asks for every backend to run when a check has no setup', async () => {
    const stoppedCalls: BackendName[][] = [];
    const result = await runCheck(
      { id: 'plain', probe: { kind: 'http', path: '/' }, expect: { status: 200, backend: { backend: 'app', path: '/' } } },
      { target: targetFor(app), setStoppedBackends: async (stopped) => void stoppedCalls.push(stopped) },
    );
    expect(stoppedCalls).toEqual([[]]);
    expect(result).toMatchObject({ id: 'plain', passed: true, failures: [] });
  });
});
