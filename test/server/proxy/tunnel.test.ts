import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { computeWebSocketAccept } from '../../../sandbox/engine/websocket/accept.ts';
import type { TapEvent } from '../../../sandbox/engine/tap-events.ts';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import { MemoryLogSink } from '../../../sandbox/server/proxy/log-sink.ts';
import { startProxyServer } from '../../../sandbox/server/proxy/proxy-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { RawConnection } from '../backends/raw-connection.ts';
import { checkedConfig, closed, echoRoundTrip, eventually, fixtureConfig, hex, mustOpen, RawClient, sleep, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';

const UPGRADE_HEAD =
  'GET /ws/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/**
 * A WebSocket backend that speaks only the handshake and then records every byte it receives and
 * writes whatever the test tells it to, so both directions of the tunnel can be compared byte for byte.
 */
async function startRawWebSocketBackend(greeting: Buffer = Buffer.alloc(0)): Promise<{
  port: number;
  received(): Buffer;
  send(bytes: Buffer): void;
  upgraded: Promise<void>;
  close(): Promise<void>;
}> {
  let received = Buffer.alloc(0);
  let peer: net.Socket | undefined;
  let markUpgraded: () => void = () => undefined;
  const upgraded = new Promise<void>((resolve) => (markUpgraded = resolve));
  const server = net.createServer((socket) => {
    peer = socket;
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let inTunnel = false;
    socket.on('data', (chunk: Buffer) => {
      if (inTunnel) {
        received = Buffer.concat([received, chunk]);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const key = /\r\nSec-WebSocket-Key: *([^\r]*)\r\n/i.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? '';
      // The greeting goes out in the same write as the 101 head, as a server that speaks first may do.
      socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeWebSocketAccept(key)}\r\n\r\n`, 'latin1'), greeting]));
      inTunnel = true;
      received = Buffer.concat([received, head.subarray(end + 4)]);
      markUpgraded();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    received: () => received,
    send: (bytes) => peer?.write(bytes),
    upgraded,
    close: () =>
      new Promise<void>((resolve) => {
        peer?.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The event sequence with the parts that vary (times, ports, keys) left out. */
function shape(events: TapEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'head':
        return `head ${event.hop} ${event.head.split('\r\n')[0]}`;
      case 'frame':
        return `frame ${event.direction} fin=${event.frame.fin} op=${event.frame.opcode} masked=${event.frame.masked} len=${event.frame.payloadLength} ${event.frame.previewEncoding}:${event.frame.preview}`;
      case 'route':
        return `route ${event.routing.outcome}`;
      case 'response':
        return `response ${event.status}`;
      case 'tunnel-close':
        return `tunnel-close ${event.reason}`;
      default:
        return event.type;
    }
  });
}

describe('startTunnel through the running proxy', () => {
  let echo: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    proxy = await startTestProxy(
      checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nLogFormat "\\"%r\\" %>s" short\nCustomLog /t/access.log short\nProxyPass /ws/ ws://127.0.0.1:${echo.port}/\n`),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });
  afterEach(() => {
    proxy.events.length = 0;
    proxy.sink.accessLines.length = 0;
  });

  it('reports one WebSocket as heads, route, frames both ways, tunnel-close and access-log, in that order', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write(UPGRADE_HEAD);
      expect((await connection.readHead()).split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
      // RFC 6455 5.7: a masked "Hello"; the echo server answers "Echo: Hello".
      connection.write(hex('81 85 37fa213d 7f9f4d5158'));
      await connection.waitFor((received) => received.length >= 13);
      expect(connection.consume(13).toString('hex')).toBe('810b4563686f3a2048656c6c6f');
      // Close 1000, masked with 37fa213d: 03e8 ^ 37fa = 3412.
      connection.write(hex('88 82 37fa213d 3412'));
      await connection.waitClosed();
      expect(connection.bytes().toString('hex')).toBe('880203e8');
    } finally {
      connection.destroy();
    }
    await eventually(() => proxy.events.some((event) => event.type === 'connection-close'), 'connection-close');
    expect(shape(proxy.events)).toEqual([
      'connection-open',
      'head client->proxy GET /ws/ HTTP/1.1',
      'route proxy',
      'head proxy->backend GET / HTTP/1.1',
      'head backend->proxy HTTP/1.1 101 Switching Protocols',
      'head proxy->client HTTP/1.1 101 Switching Protocols',
      'response 101',
      'frame client->backend fin=true op=1 masked=true len=5 text:Hello',
      'frame backend->client fin=true op=1 masked=false len=11 text:Echo: Hello',
      'frame client->backend fin=true op=8 masked=true len=2 hex:03e8',
      'frame backend->client fin=true op=8 masked=false len=2 hex:03e8',
      expect.stringMatching(/^tunnel-close (backend|client)-closed$/),
      'access-log',
      'connection-close',
    ]);
    const close = proxy.events.find((event) => event.type === 'frame' && event.frame.opcode === 8);
    expect(close?.type === 'frame' ? [close.frame.closeCode, close.frame.closeReason] : null).toEqual([1000, '']);
    const tunnelClose = proxy.events.find((event) => event.type === 'tunnel-close');
    expect(tunnelClose?.type === 'tunnel-close' ? [tunnelClose.bytesFromClient, tunnelClose.bytesFromBackend] : null).toEqual([11 + 8, 13 + 4]);
    expect(new Set(proxy.events.map((event) => event.connection)).size).toBe(1);
    expect(proxy.sink.accessLines.map((entry) => entry.line)).toEqual(['"GET /ws/ HTTP/1.1" 101']);
  });

  it('ends at once, logging the 101, when the client half-closed right after its upgrade request', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write(UPGRADE_HEAD);
      connection.endWriting();
      await connection.waitClosed();
      expect(connection.bytes().toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    } finally {
      connection.destroy();
    }
    await eventually(() => proxy.events.some((event) => event.type === 'connection-close'), 'connection-close');
    expect(proxy.events.find((event) => event.type === 'tunnel-close')).toMatchObject({ reason: 'client-closed', bytesFromClient: 0 });
    expect(proxy.sink.accessLines.map((entry) => entry.line)).toEqual(['"GET /ws/ HTTP/1.1" 101']);
    // The proxy is still serving.
    const socket = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
    expect(await echoRoundTrip(socket, 'after a half-close')).toBe('Echo: after a half-close');
    socket.close();
    await closed(socket);
  });

  it('tolerates a tap listener that throws: the echo still works', async () => {
    const unsubscribe = proxy.proxy.runtime().onTap(() => {
      throw new Error('broken observer');
    });
    try {
      const socket = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
      expect(await echoRoundTrip(socket, 'still here')).toBe('Echo: still here');
      socket.close();
      expect(await closed(socket)).toBe(1005);
    } finally {
      unsubscribe();
    }
  });
});

