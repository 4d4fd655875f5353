/**
 * The pure parts of the runtime: the line codec (protocol.ts and the byte-level LineSplitter),
 * request validation, the page-side request/reply bookkeeping, address mapping and the virtual
 * file system.
 */
import { describe, expect, it } from 'vitest';
import { configtest } from '../../sandbox/engine/config/configtest.ts';
import { LineProtocolConnection } from '../../sandbox/runtime/browser/connection.ts';
import type { RuntimeName, SandboxEvent } from '../../sandbox/runtime/browser/connection.ts';
import { resolveClientTarget } from '../../sandbox/runtime/client-target.ts';
import { LineSplitter } from '../../sandbox/runtime/line-splitter.ts';
import { decodeLines, encodeLine } from '../../sandbox/runtime/protocol.ts';
import type { SandboxMessage } from '../../sandbox/runtime/protocol.ts';
import { LIMITS, validateRequest } from '../../sandbox/runtime/request-validation.ts';
import { createVirtualFileSystem, DEBIAN_TOP_LEVEL_CONFIG, LEARNER_CONFIG_FILE, TOP_LEVEL_CONFIG_FILE } from '../../sandbox/runtime/virtual-files.ts';
import { createBackendResolver, isLoopbackHost, presentBackendAddresses } from '../../sandbox/runtime/virtual-network.ts';

describe('protocol line codec', () => {
  it('encodes one JSON object per line and decodes it back, keeping an unfinished rest', () => {
    const message: SandboxMessage = { type: 'notice', level: 'info', message: 'two\nlines and "quotes"' };
    const line = encodeLine(message);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const { messages, rest } = decodeLines(`${line}${encodeLine({ id: 1, type: 'ping' })}{"type":"rea`);
    expect(messages).toEqual([{ ok: true, value: message }, { ok: true, value: { id: 1, type: 'ping' } }]);
    expect(rest).toBe('{"type":"rea');
  });

  it('returns a corrupted line as an error entry and skips blank lines', () => {
    expect(decodeLines('not json\n\n  \n{"id":2,"type":"ping"}\n').messages).toEqual([
      { ok: false, line: 'not json' },
      { ok: true, value: { id: 2, type: 'ping' } },
    ]);
  });
});

describe('LineSplitter (bytes to lines, bounded)', () => {
  const collect = (maxLineBytes = 64) => {
    const lines: string[] = [];
    const oversize: number[] = [];
    const splitter = new LineSplitter({ maxLineBytes, onLine: (line) => lines.push(line), onOversize: (bytes) => oversize.push(bytes) });
    return { splitter, lines, oversize };
  };

  it('joins pieces, keeps a UTF-8 character cut across chunks, strips a terminal\'s \\r', () => {
    const { splitter, lines } = collect();
    const bytes = Buffer.from('{"t":"日本語"}\r\n{"u":1}\n', 'utf8');
    for (let index = 0; index < bytes.length; index += 3) splitter.push(bytes.subarray(index, index + 3));
    expect(lines).toEqual(['{"t":"日本語"}', '{"u":1}']);
  });

  it('drops a line over the limit, says how big it was, and goes on with the next', () => {
    const { splitter, lines, oversize } = collect(16);
    splitter.push(Buffer.from(`${'x'.repeat(10)}`));
    splitter.push(Buffer.from(`${'y'.repeat(30)}\nshort\n`));
    expect(oversize).toEqual([40]);
    expect(lines).toEqual(['short']);
  });

  it('delivers a last line without newline at the end of the stream', () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from('{"a":1}'));
    expect(lines).toEqual([]);
    splitter.end();
    expect(lines).toEqual(['{"a":1}']);
  });
});

