import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_HOME_PAGE, startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/app-server.ts';
import { RawConnection } from './raw-connection.ts';

/** Send one request, wait for a whole Content-Length response, split it into head lines and body. */
async function exchange(port: number, request: string): Promise<{ lines: string[]; body: string }> {
  const connection = await RawConnection.open(port);
  connection.write(request);
  const response = (await connection.waitFor(isCompleteResponse)).toString('utf8');
  connection.destroy();
  const split = response.indexOf('\r\n\r\n');
  return { lines: response.slice(0, split).split('\r\n'), body: response.slice(split + 4) };
}

function isCompleteResponse(received: Buffer): boolean {
  const split = received.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(received.subarray(0, split).toString('latin1'));
  return length !== null && received.length - (split + 4) >= Number(length[1]);
}

describe('startAppServer', () => {
  let backend: RunningBackend;

  beforeEach(async () => {
    backend = await startAppServer();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('reports an http:// url on a free loopback port', () => {
    expect(backend.url).toBe(`http://127.0.0.1:${backend.port}`);
  });

  it('answers .../status/<code> with that status, and records the request', async () => {
    const { lines, body } = await exchange(backend.port, 'GET /u/status/426 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(lines[0]).toBe('HTTP/1.1 426 Upgrade Required');
    expect(JSON.parse(body)).toMatchObject({ path: '/u/status/426' });
  });

  it('answers .../respond with the status and headers its query names, in order and repeated', async () => {
    const query = 'status=302&Location=http%3A%2F%2F127.0.0.1%3A9%2Fnext&Set-Cookie=a%3D1%3B%20Path%3D%2Fx&Set-Cookie=b%3D2&bad%20name=x';
    const { lines, body } = await exchange(backend.port, `GET /p/respond?${query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(lines[0]).toBe('HTTP/1.1 302 Found');
    expect(lines.filter((line) => /^(location|set-cookie|bad)/i.test(line))).toEqual([
      'Location: http://127.0.0.1:9/next',
      'Set-Cookie: a=1; Path=/x',
      'Set-Cookie: b=2',
    ]);
    expect(JSON.parse(body)).toMatchObject({ path: `/p/respond?${query}` });
  });

  it('writes .../raw-respond byte for byte and hangs up: a 101 gets its Accept and a close frame', async () => {
    const switching = await RawConnection.open(backend.port);
    switching.write('GET /w/raw-respond?status=101&Upgrade=h2c&X-A=1 HTTP/1.1\r\nHost: localhost\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await switching.waitClosed();
    expect(switching.bytes().toString('latin1')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nX-A: 1\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x88\x02\x0f\xa0',
    );
    switching.destroy();
    const plain = await RawConnection.open(backend.port);
    plain.write('GET /raw-respond?status=200&body=hi HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await plain.waitClosed();
    expect(plain.bytes().toString('latin1')).toBe('HTTP/1.1 200 OK\r\n\r\nhi');
    plain.destroy();
  });

  it('answers .../respond without a status with 200', async () => {
    const { lines } = await exchange(backend.port, 'GET /respond?X-Test=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines).toContain('X-Test: 1');
  });

  it('answers .../delay/<ms> only after that long', async () => {
    const started = Date.now();
    const { lines } = await exchange(backend.port, 'GET /delay/150 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('hangs up on .../close without answering', async () => {
    const connection = await RawConnection.open(backend.port);
    connection.write('GET /x/close HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await connection.waitClosed();
    expect(connection.bytes().length).toBe(0);
    expect(backend.observations.seen.map((seen) => seen.path)).toEqual(['/x/close']);
  });

  it('serves the "App backend" HTML page at /', async () => {
    const { lines, body } = await exchange(backend.port, 'GET / HTTP/1.1\r\nHost: localhost:3000\r\nConnection: close\r\n\r\n');
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines).toContain('Content-Type: text/html; charset=utf-8');
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(APP_HOME_PAGE)}`);
    expect(body).toBe(APP_HOME_PAGE);
  });

  it('answers any other path with 200 JSON describing method, path, headers and body', async () => {
    const { lines, body } = await exchange(
      backend.port,
      'POST /api/items?x=1 HTTP/1.1\r\nHost: localhost:3000\r\nX-Forwarded-Host: example.com\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(body)).toEqual({
      backend: 'app',
      method: 'POST',
      path: '/api/items?x=1',
      headers: { host: 'localhost:3000', 'x-forwarded-host': 'example.com', 'content-length': '5', connection: 'close' },
      body: 'hello',
    });
  });

  it('redirects /redirect to /elsewhere on the Host it received', async () => {
    const { lines } = await exchange(backend.port, 'GET /redirect HTTP/1.1\r\nHost: localhost:3000\r\nConnection: close\r\n\r\n');
    expect(lines[0]).toBe('HTTP/1.1 302 Found');
    expect(lines).toContain('Location: http://localhost:3000/elsewhere');
  });

  it('answers a WebSocket upgrade as plain HTTP 200, never 101', async () => {
    const { lines, body } = await exchange(
      backend.port,
      'GET /ws/ HTTP/1.1\r\nHost: localhost:3000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(body).path).toBe('/ws/');
  });

  it('serves several requests on one keep-alive connection', async () => {
    const connection = await RawConnection.open(backend.port);
    connection.write('GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n');
    await connection.waitFor((received) => received.toString().split('HTTP/1.1 200 OK').length === 3 && received.toString().endsWith('\n'));
    connection.destroy();
    expect(backend.observations.seen.map((observation) => observation.path)).toEqual(['/one', '/two']);
  });

  it('close() cuts an idle keep-alive connection instead of waiting for it', async () => {
    const connection = await RawConnection.open(backend.port);
    connection.write('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    await connection.readHead();
    const started = Date.now();
    await backend.close();
    await connection.waitClosed();
    expect(connection.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('startAppServer observation listeners', () => {
  it('still answers when a listener throws', async () => {
    const backend = await startAppServer();
    backend.observations.onObservation(() => {
      throw new Error('listener bug');
    });
    const { lines } = await exchange(backend.port, 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    await backend.close();
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
  });

  it('stops calling a listener after it unsubscribes', async () => {
    const backend = await startAppServer();
    const paths: string[] = [];
    const stop = backend.observations.onObservation((observation) => paths.push(observation.path));
    await exchange(backend.port, 'GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    stop();
    await exchange(backend.port, 'GET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    await backend.close();
    expect(paths).toEqual(['/first']);
  });
});

describe('startAppServer observations as events', () => {
  it("supports on('observation') and off('observation') like an EventEmitter", async () => {
    const backend = await startAppServer();
    const methods: string[] = [];
    const listener = (observation: { method: string }) => methods.push(observation.method);
    backend.observations.on('observation', listener);
    await exchange(backend.port, 'DELETE /thing HTTP/1.1\r\nHost: a\r\n\r\n');
    backend.observations.off('observation', listener);
    await exchange(backend.port, 'GET /thing HTTP/1.1\r\nHost: a\r\n\r\n');
    await backend.close();
    expect(methods).toEqual(['DELETE']);
  });
});
