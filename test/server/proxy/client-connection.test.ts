import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { RawConnection } from '../backends/raw-connection.ts';
import { checkedConfig, closed, RawClient, echoRoundTrip, eventually, fixtureConfig, mustOpen, nextMessage, openWebSocket, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';

// One request's trip through the emulator over real loopback sockets: what the client gets,
// what the backend sees, and what the logs say.
describe('serveClientConnection', () => {
  let echo: RunningBackend;
  let app: RunningBackend;
  let proxy: TestProxy;
  let open: Array<{ terminate(): void }> = [];

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    app = await startAppServer({ port: 0 });
    proxy = await startTestProxy(fixtureConfig('websocket-echo', { ECHO_PORT: String(echo.port), APP_PORT: String(app.port) }));
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
    await app.close();
  });
  afterEach(() => {
    for (const socket of open) socket.terminate();
    open = [];
    proxy.sink.errorLines.length = 0;
    proxy.sink.accessLines.length = 0;
    echo.observations.clear();
    app.observations.clear();
  });

  const url = (path: string) => `ws://127.0.0.1:${proxy.port}${path}`;

  it('upgrades ws:// through ProxyPass and the echo backend answers "Echo: <text>"', async () => {
    const socket = await mustOpen(url('/ws/'));
    open.push(socket);
    expect(await echoRoundTrip(socket, 'hello')).toBe('Echo: hello');
    expect(echo.observations.seen).toHaveLength(1);
    expect(echo.observations.seen[0]).toMatchObject({ method: 'GET', path: '/', headers: { upgrade: 'websocket', host: `127.0.0.1:${echo.port}` } });
  });

  it('maps the path after the ProxyPass prefix onto the backend URL', async () => {
    const socket = await mustOpen(url('/ws/chat/room1?x=1'));
    open.push(socket);
    expect(await echoRoundTrip(socket, 'a')).toBe('Echo: a');
    expect(echo.observations.seen.map((seen) => seen.path)).toEqual(['/chat/room1?x=1']);
  });

  it('echoes a binary message byte for byte', async () => {
    const socket = await mustOpen(url('/ws/'));
    open.push(socket);
    const reply = nextMessage(socket);
    const payload = Buffer.from('00ff10deadbeef7f80', 'hex');
    socket.send(payload, { binary: true });
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(data.toString('hex')).toBe('00ff10deadbeef7f80');
  });

  it('passes the offered subprotocols to the backend and its choice back to the client', async () => {
    const socket = await mustOpen(url('/ws/'), ['chat', 'superchat']);
    open.push(socket);
    expect(socket.protocol).toBe('chat');
    expect(echo.observations.seen[0].headers['sec-websocket-protocol']).toBe('chat,superchat');
  });

  async function refusingProxy(): Promise<{ refusing: TestProxy; port: number }> {
    const stopped = await startEchoServer({ port: 0 });
    const port = stopped.port;
    await stopped.close();
    const refusing = await startTestProxy(fixtureConfig('websocket-echo', { ECHO_PORT: String(port), APP_PORT: String(app.port) }));
    return { refusing, port };
  }

  it('answers 503 with AH00957 then AH01114 when the backend refuses the connection', async () => {
    const { refusing } = await refusingProxy();
    try {
      const result = await openWebSocket(`ws://127.0.0.1:${refusing.port}/ws/`);
      expect(result.ok).toBe(false);
      expect(result.ok ? null : result.status).toBe(503);
      expect(result.ok ? '' : result.body).toContain('<title>503 Service Unavailable</title>');
      expect(refusing.errorLines().map((line) => /AH\d{5}/.exec(line)?.[0])).toEqual(['AH00957', 'AH01114']);
      expect(refusing.errorLines()[1]).toBe('[proxy_http:error] [client 127.0.0.1] AH01114: HTTP: failed to make connection to backend: 127.0.0.1');
    } finally {
      await refusing.close();
    }
  });

  // httpd logs AH00957 with ap_log_error (server-scoped, no [client ...]) and AH01114 with
  // ap_log_rerror; the emulator once put the client on both (fixed in 9256f78).
  it('writes AH00957 server-scoped, without a [client] part, as httpd does', async () => {
    const { refusing, port } = await refusingProxy();
    try {
      await openWebSocket(`ws://127.0.0.1:${refusing.port}/ws/`);
      expect(refusing.errorLines()[0]).toBe(`[proxy:error] (111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:${port} (127.0.0.1:${port}) failed`);
    } finally {
      await refusing.close();
    }
  });

  it('answers 404 when no ProxyPass matches and logs nothing at LogLevel warn', async () => {
    const result = await openWebSocket(url('/nothing-here'));
    expect(result.ok ? null : result.status).toBe(404);
    expect(echo.observations.seen).toEqual([]);
    expect(proxy.errorLines()).toEqual([]);
  });

  it('answers 403 and logs AH01630 for a Location with Require all denied', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('GET /private/secret HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const head = await connection.readHead();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    } finally {
      connection.destroy();
    }
    expect(proxy.errorLines()).toEqual(['[authz_core:error] [client 127.0.0.1] AH01630: client denied by server configuration: /var/www/html/private']);
  });

  it('writes the WebSocket access-log line with status 101 only when the tunnel closes', async () => {
    const socket = await mustOpen(url('/ws/logged'));
    expect(await echoRoundTrip(socket, 'x')).toBe('Echo: x');
    expect(proxy.sink.accessLines).toEqual([]);
    socket.close(1000);
    expect(await closed(socket)).toBe(1000);
    await eventually(() => proxy.sink.accessLines.length === 1, 'the access-log line');
    expect(proxy.sink.accessLines).toEqual([{ target: '/wslab-test/access.log', line: '127.0.0.1 "GET /ws/logged HTTP/1.1" 101' }]);
  });

  it('serves two HTTP requests on one keep-alive connection', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('GET /app/first HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const first = await connection.readHead();
      expect(first.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      const length = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(first)?.[1]);
      await connection.waitFor((received) => received.length >= length);
      connection.consume(length);
      expect(connection.closed).toBe(false);

      connection.write('GET /app/second HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const second = await connection.readHead();
      expect(second.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
    expect(app.observations.seen.map((seen) => seen.path)).toEqual(['/first', '/second']);
    expect(proxy.sink.accessLines.map((entry) => entry.line)).toEqual([
      '127.0.0.1 "GET /app/first HTTP/1.1" 200',
      '127.0.0.1 "GET /app/second HTTP/1.1" 200',
    ]);
  });

  // For Content-Length the engine's plan already carries the header where httpd puts it (before
  // Connection); a second copy would make Node's parser in the backend reject the request (502).
  it.each([
    ['a chunked', 'Transfer-Encoding: chunked', '5\r\nhello\r\n0\r\n\r\n'],
    ['a Content-Length', 'Content-Length: 5', 'hello'],
  ])('relays %s request body to the backend', async (_kind, framing, body) => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write(`POST /app/upload HTTP/1.1\r\nHost: localhost\r\n${framing}\r\nConnection: close\r\n\r\n${body}`);
      const head = await connection.readHead();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      await connection.waitClosed();
      expect(JSON.parse(connection.bytes().toString('utf8'))).toMatchObject({ method: 'POST', path: '/upload', body: 'hello' });
    } finally {
      connection.destroy();
    }
  });

  // ap_proxy_http_prefetch reads what already arrived: a chunked body that ends there goes out
  // de-chunked with Content-Length, one still arriving is streamed chunked.
  it('re-frames a chunked body that arrived whole with Content-Length, and streams a slow one chunked', async () => {
    const whole = await RawConnection.open(proxy.port);
    try {
      whole.write('POST /app/whole HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n');
      await whole.waitClosed();
    } finally {
      whole.destroy();
    }
    const slow = await RawConnection.open(proxy.port);
    try {
      slow.write('POST /app/slow HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nhel\r\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
      slow.write('2\r\nlo\r\n0\r\n\r\n');
      await slow.waitClosed();
    } finally {
      slow.destroy();
    }
    const [first, second] = app.observations.seen;
    expect(first).toMatchObject({ path: '/whole', headers: { 'content-length': '5' } });
    expect(first.headers['transfer-encoding']).toBeUndefined();
    expect(second).toMatchObject({ path: '/slow', headers: { 'transfer-encoding': 'chunked' } });
    expect(second.headers['content-length']).toBeUndefined();
  });

  // ap_set_keepalive() sets r->chunked before it looks at the client's "Connection: close", and
  // merges its close into the Connection: Upgrade that a backend's Upgrade brought back (scenarios
  // 561, 562).
  it('chunks a body that ends at the hang-up even for a closing client, and merges close into Connection: Upgrade', async () => {
    const untilClose = await RawConnection.open(proxy.port);
    try {
      untilClose.write('GET /app/raw-respond?body=hi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      await untilClose.waitClosed();
      expect(untilClose.bytes().toString('latin1').split('\r\n').slice(3)).toEqual(['Connection: close', 'Transfer-Encoding: chunked', '', '2', 'hi', '0', '', '']);
    } finally {
      untilClose.destroy();
    }
    const toApp = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /ws/ ws://127.0.0.1:${app.port}/\n`));
    const upgrade = await RawConnection.open(toApp.port);
    try {
      upgrade.write('GET /ws/respond?status=426&Upgrade=websocket HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const head = await upgrade.readHead();
      expect(head.split('\r\n').filter((line) => /^(connection|upgrade):/i.test(line))).toEqual(['Connection: Upgrade, close', 'Upgrade: websocket']);
    } finally {
      upgrade.destroy();
      await toApp.close();
    }
  });

  it("relays the backend's 100 Continue to a client that sent Expect: 100-continue, then the final answer", async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('POST /app/expect HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      expect(await connection.readHead()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      expect((await connection.readHead()).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    } finally {
      connection.destroy();
    }
  });

  it('answers an unknown Expect with 417 quoting it, discards the body and keeps the connection', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('POST /app/x HTTP/1.1\r\nHost: localhost\r\nExpect: teapot\r\nContent-Length: 5\r\n\r\nhelloGET /app/after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const first = await connection.readHead();
      expect(first.split('\r\n')[0]).toBe('HTTP/1.1 417 Expectation Failed');
      expect(first).not.toMatch(/\r\nConnection: close\r\n/i);
      const length = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(first)?.[1]);
      await connection.waitFor((received) => received.length >= length);
      expect(connection.consume(length).toString('latin1')).toContain('    Expect: teapot\n');
      expect((await connection.readHead()).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    } finally {
      connection.destroy();
    }
    expect(app.observations.seen.map((seen) => seen.path)).toEqual(['/after']);
  });

  it('closes after the 417 of an HTTP/1.0 client that did not ask for keep-alive', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('GET /app/x HTTP/1.0\r\nExpect: teapot\r\n\r\n');
      const head = await connection.readHead();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 417 Expectation Failed');
      expect(head).toMatch(/\r\nConnection: close\r\n/);
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
  });

  it('echoes a TRACE nothing proxies as chunked message/http, repeated fields joined', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('TRACE /missing HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\nX-A: 2\r\n\r\n');
      const head = await connection.readHead();
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head).toContain('\r\nTransfer-Encoding: chunked\r\n');
      expect(head).toContain('\r\nContent-Type: message/http\r\n');
      const echoed = 'TRACE /missing HTTP/1.1\r\nHost: localhost\r\nX-A: 1, 2\r\n\r\n';
      const body = `${echoed.length.toString(16)}\r\n${echoed}\r\n0\r\n\r\n`;
      await connection.waitFor((received) => received.length >= body.length);
      expect(connection.bytes().toString('latin1')).toBe(body);
    } finally {
      connection.destroy();
    }
  });

  it('sends Content-Length to the backend exactly once', async () => {
    const received: Buffer[] = [];
    const backend = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (Buffer.concat(received).includes('hello')) socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const backendPort = (backend.address() as net.AddressInfo).port;
    const forwarding = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nProxyPass /raw/ http://127.0.0.1:${backendPort}/\n`));
    const connection = await RawConnection.open(forwarding.port);
    try {
      connection.write('POST /raw/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      await connection.readHead();
      const forwarded = Buffer.concat(received).toString('latin1');
      expect(forwarded.match(/\r\ncontent-length:/gi)).toHaveLength(1);
      expect(forwarded.endsWith('\r\n\r\nhello')).toBe(true);
    } finally {
      connection.destroy();
      await forwarding.close();
      backend.close();
    }
  });

  it('keeps the connection open after its own 404 and answers the next request on it', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\nGET /app/after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const first = await connection.readHead();
      expect(first.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
      const length = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(first)?.[1]);
      await connection.waitFor((received) => received.length >= length);
      connection.consume(length);
      const second = await connection.readHead();
      expect(second.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    } finally {
      connection.destroy();
    }
    expect(app.observations.seen.map((seen) => seen.path)).toEqual(['/after']);
  });

  it('tunnels an HTTP/1.0 upgrade without writing the 101 head, as httpd sends no interim response to HTTP/1.0', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write('GET /ws/ HTTP/1.0\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await eventually(() => echo.observations.seen.length === 1, 'the backend to see the upgrade');
      // A masked text frame "hi" (mask 00000000): the backend's answer comes back with no head before it.
      connection.write(Buffer.from('818200000000' + Buffer.from('hi').toString('hex'), 'hex'));
      const reply = await connection.waitFor((received) => received.length >= 10);
      expect(reply.subarray(0, 10)).toEqual(Buffer.concat([Buffer.from([0x81, 0x08]), Buffer.from('Echo: hi')]));
    } finally {
      connection.destroy();
    }
  });
});

