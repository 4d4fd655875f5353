import { describe, expect, it } from 'vitest';
import { RequestHeadParser } from '../../../sandbox/engine/http/request-head.ts';
import type { RequestHead } from '../../../sandbox/engine/http/request-head.ts';
import { MemoryLogSink } from '../../../sandbox/server/proxy/log-sink.ts';
import { ProxyRuntime } from '../../../sandbox/server/proxy/proxy-runtime.ts';
import type { FinishedRequest } from '../../../sandbox/server/proxy/proxy-runtime.ts';
import { checkedConfig } from './proxy-harness.ts';

function runtimeFor(extra: string): { runtime: ProxyRuntime; sink: MemoryLogSink } {
  const sink = new MemoryLogSink();
  const runtime = new ProxyRuntime({ config: checkedConfig(`ServerName localhost\nListen 127.0.0.1:8000\n${extra}`), sink, pid: 4242 });
  return { runtime, sink };
}

function head(text: string): RequestHead {
  const result = new RequestHeadParser().push(Buffer.from(text, 'latin1'));
  if (result.state !== 'complete') throw new Error(`not a complete head: ${result.state}`);
  return result.head;
}

const CONNECTION = { endpoints: { remoteAddress: '127.0.0.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 8000 }, keepalives: 0, connection: 1 };

function finished(path: string, extra: Partial<FinishedRequest> = {}): FinishedRequest {
  const parsed = head(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  return { head: parsed, requestLine: `GET ${path} HTTP/1.1`, status: 200, bodyBytes: 2, responseHeaders: [], bytesIn: 40, bytesOut: 100, startMicros: 0, serverIndex: null, aborted: false, ...extra };
}

const LOGS = 'CustomLog main.log "%U" env=!dontlog\nCustomLog health.log "%U %{dontlog}e" env=dontlog\nCustomLog x.log "%U" "expr=%{REQUEST_URI} =~ m#^/x#"\n';

describe('CustomLog conditions (mod_log_config config_log_transaction)', () => {
  it('env=!VAR skips requests with VAR set, env=VAR keeps only them, %{VAR}e prints it', () => {
    const { runtime, sink } = runtimeFor(LOGS);
    runtime.accessLog(finished('/health', { env: { dontlog: '1' } }), CONNECTION);
    runtime.accessLog(finished('/other', { env: {} }), CONNECTION);
    expect(sink.accessLines).toEqual([
      { target: 'health.log', line: '/health 1' },
      { target: 'main.log', line: '/other' },
    ]);
  });

  it('expr= evaluates against the request; without a routing view (a failed head) variables read empty', () => {
    const { runtime, sink } = runtimeFor(LOGS);
    const lookup = { clientIp: '127.0.0.1', variable: (name: string) => (name === 'REQUEST_URI' ? '/x1' : ''), call: () => null };
    runtime.accessLog(finished('/x1', { env: {}, expr: lookup }), CONNECTION);
    runtime.accessLog(finished('/x2', { status: 400 }), CONNECTION);
    expect(sink.accessLines.map((entry) => entry.target)).toEqual(['main.log', 'x.log', 'main.log']);
  });
});
