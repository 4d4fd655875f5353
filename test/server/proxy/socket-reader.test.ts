import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocketReader } from '../../../sandbox/server/proxy/socket-reader.ts';

/** A connected pair of loopback sockets. */
async function socketPair(): Promise<{ client: net.Socket; server: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect(port, '127.0.0.1');
  const server = await accepted;
  await new Promise((resolve) => (client.connecting ? client.once('connect', resolve) : resolve(undefined)));
  return {
    client,
    server,
    close() {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('SocketReader', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;

  beforeEach(async () => {
    pair = await socketPair();
  });
  afterEach(() => pair.close());

  it('returns the chunks the peer sent, in order', async () => {
    const reader = new SocketReader(pair.server);
    pair.client.write('GET / HTTP/1.1\r\n');
    const received: string[] = [];
    while (received.join('').length < 16) received.push(((await reader.read(1_000)) ?? Buffer.alloc(0)).toString('latin1'));
    expect(received.join('')).toBe('GET / HTTP/1.1\r\n');
  });

  it('returns null when nothing arrives within the timeout', async () => {
    const reader = new SocketReader(pair.server);
    const started = Date.now();
    expect(await reader.read(100)).toBe(null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(reader.finished).toBe(false);
  });

  it('returns null at end of stream and then reports finished', async () => {
    const reader = new SocketReader(pair.server);
    pair.client.end();
    expect(await reader.read(1_000)).toBe(null);
    expect(reader.finished).toBe(true);
  });

  it('gives unshifted bytes back first', async () => {
    const reader = new SocketReader(pair.server);
    reader.unshift(Buffer.from('rest'));
    expect((await reader.read(100))?.toString()).toBe('rest');
  });

  it('hands buffered bytes over on detach and stops reading', async () => {
    const reader = new SocketReader(pair.server);
    reader.unshift(Buffer.from('ab'));
    reader.unshift(Buffer.from('01'));
    expect(reader.detach().toString()).toBe('01ab');
    expect(await reader.read(100)).toBe(null);
  });
});