describe('request validation', () => {
  it('accepts every request type in its documented shape', () => {
    const good = [
      { id: 1, type: 'ping' },
      { id: 2, type: 'apply-config', text: 'Listen 80\n' },
      { id: 3, type: 'backend', backend: 'echo', action: 'stop' },
      { id: 4, type: 'client-open', client: 'c', options: { path: '/ws/', host: 'localhost:8000', headers: { 'X-A': 'b' }, protocols: ['chat'], origin: 'https://example.com', tls: true } },
      { id: 5, type: 'client-open-many', prefix: 'w', count: 5, options: { path: '/ws/' } },
      { id: 6, type: 'client-send', client: 'c', text: 'hi' },
      { id: 7, type: 'client-send', client: 'c', binaryHex: '00ff' },
      { id: 8, type: 'client-close', client: 'c', code: 4000, reason: 'bye' },
      { id: 9, type: 'http-request', method: 'POST', path: '/x', headers: { 'Content-Type': 'text/plain' }, body: 'b' },
      { id: 10, type: 'run-checks', checks: [{ id: 'k', setup: { stopped: ['echo'] }, probe: { kind: 'ws', path: '/ws/', send: [{ text: 'x' }] }, expect: { status: 101 } }] },
    ];
    for (const request of good) expect(validateRequest(request), JSON.stringify(request)).toEqual({ ok: true, request });
  });

  it('names the problem, with the id when there is one', () => {
    expect(validateRequest('ping')).toEqual({ ok: false, id: null, error: 'a request must be a JSON object' });
    expect(validateRequest({ type: 'ping' })).toMatchObject({ ok: false, id: null, error: expect.stringContaining('"id"') });
    expect(validateRequest({ id: 1.5, type: 'ping' })).toMatchObject({ ok: false, id: null });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'reboot' }, 'unknown request type "reboot"'],
      [{ type: 'backend', backend: 'db', action: 'stop' }, '"backend" must be "echo" or "app"'],
      [{ type: 'client-open', client: 'x'.repeat(65), options: { path: '/' } }, 'at most 64 characters'],
      [{ type: 'client-open', client: 'c', options: {} }, '"options.path"'],
      [{ type: 'client-open', client: 'c', options: { path: '/', headers: { 'Bad Name': 'x' } } }, 'not a valid HTTP token'],
      [{ type: 'client-open', client: 'c', options: { path: '/', headers: { A: 'x\r\nB: y' } } }, 'CR, LF or NUL'],
      [{ type: 'client-open-many', prefix: 'w', count: 65, options: { path: '/' } }, `1 to ${LIMITS.manyCount}`],
      [{ type: 'client-send', client: 'c' }, 'exactly one of'],
      [{ type: 'client-send', client: 'c', binaryHex: 'abc' }, 'two per byte'],
      [{ type: 'http-request', method: 'GET', path: '' }, '"path"'],
      [{ type: 'run-checks', checks: new Array(51).fill({}) }, 'at most 50 checks'],
      [{ type: 'run-checks', checks: [{ id: 'k', probe: { kind: 'telnet' }, expect: {} }] }, 'checks[0]: "probe.kind"'],
      [{ type: 'run-checks', checks: [{ id: 'k', probe: { kind: 'ws', path: '/', holdMs: 600_000 }, expect: {} }] }, '"probe.holdMs"'],
      [{ type: 'run-checks', checks: [{ id: 'k', setup: { stopped: ['db'] }, probe: { kind: 'ws', path: '/' }, expect: {} }] }, '"setup.stopped"'],
    ];
    for (const [body, error] of cases) {
      const result = validateRequest({ id: 7, ...body });
      expect(result, JSON.stringify(body).slice(0, 80)).toMatchObject({ ok: false, id: 7, error: expect.stringContaining(error) });
    }
  });
});

describe('where test clients go', () => {
  const defaults = { defaultPort: (tls: boolean) => (tls ? 443 : 80), isTlsPort: (port: number) => (port === 443 || port === 8443 ? true : port === 80 || port === 8000 ? false : undefined) };

  it('takes the port from a URL or the Host, else the config\'s listener', () => {
    expect(resolveClientTarget('/ws/', {}, defaults)).toEqual({ port: 80, tls: false, path: '/ws/', host: 'localhost', hostname: 'localhost' });
    expect(resolveClientTarget('/ws/', { tls: true }, defaults)).toMatchObject({ port: 443, tls: true, host: 'localhost' });
    expect(resolveClientTarget('/ws/?a=1', { host: 'example.com' }, defaults)).toMatchObject({ port: 80, host: 'example.com', hostname: 'example.com', path: '/ws/?a=1' });
    expect(resolveClientTarget('/ws/', { host: 'localhost:8000' }, defaults)).toMatchObject({ port: 8000, tls: false, host: 'localhost:8000' });
    expect(resolveClientTarget('/ws/', { host: 'localhost:8443' }, defaults)).toMatchObject({ port: 8443, tls: true });
    expect(resolveClientTarget('wss://example.com/ws/', {}, defaults)).toMatchObject({ port: 443, tls: true, path: '/ws/', host: 'example.com' });
    expect(resolveClientTarget('ws://localhost:8000', {}, defaults)).toMatchObject({ port: 8000, path: '/', host: 'localhost:8000' });
    expect(resolveClientTarget('ws://[::1]:8000/x', {}, defaults)).toMatchObject({ port: 8000, hostname: '::1', host: '[::1]:8000' });
  });

  it('refuses what is not a path or URL', () => {
    expect(resolveClientTarget('ws/', {}, defaults)).toMatchObject({ error: expect.stringContaining('must start with "/"') });
    expect(resolveClientTarget('/a b', {}, defaults)).toMatchObject({ error: expect.stringContaining('spaces') });
    expect(resolveClientTarget('/', { host: 'localhost:99999' }, defaults)).toMatchObject({ error: expect.stringContaining('out of range') });
  });
});

