import { describe, expect, it } from 'vitest';
import { RequestHeadParser } from '../../../sandbox/engine/http/request-head.ts';
import type { RequestHead } from '../../../sandbox/engine/http/request-head.ts';
import type { TapEvent } from '../../../sandbox/engine/tap-events.ts';
import { MemoryLogSink } from '../../../sandbox/server/proxy/log-sink.ts';
import { ProxyRuntime } from '../../../sandbox/server/proxy/proxy-runtime.ts';
import { checkedConfig, normalizeErrorLine } from './proxy-harness.ts';

function runtimeFor(extra = '', tap?: (event: TapEvent) => void): { runtime: ProxyRuntime; sink: MemoryLogSink } {
  const sink = new MemoryLogSink();
  const runtime = new ProxyRuntime({ config: checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\n${extra}`), sink, tap, pid: 4242 });
  return { runtime, sink };
}

function head(text: string): RequestHead {
  const result = new RequestHeadParser().push(Buffer.from(text, 'latin1'));
  if (result.state !== 'complete') throw new Error(`not a complete head: ${result.state}`);
  return result.head;
}

const HTTP11 = head('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');

describe('ProxyRuntime.log', () => {
  it('drops entries below LogLevel (warn by default) and keeps the rest with httpd\'s prefix', () => {
    const { runtime, sink } = runtimeFor();
    runtime.log({ module: 'core', level: 'info', code: 'AH00128', message: 'File does not exist: /x' }, null, 3);
    runtime.log({ module: 'proxy', level: 'error', code: 'AH00957', message: 'gone' }, null, 3);
    expect(sink.errorLines).toHaveLength(1);
    expect(sink.errorLines[0]).toMatch(/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[proxy:error\] \[pid 4242:tid 4245\] AH00957: gone$/);
  });

  it('honours a per-module level (LogLevel warn core:info)', () => {
    const { runtime, sink } = runtimeFor('LogLevel warn core:info\n');
    runtime.log({ module: 'core', level: 'info', code: 'AH00561', message: 'core info' }, null, 1);
    runtime.log({ module: 'proxy', level: 'info', message: 'proxy info' }, null, 1);
    expect(sink.errorLines.map(normalizeErrorLine)).toEqual(['[core:info] AH00561: core info']);
  });

  it('writes notice lines whatever LogLevel says, as httpd does for start-up and shutdown', () => {
    const { runtime, sink } = runtimeFor('LogLevel crit\n');
    runtime.log({ module: 'mpm_event', level: 'notice', code: 'AH00491', message: 'caught SIGTERM, shutting down' }, null, 0);
    expect(sink.errorLines.map(normalizeErrorLine)).toEqual(['[mpm_event:notice] AH00491: caught SIGTERM, shutting down']);
  });

  it('sends every written line to the tap as an error-log event', () => {
    const events: TapEvent[] = [];
    const { runtime } = runtimeFor('', (event) => events.push(event));
    runtime.log({ module: 'proxy', level: 'error', code: 'AH00957', message: 'gone' }, null, 7);
    runtime.log({ module: 'proxy', level: 'debug', message: 'not written' }, null, 7);
    expect(events.map((event) => [event.type, event.connection])).toEqual([['error-log', 7]]);
  });
});

describe('ProxyRuntime keep-alive decisions', () => {
  it('keeps an HTTP/1.1 connection open by default', () => {
    expect(runtimeFor().runtime.keepAliveAllowed(HTTP11, 0, null)).toBe(true);
  });

  it('closes after every response with KeepAlive Off', () => {
    expect(runtimeFor('KeepAlive Off\n').runtime.keepAliveAllowed(HTTP11, 0, null)).toBe(false);
  });

  it('closes when the client says Connection: close', () => {
    expect(runtimeFor().runtime.keepAliveAllowed(head('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), 0, null)).toBe(false);
  });

  it('keeps HTTP/1.0 open only when the client asked for keep-alive', () => {
    const { runtime } = runtimeFor();
    expect(runtime.keepAliveAllowed(head('GET / HTTP/1.0\r\n\r\n'), 0, null)).toBe(false);
    expect(runtime.keepAliveAllowed(head('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), 0, null)).toBe(true);
  });

  it('never runs out with MaxKeepAliveRequests 0', () => {
    expect(runtimeFor('MaxKeepAliveRequests 0\n').runtime.keepAliveAllowed(HTTP11, 10_000, null)).toBe(true);
  });

  it('closes once MaxKeepAliveRequests keep-alives have been granted', () => {
    expect(runtimeFor('MaxKeepAliveRequests 3\n').runtime.keepAliveAllowed(HTTP11, 3, null)).toBe(false);
  });

  // httpd's ap_set_keepalive takes left = keep_alive_max - c->keepalives before counting the new
  // one, keeps the connection while left > 0 and says "max=<left>": MaxKeepAliveRequests N lets
  // N + 1 requests through (the emulator was one short until 3281cb4).
  it('grants keep-alive while fewer than MaxKeepAliveRequests have been granted (left > 0)', () => {
    expect(runtimeFor('MaxKeepAliveRequests 3\n').runtime.keepAliveAllowed(HTTP11, 2, null)).toBe(true);
  });

  it('counts max=100 on the first response with the default MaxKeepAliveRequests', () => {
    expect(runtimeFor().runtime.remainingKeepAlives(0)).toBe(100);
  });
});

describe('ProxyRuntime.sslProxySettings', () => {
  const runtime = new ProxyRuntime({ config: checkedConfig('LoadModule mpm_event_module modules/mod_mpm_event.so\nServerName localhost\nListen 127.0.0.1:8000\n'), sink: new MemoryLogSink(), readFile: (path) => `PEM of ${path}` });
  const unset = { verify: null, checkPeerName: null, checkPeerCN: null, checkPeerExpire: null, caCertificateFile: null, protocol: null };
  const settings = (checks: Partial<typeof unset> | Record<string, unknown>) => runtime.sslProxySettings({ ...unset, ...checks });

  // ssl_io_filter_handshake, measured in differential scenarios 324 and 590.
  it('checks the peer name by default, skips it when SSLProxyCheckPeerCN off leaves SSLProxyCheckPeerName unset', () => {
    expect(settings({}).peerCheck).toBe('name');
    expect(settings({ checkPeerCN: false }).peerCheck).toBe('none');
    expect(settings({ checkPeerCN: false, checkPeerName: true }).peerCheck).toBe('name');
    expect(settings({ checkPeerName: false, checkPeerCN: true }).peerCheck).toBe('cn');
    expect(settings({ checkPeerName: false }).peerCheck).toBe('none');
  });

  it('reads the CA file and verifies only under SSLProxyVerify require; the expiry check defaults to on', () => {
    expect(settings({ caCertificateFile: '/etc/ca.pem', verify: 'require' })).toMatchObject({ verify: true, checkPeerExpire: true, ca: ['PEM of /etc/ca.pem'] });
    expect(settings({ verify: 'optional', checkPeerExpire: false })).toEqual({ verify: false, peerCheck: 'name', checkPeerExpire: false });
  });

  it('turns SSLProxyProtocol into the versions offered, null when it enables none', () => {
    expect(settings({ protocol: '-all +TLSv1' }).versions).toEqual({ min: 'TLSv1', max: 'TLSv1' });
    expect(settings({ protocol: '-all' }).versions).toBeNull();
    expect(settings({}).versions).toBeUndefined();
  });
});
