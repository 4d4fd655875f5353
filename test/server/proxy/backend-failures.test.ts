import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { checkedConfig, RawClient, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';

// Backends that fail or misbehave, and the worker state they leave behind (measured on httpd
// 2.4.71: differential scenarios 240-243).
const MODULES = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'proxy_wstunnel'].map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`).join('\n');

function upgradeRequest(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

async function exchange(port: number, request: string): Promise<{ text: string; closed: boolean }> {
  const client = await RawClient.open(port);
  try {
    client.write(request);
    await client.waitFor((received) => /\r\n0\r\n\r\n$/.test(received.toString('latin1')), 3000);
    return { text: client.received.toString('latin1'), closed: client.ended || client.closed };
  } finally {
    client.destroy();
  }
}

describe('backend failures', () => {
  let app: RunningBackend;
  let proxy: TestProxy;
  const deadPort = 1; // nothing listens on port 1

  beforeAll(async () => {
    app = await startAppServer({ port: 0 });
    proxy = await startTestProxy(
      checkedConfig(
        [
          MODULES,
          'ServerName localhost',
          'Listen 127.0.0.1:8000',
          'ProxyWebsocketFallbackToProxyHttp Off',
          `ProxyPass /ignoring/ http://127.0.0.1:${deadPort}/ignoring/`,
          `ProxyPass /strict/ http://127.0.0.1:${deadPort}/strict/ status=-I retry=30`,
          `ProxyPass /http/ http://127.0.0.1:${app.port}/`,
          `ProxyPass /wt/ ws://127.0.0.1:${app.port}/`,
          `<Location /override/>`,
          `ProxyPass http://127.0.0.1:${app.port}/`,
          `ProxyErrorOverride On`,
          `</Location>`,
        ].join('\n') + '\n',
      ),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('a worker outside a balancer tries the backend on every request (no AH00959, no AH00940)', async () => {
    proxy.sink.errorLines.length = 0;
    for (let attempt = 0; attempt < 2; attempt++) expect((await exchange(proxy.port, 'GET /ignoring/ HTTP/1.1\r\nHost: localhost\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 503 /);
    const codes = proxy.errorLines().map((line) => /AH\d{5}/.exec(line)?.[0]);
    expect(codes).toEqual(['AH00957', 'AH01114', 'AH00957', 'AH01114']);
  });

  it('status=-I: the failed connect disables the worker, the next request gets 503 AH00940 without a connect', async () => {
    proxy.sink.errorLines.length = 0;
    for (let attempt = 0; attempt < 2; attempt++) expect((await exchange(proxy.port, 'GET /strict/ HTTP/1.1\r\nHost: localhost\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 503 /);
    const lines = proxy.errorLines();
    expect(lines.map((line) => /AH\d{5}/.exec(line)?.[0])).toEqual(['AH00957', 'AH00959', 'AH01114', 'AH00940']);
    expect(lines[1]).toContain(`AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:${deadPort}) for 30s`);
    expect(lines[3]).toContain(`AH00940: http: disabled connection for (127.0.0.1:${deadPort})`);
  });

  it('mod_proxy_http takes an answer without a status line for HTTP/0.9: 200, chunked to an HTTP/1.1 client', async () => {
    const { text } = await exchange(proxy.port, 'GET /http/garbage HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('\r\nTransfer-Encoding: chunked\r\n');
    expect(text).not.toMatch(/\r\nConnection: close\r\n/i);
    expect(text.endsWith('\r\n\r\n19\r\nthis is not HTTP at all\r\n\r\n0\r\n\r\n')).toBe(true);
  });

  it('mod_proxy_wstunnel relays whatever the backend answers, as it came, and sends nothing when it hangs up', async () => {
    const garbage = await exchange(proxy.port, upgradeRequest('/wt/garbage'));
    expect(garbage.text).toBe('this is not HTTP at all\r\n\r\n');
    expect(garbage.closed).toBe(true);
    const hangUp = await exchange(proxy.port, upgradeRequest('/wt/close'));
    expect(hangUp.text).toBe('');
    expect(hangUp.closed).toBe(true);
  });
  it('ProxyErrorOverride after a relayed request body: the next request on the connection is read, not taken for that body', async () => {
    const client = await RawClient.open(proxy.port);
    try {
      client.write('POST /override/status/404 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello');
      client.write('GET /override/next HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      await client.waitFor(() => false, 3000);
      const statuses = [...client.received.toString('latin1').matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((match) => match[1]);
      expect(statuses).toEqual(['404', '200']);
    } finally {
      client.destroy();
    }
  });
});

// Every way a backend can fail to send a status line, as mod_proxy_http 2.4.71 answers it
// (measured with a raw backend like this one: close, partial line, reset, silence past timeout=,
// silence past ProxyTimeout): always 502 "Error reading from remote server" with AH01102 naming
// the read's cause, never a 504. Scenarios 175, 243 and 400 compare the codes with httpd.
describe('backend that sends no status line', () => {
  let backend: net.Server;
  let backendPort: number;
  let proxy: TestProxy;

  beforeAll(async () => {
    backend = net.createServer((socket) => {
      socket.on('error', () => undefined);
      let request = '';
      socket.on('data', (chunk: Buffer) => {
        request += chunk.toString('latin1');
        if (!request.includes('\r\n\r\n')) return;
        const action = /^GET \/\w+\/(\S+) /.exec(request)?.[1];
        if (action === 'close') socket.end();
        else if (action === 'partial') socket.end('HTTP/1.1 20');
        else if (action === 'reset') socket.resetAndDestroy();
        // 'silent': say nothing and keep the connection open.
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendPort = (backend.address() as net.AddressInfo).port;
    proxy = await startTestProxy(
      checkedConfig(
        [
          MODULES,
          'ServerName localhost',
          'Listen 127.0.0.1:8000',
          'ProxyTimeout 2',
          `ProxyPass /r/ http://127.0.0.1:${backendPort}/r/ timeout=1`,
          `ProxyPass /p/ http://127.0.0.1:${backendPort}/p/`,
        ].join('\n') + '\n',
      ),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => backend.close(resolve));
  });

  async function noStatusLine(path: string): Promise<{ text: string; log: string[] }> {
    proxy.sink.errorLines.length = 0;
    const client = await RawClient.open(proxy.port);
    try {
      client.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      await client.waitFor((received) => received.toString('latin1').endsWith('</html>\n'), 5000);
      return { text: client.received.toString('latin1'), log: proxy.errorLines() };
    } finally {
      client.destroy();
    }
  }

  const cases: Array<[string, string, string]> = [
    ['closes at once', '/r/close', '(20014)Internal error (specific information not available)'],
    ['closes inside the status line', '/r/partial', '(70014)End of file found'],
    ['resets the connection', '/r/reset', '(104)Connection reset by peer'],
    ['is silent past timeout=', '/r/silent', '(70007)The timeout specified has expired'],
    ['is silent past ProxyTimeout', '/p/silent', '(70007)The timeout specified has expired'],
  ];
  it.each(cases)('a backend that %s: 502 Proxy Error, AH01102 with its cause, AH00898', async (_what, path, cause) => {
    const { text, log } = await noStatusLine(path);
    expect(text).toMatch(/^HTTP\/1\.1 502 Proxy Error\r\n/);
    expect(text).toContain('<p>Reason: <strong>Error reading from remote server</strong></p>');
    const errors = log.filter((line) => /:(error|warn)\]/.test(line));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain(`${cause}: `);
    expect(errors[0]).toContain(`AH01102: error reading status line from remote server 127.0.0.1:${backendPort}`);
    expect(errors[1]).toContain(`AH00898: Error reading from remote server returned by ${path}`);
  }, 10_000);
});