describe('virtual network', () => {
  it('maps the article\'s backends, refuses other loopback ports, blocks other hosts', () => {
    const resolve = createBackendResolver(() => ({ echo: 41000, app: 42000 }));
    expect(resolve('localhost', 8080)).toEqual({ host: '127.0.0.1', port: 41000 });
    expect(resolve('127.0.0.1', 3000)).toEqual({ host: '127.0.0.1', port: 42000 });
    expect(resolve('::1', 8080)).toEqual({ host: '127.0.0.1', port: 41000 });
    expect(resolve('localhost', 8081)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(resolve('example.org', 80)).toMatchObject({ blocked: expect.stringContaining('not example.org') });
    expect(resolve('10.0.0.5', 8080)).toMatchObject({ blocked: expect.any(String) });
    expect(resolve('169.254.169.254', 80)).toMatchObject({ blocked: expect.any(String) });
    expect(createBackendResolver(() => ({ echo: null, app: null }))('localhost', 8080)).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('knows loopback names', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'app.localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['example.com', '128.0.0.1', '0.0.0.0', 'localhost.example.com', '::2']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('shows the article\'s port in connect errors', () => {
    expect(presentBackendAddresses('(111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:41234 (localhost:8080) failed')).toBe(
      '(111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed',
    );
    expect(presentBackendAddresses('attempt to connect to 127.0.0.1:0 (localhost:8081) failed')).toBe('attempt to connect to 127.0.0.1:8081 (localhost:8081) failed');
    const unrelated = 'AH01102: error reading status line from remote server localhost:3000';
    expect(presentBackendAddresses(unrelated)).toBe(unrelated);
  });
});

describe('the virtual Debian file system', () => {
  const fileSystem = createVirtualFileSystem('Listen 80\n', () => ({ cert: 'CERT', key: 'KEY', caCert: 'CA' }));

  it('has the learner\'s site, the module files, the log directories and the test certificate', () => {
    expect(fileSystem.readFile(LEARNER_CONFIG_FILE)).toBe('Listen 80\n');
    expect(fileSystem.listDirectory('/etc/apache2/sites-enabled')).toEqual(['000-default.conf']);
    expect(fileSystem.listDirectory('/etc/apache2/mods-enabled')).toContain('proxy_wstunnel.load');
    expect(fileSystem.listDirectory('/var/log/apache2/')).toEqual([]);
    expect(fileSystem.readFile('/etc/wslab/tls/server.crt')).toBe('CERT');
    expect(fileSystem.readFile('/etc/wslab//tls/server.key')).toBe('KEY');
    expect(fileSystem.readFile('/etc/wslab/tls/ca.crt')).toBe('CA');
    expect(fileSystem.readFile('/etc/shadow')).toBeNull();
    expect(fileSystem.listDirectory('/home')).toBeNull();
  });

  it('makes a LoadModule in the site add to the default modules, as after a2enmod', () => {
    const text = 'LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\nLoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\nListen 80\n';
    const result = configtest(DEBIAN_TOP_LEVEL_CONFIG, { file: TOP_LEVEL_CONFIG_FILE, fileSystem: createVirtualFileSystem(text, () => ({ cert: '', key: '', caCert: '' })) });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('AH01574: module proxy_module is already loaded, skipping');
    const modules = result.config?.modules.map((module) => module.id) ?? [];
    expect(modules).toEqual(expect.arrayContaining(['mpm_event_module', 'proxy_wstunnel_module', 'headers_module']));
  });
});

describe('page-side request bookkeeping (LineProtocolConnection)', () => {
  class Loopback extends LineProtocolConnection {
    readonly runtime: RuntimeName = 'local';
    readonly sent: string[] = [];
    feed(text: string) {
      this.receiveText(text);
    }
    protected sendLine(line: string) {
      this.sent.push(line);
    }
    protected shutdown() {}
  }

  it('queues requests until ready, matches replies by id, ignores what is not a message', async () => {
    const connection = new Loopback();
    const events: SandboxEvent[] = [];
    connection.onMessage((event) => events.push(event));
    const pending = connection.request({ type: 'apply-config', text: 'Listen 80\n' });
    expect(connection.sent).toEqual([]);
    connection.feed('\u001b[0m{"type":"ready","version":1,"runtime":"local"}\r\n');
    expect(connection.status).toBe('ready');
    expect(connection.sent).toEqual(['{"type":"apply-config","text":"Listen 80\\n","id":1}']);
    // A terminal echoing the request back, stray output, a reply for nobody: all ignored.
    connection.feed(`${connection.sent[0]}\r\nWarning: something\r\n{"type":"reply","id":99,"ok":true}\r\n`);
    connection.feed('{"type":"reply","id":1,"ok":true,"result":{"configtest":"Syntax OK\\n","exitCode":0,"diagnostics":[],"applied":true,"startupErrors":[]}}\n');
    const reply = await pending;
    expect(reply).toMatchObject({ ok: true, result: { applied: true } });
    expect(events.map((event) => event.type)).toEqual(['ready']);
  });

  it('resolves instead of rejecting on timeout and on failure', async () => {
    const connection = new Loopback();
    connection.feed('{"type":"ready","version":1,"runtime":"local"}\n');
    expect(await connection.request({ type: 'ping' }, { timeoutMs: 10 })).toMatchObject({ ok: false, error: expect.stringContaining('no reply') });
    const waiting = connection.request({ type: 'ping' });
    (connection as unknown as { fail(reason: string): void }).fail('the connection to `wslab serve` was lost');
    expect(await waiting).toMatchObject({ ok: false, error: 'the connection to `wslab serve` was lost' });
    expect(connection.status).toBe('failed');
    expect(await connection.request({ type: 'ping' })).toMatchObject({ ok: false });
  });
});