// httpd logs request-head refusals at info; this server lets core's info lines through.
describe('serveClientConnection refusing a request head', () => {
  let app: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    app = await startAppServer({ port: 0 });
    proxy = await startTestProxy(checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\nLogLevel warn core:info\nProxyPass /app/ http://127.0.0.1:${app.port}/\n`));
  });
  afterAll(async () => {
    await proxy.close();
    await app.close();
  });
  afterEach(() => {
    proxy.sink.errorLines.length = 0;
    app.observations.clear();
  });

  it('answers 400 with AH00561 for a header field longer than LimitRequestFieldSize (8190)', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write(`GET /app/x HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(8200)}\r\n\r\n`);
      const head = await connection.readHead();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
    expect(proxy.errorLines()).toEqual(['[core:info] [client 127.0.0.1] AH00561: Request header exceeds LimitRequestFieldSize: X-Big']);
    expect(app.observations.seen).toEqual([]);
  });

  it('closes without an answer when the client half-closes inside the request line', async () => {
    const connection = await RawClient.open(proxy.port);
    try {
      connection.write('GET /app/x HTT');
      connection.end();
      expect(await connection.waitEnded(2_000)).toBe(true);
      expect(connection.received.toString('latin1')).toBe('');
    } finally {
      connection.destroy();
    }
  });

  // httpd reads EOF in the middle of the header fields as a failed header read and still answers
  // 400 on the open write side (RequestHeadParser.finish() models it).
  it('answers 400 when the client half-closes after the request line but before the blank line', async () => {
    const connection = await RawClient.open(proxy.port);
    try {
      connection.write('GET /app/x HTTP/1.1\r\nHost: localhost\r\n');
      connection.end();
      expect(await connection.waitEnded(2_000)).toBe(true);
      expect(connection.statusLine()).toBe('HTTP/1.1 400 Bad Request');
    } finally {
      connection.destroy();
    }
    expect(app.observations.seen).toEqual([]);
  });

  it('answers 414 for a request line longer than LimitRequestLine (8190)', async () => {
    const connection = await RawConnection.open(proxy.port);
    try {
      connection.write(`GET /app/${'a'.repeat(8200)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      const head = await connection.readHead();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 414 Request-URI Too Long');
      await connection.waitClosed();
    } finally {
      connection.destroy();
    }
    expect(proxy.errorLines()).toEqual(["[core:info] [client 127.0.0.1] AH00565: request failed: client's request-line exceeds LimitRequestLine (longer than 8190)"]);
    expect(app.observations.seen).toEqual([]);
  });
});

/** Send GET /missing with Connection: keep-alive `count` times on one connection; the Keep-Alive/Connection lines of each answer. */
async function keepAliveAnswers(proxy: TestProxy, count: number): Promise<string[]> {
  const client = await RawClient.open(proxy.port);
  const answers: string[] = [];
  try {
    for (let index = 0; index < count && !client.ended; index++) {
      client.received = Buffer.alloc(0);
      client.write('GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
      await client.waitFor((received) => received.includes('</html>'), 2_000);
      const head = client.received.toString('latin1').split('\r\n\r\n')[0].split('\r\n');
      answers.push(head.filter((line) => /^(Keep-Alive|Connection):/.test(line)).join(' | '));
      if (answers.at(-1) === 'Connection: close') {
        if (!(await client.waitEnded(2_000))) answers.push('(still open after Connection: close)');
        break;
      }
    }
  } finally {
    client.destroy();
  }
  return answers;
}

// httpd's ap_set_keepalive: left = MaxKeepAliveRequests - keep-alives granted so far; the
// connection stays open while left > 0, the answer says "max=<left>" (max=100 first: measured in
// test/engine/http/fixtures/httpd-error-pages.json "404-http10-keepalive"), and with
// MaxKeepAliveRequests 0 (unlimited) there is no max at all. The emulator was one lower and printed
// max=0 for unlimited until 3281cb4.
describe('serveClientConnection keep-alive answers', () => {
  it('says max=100 on the first answer with the default MaxKeepAliveRequests', async () => {
    const proxy = await startTestProxy(checkedConfig('ServerName localhost\nListen 127.0.0.1:8000\n'));
    try {
      expect(await keepAliveAnswers(proxy, 1)).toEqual(['Keep-Alive: timeout=5, max=100 | Connection: Keep-Alive']);
    } finally {
      await proxy.close();
    }
  });

  it('serves MaxKeepAliveRequests 2 as three requests on one connection, max counting down', async () => {
    const proxy = await startTestProxy(checkedConfig('ServerName localhost\nListen 127.0.0.1:8000\nMaxKeepAliveRequests 2\n'));
    try {
      expect(await keepAliveAnswers(proxy, 4)).toEqual([
        'Keep-Alive: timeout=5, max=2 | Connection: Keep-Alive',
        'Keep-Alive: timeout=5, max=1 | Connection: Keep-Alive',
        'Connection: close',
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('leaves max out of the Keep-Alive header with MaxKeepAliveRequests 0 (unlimited)', async () => {
    const proxy = await startTestProxy(checkedConfig('ServerName localhost\nListen 127.0.0.1:8000\nMaxKeepAliveRequests 0\n'));
    try {
      expect(await keepAliveAnswers(proxy, 2)).toEqual(['Keep-Alive: timeout=5 | Connection: Keep-Alive', 'Keep-Alive: timeout=5 | Connection: Keep-Alive']);
    } finally {
      await proxy.close();
    }
  });

  it('stops answering with Keep-Alive once KeepAlive is Off', async () => {
    const proxy = await startTestProxy(checkedConfig('ServerName localhost\nListen 127.0.0.1:8000\nKeepAlive Off\n'));
    try {
      expect(await keepAliveAnswers(proxy, 2)).toEqual(['Connection: close']);
    } finally {
      await proxy.close();
    }
  });
});