describe('a proxy with no tap listener (wslab proxy without --tap)', () => {
  it('relays without parsing frames; a listener that joins later sees frames of the tunnels opened after it', async () => {
    const echo = await startEchoServer({ port: 0 });
    const proxy = await startProxyServer({
      config: checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${echo.port}/\n`),
      sink: new MemoryLogSink(),
      bindAddress: () => ({ host: '127.0.0.1', port: 0 }),
    });
    const url = `ws://127.0.0.1:${proxy.listeners[0].port}/ws/`;
    const events: TapEvent[] = [];
    try {
      const unobserved = await mustOpen(url);
      const unsubscribe = proxy.runtime().onTap((event) => events.push(event));
      expect(await echoRoundTrip(unobserved, 'before')).toBe('Echo: before');
      const observed = await mustOpen(url);
      expect(await echoRoundTrip(observed, 'after')).toBe('Echo: after');
      for (const socket of [unobserved, observed]) {
        socket.close(1000);
        expect(await closed(socket)).toBe(1000);
      }
      await eventually(() => events.filter((event) => event.type === 'tunnel-close').length === 2, 'both tunnel-close events');
      unsubscribe();
      const frames = events.filter((event) => event.type === 'frame');
      const unobservedId = events.find((event) => event.type === 'tunnel-close' && !frames.some((frame) => frame.connection === event.connection))?.connection;
      expect(unobservedId).toBeDefined();
      expect(frames.map((event) => (event.type === 'frame' ? `${event.direction} ${event.frame.preview}` : ''))).toEqual([
        'client->backend after',
        'backend->client Echo: after',
        'client->backend 03e8',
        'backend->client 03e8',
      ]);
    } finally {
      await proxy.close();
      await echo.close();
    }
  });
});

describe('startTunnel relays bytes unchanged', () => {
  let backend: Awaited<ReturnType<typeof startRawWebSocketBackend>>;
  let proxy: TestProxy;
  let connection: RawConnection;

  beforeAll(async () => {
    backend = await startRawWebSocketBackend();
    proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${backend.port}/\n`));
    connection = await RawConnection.open(proxy.port);
    connection.write(UPGRADE_HEAD);
    expect((await connection.readHead()).split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    await backend.upgraded;
  });
  afterAll(async () => {
    connection.destroy();
    await proxy.close();
    await backend.close();
  });

  it('passes a client frame sequence with a fragmented message and a ping to the backend byte for byte', async () => {
    const sequence = [
      '01 83 01020304 49676f', // text "Hel", FIN clear
      '89 81 01020304 71', // ping "p" between the fragments
      '80 82 01020304 6d6d', // continuation "lo", FIN set
      '82 84 01020304 dfafbdeb', // binary de ad be ef
      `82 fe 007e 00000000 ${'ab'.repeat(126)}`, // binary, 16-bit length, zero mask
      '8a 80 0a0b0c0d', // unsolicited empty pong
    ].map(hex);
    const sent = Buffer.concat(sequence);
    // Cut the stream at awkward places: inside headers, masking keys and payloads.
    for (const cut of [[0, 1], [1, 7], [7, 8], [8, 20], [20, 23], [23, 200], [200, sent.length]]) {
      connection.write(sent.subarray(cut[0], cut[1]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await eventually(() => backend.received().length >= sent.length, 'all bytes at the backend');
    expect(backend.received().toString('hex')).toBe(sent.toString('hex'));

    const frames = proxy.events.filter((event) => event.type === 'frame' && event.direction === 'client->backend');
    expect(shape(frames)).toEqual([
      'frame client->backend fin=false op=1 masked=true len=3 text:Hel',
      'frame client->backend fin=true op=9 masked=true len=1 text:p',
      'frame client->backend fin=true op=0 masked=true len=2 text:lo',
      'frame client->backend fin=true op=2 masked=true len=4 hex:deadbeef',
      `frame client->backend fin=true op=2 masked=true len=126 hex:${'ab'.repeat(125)}`,
      'frame client->backend fin=true op=10 masked=true len=0 text:',
    ]);
  });

  it('passes backend frames to the client byte for byte', async () => {
    const already = connection.bytes().length;
    const sent = Buffer.concat(
      [
        '01 02 6869', // text "hi", FIN clear
        '89 00', // empty ping
        '80 01 21', // continuation "!"
        '82 03 000102',
      ].map(hex),
    );
    backend.send(sent.subarray(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 5));
    backend.send(sent.subarray(3));
    await connection.waitFor((received) => received.length >= already + sent.length);
    expect(connection.bytes().subarray(already).toString('hex')).toBe(sent.toString('hex'));
    const frames = proxy.events.filter((event) => event.type === 'frame' && event.direction === 'backend->client');
    expect(shape(frames)).toEqual([
      'frame backend->client fin=false op=1 masked=false len=2 text:hi',
      'frame backend->client fin=true op=9 masked=false len=0 text:',
      'frame backend->client fin=true op=0 masked=false len=1 text:!',
      'frame backend->client fin=true op=2 masked=false len=3 hex:000102',
    ]);
  });
});

describe('startTunnel under backpressure', () => {
  it('delivers every byte in order while a slow client makes the proxy queue its writes', async () => {
    const backend = await startRawWebSocketBackend();
    const proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${backend.port}/\n`));
    const client = net.connect({ host: '127.0.0.1', port: proxy.port });
    try {
      const chunks: Buffer[] = [];
      let receivedLength = 0;
      client.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        receivedLength += chunk.length;
      });
      client.write(UPGRADE_HEAD);
      await backend.upgraded;
      await eventually(() => Buffer.concat(chunks).includes('\r\n\r\n'), 'the 101 head');
      const headLength = Buffer.concat(chunks).indexOf('\r\n\r\n') + 4;
      // The client stops reading: the proxy's writes to it back up, so reads from the backend are
      // queued behind them (the case where a reused read buffer must not be reused).
      client.pause();
      // Bytes that differ everywhere (not frames: the tap stops parsing, the relay must not care).
      const sent = Buffer.alloc(8 * 1024 * 1024);
      for (let index = 0; index < sent.length; index++) sent[index] = (index * 2654435761) >>> 24;
      for (let offset = 0; offset < sent.length; offset += 48 * 1024) backend.send(sent.subarray(offset, offset + 48 * 1024));
      await sleep(300);
      client.resume();
      await eventually(() => receivedLength >= headLength + sent.length, 'all 8 MiB at the client', 20_000);
      const received = Buffer.concat(chunks);
      expect(received.length).toBe(headLength + sent.length);
      expect(received.subarray(headLength).equals(sent)).toBe(true);
    } finally {
      client.destroy();
      await proxy.close();
      await backend.close();
    }
  });
});

