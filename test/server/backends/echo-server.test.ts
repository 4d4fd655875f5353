import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { createTestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import { RawConnection } from './raw-connection.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function upgradeRequest(path: string, extraHeaders = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`
  );
}

describe('startEchoServer', () => {
  let backend: RunningBackend;
  let connection: RawConnection | undefined;

  beforeEach(async () => {
    backend = await startEchoServer();
  });
  afterEach(async () => {
    connection?.destroy();
    connection = undefined;
    await backend.close();
  });

  async function upgraded(path = '/', extraHeaders = ''): Promise<{ head: string; connection: RawConnection }> {
    connection = await RawConnection.open(backend.port);
    connection.write(upgradeRequest(path, extraHeaders));
    return { head: await connection.readHead(), connection };
  }

  it('listens on a free loopback port and reports a ws:// url', () => {
    expect(backend.port).toBeGreaterThan(0);
    expect(backend.url).toBe(`ws://127.0.0.1:${backend.port}`);
  });

  it('completes the RFC 6455 handshake with the example accept value', async () => {
    const { head } = await upgraded();
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(head).toContain('\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
  });

  it('answers a masked text frame "Hello" with an unmasked "Echo: Hello"', async () => {
    const { connection } = await upgraded();
    connection.write(hex('81 85 37fa213d 7f9f4d5158'));
    const reply = await connection.waitFor((received) => received.length >= 13);
    expect(reply.toString('hex')).toBe(hex('81 0b 4563686f3a2048656c6c6f').toString('hex'));
  });

  it('echoes a binary frame as the same binary payload', async () => {
    const { connection } = await upgraded();
    connection.write(hex('82 84 01020304 dfafbdeb'));
    const reply = await connection.waitFor((received) => received.length >= 6);
    expect(reply.toString('hex')).toBe('8204deadbeef');
  });

  it('accepts the first offered subprotocol', async () => {
    const { head } = await upgraded('/', 'Sec-WebSocket-Protocol: chat, superchat\r\n');
    expect(head).toContain('\r\nSec-WebSocket-Protocol: chat\r\n');
  });

  it('sends no subprotocol when none is offered', async () => {
    const { head } = await upgraded();
    expect(head.toLowerCase()).not.toContain('sec-websocket-protocol');
  });

  it('records the upgrade request with its path and lower-cased headers, repeats joined', async () => {
    const { connection } = await upgraded('//chat?room=1', 'X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n');
    connection.destroy();
    expect(backend.observations.seen).toEqual([
      {
        backend: 'echo',
        method: 'GET',
        path: '//chat?room=1',
        headers: {
          host: 'localhost:8080',
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version': '13',
          'x-forwarded-for': '10.0.0.1, 10.0.0.2',
        },
      },
    ]);
  });

  it('tells observation listeners about each request as it arrives', async () => {
    const seen: string[] = [];
    backend.observations.onObservation((observation) => seen.push(`${observation.method} ${observation.path}`));
    await upgraded('/ws/one');
    const response = await fetch(`http://127.0.0.1:${backend.port}/plain`);
    await response.text();
    expect(seen).toEqual(['GET /ws/one', 'GET /plain']);
  });

  it('answers a GET without Upgrade with 200 and JSON describing the request', async () => {
    connection = await RawConnection.open(backend.port);
    connection.write('GET /ws/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
    const response = (await connection.waitFor(() => false)).toString('latin1');
    const [head, body] = response.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(head).toContain('\r\nContent-Type: application/json; charset=utf-8\r\n');
    expect(JSON.parse(body)).toEqual({
      backend: 'echo',
      method: 'GET',
      path: '/ws/',
      headers: { host: 'example.com', connection: 'close' },
      body: '',
    });
  });

  it('take() hands over the recorded requests and starts a fresh list', async () => {
    await (await fetch(`http://127.0.0.1:${backend.port}/a`)).text();
    expect(backend.observations.take().map((observation) => observation.path)).toEqual(['/a']);
    expect(backend.observations.seen).toEqual([]);
  });

  it('keeps serving other clients after one sends an invalid frame', async () => {
    const { connection: bad } = await upgraded();
    // RSV1 set without a negotiated extension: ws rejects it and closes that client only.
    bad.write(hex('c1 80 00000000'));
    await bad.waitClosed();
    const client = new WebSocket(backend.url);
    const reply = await new Promise<string>((resolve, reject) => {
      client.on('open', () => client.send('still here'));
      client.on('message', (data) => resolve(data.toString()));
      client.on('error', reject);
    });
    client.terminate();
    expect(reply).toBe('Echo: still here');
  });

  it('close() cuts open WebSockets at once and frees the port', async () => {
    const client = new WebSocket(backend.url);
    await new Promise((resolve) => client.on('open', resolve));
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)));
    const started = Date.now();
    await backend.close();
    expect(await closed).toBe(1006);
    expect(Date.now() - started).toBeLessThan(500);
    await expect(RawConnection.open(backend.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('startEchoServer with tls', () => {
  it('serves wss:// that a client trusting the test CA can use', async () => {
    const certificates = createTestCertificates();
    const backend = await startEchoServer({ tls: { cert: certificates.cert, key: certificates.key } });
    try {
      expect(backend.url).toBe(`wss://127.0.0.1:${backend.port}`);
      const client = new WebSocket(`wss://localhost:${backend.port}/secure`, ['chat'], { ca: certificates.caCert });
      const [reply, protocol] = await new Promise<[string, string]>((resolve, reject) => {
        client.on('open', () => client.send('over tls'));
        client.on('message', (data) => resolve([data.toString(), client.protocol]));
        client.on('error', reject);
      });
      client.terminate();
      expect(reply).toBe('Echo: over tls');
      expect(protocol).toBe('chat');
      expect(backend.observations.seen.map((observation) => observation.path)).toEqual(['/secure']);
    } finally {
      await backend.close();
    }
  });
});
