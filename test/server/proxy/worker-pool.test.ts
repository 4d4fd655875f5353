import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { WorkerPool } from '../../../sandbox/server/proxy/worker-pool.ts';
import { closed, echoRoundTrip, eventually, fixtureConfig, sleep, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';

describe('WorkerPool', () => {
  it('hands out up to `limit` leases at once and reports saturation only the first time', async () => {
    let saturations = 0;
    const pool = new WorkerPool(2, { onFirstSaturation: () => (saturations += 1) });
    const first = await pool.acquire();
    await pool.acquire();
    expect([pool.inUse, pool.queued, saturations]).toEqual([2, 0, 0]);
    const waiting = pool.acquire();
    expect([pool.inUse, pool.queued, saturations]).toEqual([2, 1, 1]);
    first.release();
    const third = await waiting;
    expect([pool.inUse, pool.queued]).toEqual([2, 0]);
    const fourth = pool.acquire();
    expect(saturations).toBe(1);
    third.release();
    await fourth;
    expect(saturations).toBe(1);
  });

  it('grants waiting leases in arrival order', async () => {
    const pool = new WorkerPool(1, { onFirstSaturation: () => undefined });
    const held = await pool.acquire();
    const order: string[] = [];
    const a = pool.acquire().then((lease) => (order.push('a'), lease));
    const b = pool.acquire().then((lease) => (order.push('b'), lease));
    held.release();
    (await a).release();
    (await b).release();
    expect(order).toEqual(['a', 'b']);
    expect(pool.inUse).toBe(0);
  });

  it('counts a lease released twice once', async () => {
    const pool = new WorkerPool(2, { onFirstSaturation: () => undefined });
    const lease = await pool.acquire();
    await pool.acquire();
    lease.release();
    lease.release();
    expect(pool.inUse).toBe(1);
  });

  it('drops a waiter whose signal aborts and rejects its promise', async () => {
    const pool = new WorkerPool(1, { onFirstSaturation: () => undefined });
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    expect(pool.queued).toBe(1);
    controller.abort(new Error('client closed'));
    await expect(waiting).rejects.toThrow('client closed');
    expect(pool.queued).toBe(0);
    held.release();
    expect(pool.inUse).toBe(0);
  });

  it('treats a limit below 1 as 1', () => {
    expect(new WorkerPool(0, { onFirstSaturation: () => undefined }).limit).toBe(1);
  });
});

describe('MaxRequestWorkers through the running proxy', () => {
  let echo: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    proxy = await startTestProxy(fixtureConfig('max-request-workers', { ECHO_PORT: String(echo.port) }));
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  it('opens 3 of 5 simultaneous WebSockets, logs AH00484 once, and opens a waiting one when an open one closes', async () => {
    const sockets = Array.from({ length: 5 }, () => new WebSocket(`ws://127.0.0.1:${proxy.port}/ws/`, { perMessageDeflate: false, handshakeTimeout: 10_000 }));
    const opened: WebSocket[] = [];
    for (const socket of sockets) {
      socket.on('open', () => opened.push(socket));
      socket.on('error', () => undefined);
    }
    try {
      await eventually(() => opened.length === 3, 'three open WebSockets');
      // Give the other two every chance to get through if the cap were not enforced.
      await sleep(400);
      expect(opened).toHaveLength(3);
      expect(echo.observations.seen).toHaveLength(3);
      expect(proxy.proxy.runtime().pool.inUse).toBe(3);
      expect(proxy.proxy.runtime().pool.queued).toBe(2);
      const saturation = proxy.errorLines().filter((line) => line.includes('AH00484'));
      expect(saturation).toEqual(['[mpm_event:error] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting']);

      const first = opened[0];
      first.close(1000);
      expect(await closed(first)).toBe(1000);
      await eventually(() => opened.length === 4, 'a waiting WebSocket to open');
      const fourth = opened[3];
      expect(await echoRoundTrip(fourth, 'finally')).toBe('Echo: finally');
      expect(opened.filter((socket) => socket.readyState === WebSocket.OPEN)).toHaveLength(3);

      opened[1].close(1000);
      await eventually(() => opened.length === 5, 'the last WebSocket to open');
      expect(proxy.errorLines().filter((line) => line.includes('AH00484'))).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.terminate();
    }
    await eventually(() => proxy.proxy.runtime().pool.inUse === 0, 'every worker to be released');
  });
});