describe('startTunnel with bytes that arrive together with the heads', () => {
  it('relays a frame the client sent in the same write as its upgrade request', async () => {
    const backend = await startRawWebSocketBackend();
    const proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${backend.port}/\n`));
    const client = await RawClient.open(proxy.port);
    try {
      const frame = hex('81 85 37fa213d 7f9f4d5158');
      client.write(Buffer.concat([Buffer.from(UPGRADE_HEAD, 'latin1'), frame]));
      await eventually(() => backend.received().length >= frame.length, 'the early frame at the backend');
      expect(backend.received().toString('hex')).toBe(frame.toString('hex'));
      expect(client.statusLine()).toBe('HTTP/1.1 101 Switching Protocols');
      const tapped = proxy.events.find((event) => event.type === 'frame');
      expect(tapped?.type === 'frame' ? [tapped.direction, tapped.frame.preview] : null).toEqual(['client->backend', 'Hello']);
    } finally {
      client.destroy();
      await proxy.close();
      await backend.close();
    }
  });

  it('relays a frame the backend sent in the same write as its 101', async () => {
    const greeting = hex('81 05 48656c6c6f');
    const backend = await startRawWebSocketBackend(greeting);
    const proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${backend.port}/\n`));
    const client = await RawClient.open(proxy.port);
    try {
      client.write(UPGRADE_HEAD);
      await client.waitFor((received) => received.includes('\r\n\r\n') && received.length - received.indexOf('\r\n\r\n') - 4 >= greeting.length, 3_000);
      expect(client.statusLine()).toBe('HTTP/1.1 101 Switching Protocols');
      const afterHead = client.received.subarray(client.received.indexOf('\r\n\r\n') + 4);
      expect(afterHead.toString('hex')).toBe(greeting.toString('hex'));
    } finally {
      client.destroy();
      await proxy.close();
      await backend.close();
    }
  });
});

