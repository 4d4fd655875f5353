import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { MemoryLogSink } from '../../../sandbox/server/proxy/log-sink.ts';
import { ListenError, startProxyServer } from '../../../sandbox/server/proxy/proxy-server.ts';
import { RawConnection } from '../backends/raw-connection.ts';
import { checkedConfig, closed, echoRoundTrip, fixtureConfig, mustOpen, openWebSocket, startTestProxy } from './proxy-harness.ts';

const echoConfig = (echoPort: number, prefix = '/ws/') => checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass ${prefix} ws://127.0.0.1:${echoPort}/\n`);

function connectRefused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('startProxyServer', () => {
  let echo: RunningBackend;
  let other: RunningBackend;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    other = await startEchoServer({ port: 0 });
  });
  afterAll(async () => {
    await echo.close();
    await other.close();
  });

  it('binds one listener per Listen line, in order', async () => {
    const config = checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nListen 127.0.0.1:8001\nProxyPass /ws/ ws://127.0.0.1:${echo.port}/\n`);
    const proxy = await startProxyServer({ config, sink: new MemoryLogSink(), bindAddress: () => ({ host: '127.0.0.1', port: 0 }) });
    try {
      expect(proxy.listeners.map((listener) => [listener.listen.port, listener.host, listener.tls])).toEqual([
        [8000, '127.0.0.1', false],
        [8001, '127.0.0.1', false],
      ]);
      expect(proxy.listeners[0].port).not.toBe(proxy.listeners[1].port);
    } finally {
      await proxy.close();
    }
  });

  it("rejects with httpd's AH00072 make_sock message when the port is taken", async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const starting = startProxyServer({ config: echoConfig(echo.port), sink: new MemoryLogSink(), bindAddress: () => ({ host: '127.0.0.1', port }) });
      await expect(starting).rejects.toBeInstanceOf(ListenError);
      await expect(starting).rejects.toMatchObject({
        code: 'EADDRINUSE',
        message: `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${port}`,
      });
    } finally {
      squatter.close();
    }
  });

  it('releases the listeners it already bound when a later Listen fails', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const config = checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nListen 127.0.0.1:8001\nProxyPass /ws/ ws://127.0.0.1:${echo.port}/\n`);
    const free = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    try {
      const starting = startProxyServer({
        config,
        sink: new MemoryLogSink(),
        bindAddress: (listen) => ({ host: '127.0.0.1', port: listen.port === 8000 ? free : taken }),
      });
      await expect(starting).rejects.toBeInstanceOf(ListenError);
      // The first listener was closed again: nothing answers on its port.
      expect(await connectRefused(free)).toBe('ECONNREFUSED');
    } finally {
      squatter.close();
    }
  });

  it('reload(config) routes new connections by the new config while an open tunnel keeps working', async () => {
    const proxy = await startTestProxy(echoConfig(echo.port));
    try {
      const before = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
      expect(await echoRoundTrip(before, 'one')).toBe('Echo: one');
      expect(echo.observations.take()).toHaveLength(1);

      proxy.proxy.reload(echoConfig(other.port, '/next/'));

      const after = await mustOpen(`ws://127.0.0.1:${proxy.port}/next/`);
      expect(await echoRoundTrip(after, 'two')).toBe('Echo: two');
      expect(other.observations.take()).toHaveLength(1);
      const gone = await openWebSocket(`ws://127.0.0.1:${proxy.port}/ws/`);
      expect(gone.ok ? 101 : gone.status).toBe(404);

      // The tunnel opened before the restart still reaches the first backend.
      expect(await echoRoundTrip(before, 'three')).toBe('Echo: three');
      expect(echo.observations.seen).toEqual([]);
      before.close();
      after.close();
      expect(await Promise.all([closed(before), closed(after)])).toEqual([1005, 1005]);
    } finally {
      await proxy.close();
    }
  });

  it('reload(config) starts a new worker pool: the old generation keeps its own count', async () => {
    const proxy = await startTestProxy(fixtureConfig('max-request-workers', { ECHO_PORT: String(echo.port) }));
    const sockets = [];
    try {
      for (let index = 0; index < 3; index++) sockets.push(await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`));
      const old = proxy.proxy.runtime();
      expect(old.pool.inUse).toBe(3);
      proxy.proxy.reload(fixtureConfig('max-request-workers', { ECHO_PORT: String(echo.port) }));
      expect(proxy.proxy.runtime()).not.toBe(old);
      const fresh = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
      sockets.push(fresh);
      expect(await echoRoundTrip(fresh, 'new generation')).toBe('Echo: new generation');
      expect([old.pool.inUse, proxy.proxy.runtime().pool.inUse]).toEqual([3, 1]);
    } finally {
      for (const socket of sockets) socket.terminate();
      await proxy.close();
    }
  });

  it('close() cuts open tunnels promptly (the client sees 1006) and stops accepting', async () => {
    const proxy = await startTestProxy(echoConfig(echo.port));
    const tunnel = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
    expect(await echoRoundTrip(tunnel, 'before close')).toBe('Echo: before close');
    const code = closed(tunnel, 2_000);
    const started = Date.now();
    await proxy.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await code).toBe(1006);
    expect(await connectRefused(proxy.port)).toBe('ECONNREFUSED');
    const tunnelClose = proxy.events.find((event) => event.type === 'tunnel-close');
    expect(tunnelClose?.type === 'tunnel-close' ? tunnelClose.reason : null).toBe('shutdown');
  });

  // net.Server#close only calls back once every connection has ended, so close() must destroy the
  // accepted sockets first; it once waited out the 20 s request-read timeout of an idle client
  // (and `wslab proxy` as long on SIGTERM); fixed in 9256f78.
  it('close() ends idle and half-sent connections promptly too', async () => {
    const proxy = await startTestProxy(echoConfig(echo.port));
    const idle = await RawConnection.open(proxy.port);
    const halfHead = await RawConnection.open(proxy.port);
    halfHead.write('GET /ws/ HTTP/1.1\r\nHost: loc');
    try {
      const closing = proxy.close().then(() => 'closed');
      const outcome = await Promise.race([closing, new Promise((resolve) => setTimeout(() => resolve('still closing after 1.5 s'), 1_500))]);
      expect(outcome).toBe('closed');
      await idle.waitClosed(500);
      await halfHead.waitClosed(500);
      expect([idle.closed, halfHead.closed]).toEqual([true, true]);
    } finally {
      // Hanging up from the client side lets the pending close() finish.
      idle.destroy();
      halfHead.destroy();
      await proxy.close();
    }
  });
});