describe('startTunnel idle timeout', () => {
  let echo: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    proxy = await startTestProxy(fixtureConfig('idle-timeout', { ECHO_PORT: String(echo.port) }));
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  it('cuts a quiet tunnel after max(Timeout 1, ProxyTimeout 2) = 2 s; the client sees 1006', async () => {
    const socket = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
    expect(await echoRoundTrip(socket, 'last words')).toBe('Echo: last words');
    const quietSince = Date.now();
    const code = await closed(socket, 5_000);
    const quietMs = Date.now() - quietSince;
    expect(code).toBe(1006);
    expect(quietMs).toBeGreaterThanOrEqual(1_900);
    expect(quietMs).toBeLessThan(2_800);
    const tunnelClose = proxy.events.find((event) => event.type === 'tunnel-close');
    expect(tunnelClose?.type === 'tunnel-close' ? tunnelClose.reason : null).toBe('idle-timeout');
  });

  it('keeps a tunnel that has traffic more often than the timeout open', async () => {
    const socket = await mustOpen(`ws://127.0.0.1:${proxy.port}/ws/`);
    try {
      // 3 s of traffic every 700 ms: longer than the 2 s timeout in total, never quiet for 2 s.
      for (let round = 0; round < 4; round++) {
        expect(await echoRoundTrip(socket, `tick ${round}`)).toBe(`Echo: tick ${round}`);
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      expect(socket.readyState).toBe(socket.OPEN);
    } finally {
      socket.terminate();
    }
  });
});

// finish() ends both sockets but destroys them a second later, so a frame can still arrive in
// that window (here: the client's frame after the backend answered its close and hung up). A
// finished tunnel must neither arm a fresh idle timer (which once kept `wslab proxy` alive after
// SIGTERM) nor report anything after the connection's connection-close.
describe('startTunnel after it has finished', () => {
  let echo: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    // Timeout 7: an idle timer of 7000 ms is easy to tell from every other timer.
    proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nTimeout 7\nProxyPass /ws/ ws://127.0.0.1:${echo.port}/\n`));
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  /** Upgrade, close with 1000, wait for the proxy to end its side, then send one more frame. */
  async function sendAfterClose(): Promise<{ connection: number; idleTimersArmed: number }> {
    proxy.events.length = 0;
    const client = await RawClient.open(proxy.port);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    try {
      client.write(UPGRADE_HEAD);
      await client.waitFor((received) => received.includes('\r\n\r\n'), 3_000);
      expect(client.statusLine()).toBe('HTTP/1.1 101 Switching Protocols');
      client.write(hex('88 82 37fa213d 3412'));
      expect(await client.waitEnded(3_000)).toBe(true);
      await eventually(() => proxy.events.some((event) => event.type === 'tunnel-close'), 'tunnel-close');
      setTimeoutSpy.mockClear();
      client.write(hex('81 82 00000000 6869'));
      await sleep(100);
      const idleTimersArmed = setTimeoutSpy.mock.calls.filter(([, ms]) => ms === 7_000).length;
      const connection = proxy.events.find((event) => event.type === 'tunnel-close')?.connection ?? -1;
      return { connection, idleTimersArmed };
    } finally {
      setTimeoutSpy.mockRestore();
      client.destroy();
    }
  }

  it('arms no idle timer for bytes that arrive after tunnel-close', async () => {
    const { idleTimersArmed } = await sendAfterClose();
    expect(idleTimersArmed).toBe(0);
  });

  it('reports nothing for the connection after its connection-close', async () => {
    const { connection } = await sendAfterClose();
    const events = proxy.events.filter((event) => event.connection === connection).map((event) => event.type);
    // No CustomLog here, so no access-log event (a frame-error WS_ERR_DATA_AFTER_CLOSE trailed until 7ff4259).
    expect(events.slice(events.indexOf('tunnel-close'))).toEqual(['tunnel-close', 'connection-close']);
  });
});
