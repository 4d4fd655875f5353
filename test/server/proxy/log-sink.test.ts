import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLogSink, MemoryLogSink, resolveLogPath } from '../../../sandbox/server/proxy/log-sink.ts';

describe('resolveLogPath', () => {
  it('takes a relative log path from ServerRoot, as httpd does', () => {
    expect(resolveLogPath('/etc/apache2', 'logs/error_log')).toBe('/etc/apache2/logs/error_log');
  });

  it('keeps an absolute path', () => {
    expect(resolveLogPath('/etc/apache2', '/var/log/apache2/access.log')).toBe('/var/log/apache2/access.log');
  });
});

describe('FileLogSink', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wslab-logs-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const read = (name: string) => readFileSync(join(root, name), 'utf8');

  it('appends error and access lines at once without BufferedLogs', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: false });
    sink.errorLine('error.log', 'first error');
    sink.accessLine('access.log', 'first request');
    sink.accessLine('access.log', 'second request');
    expect([read('error.log'), read('access.log')]).toEqual(['first error\n', 'first request\nsecond request\n']);
  });

  it('holds access lines with BufferedLogs On until flush()', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: true });
    sink.accessLine('access.log', 'held');
    expect(existsSync(join(root, 'access.log'))).toBe(false);
    sink.flush();
    expect(read('access.log')).toBe('held\n');
  });

  it('writes what is buffered when the next line would overflow 4 KiB, and keeps that line, as mod_log_config does', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: true });
    const line = 'x'.repeat(99);
    for (let index = 0; index < 40; index++) sink.accessLine('access.log', line);
    expect(existsSync(join(root, 'access.log'))).toBe(false);
    sink.accessLine('access.log', line);
    expect(read('access.log')).toBe(`${line}\n`.repeat(40));
    sink.flush();
    expect(read('access.log')).toBe(`${line}\n`.repeat(41));
  });

  it('writes a line longer than the whole buffer straight through, after what was buffered', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: true });
    const long = 'L'.repeat(5_000);
    sink.accessLine('access.log', 'short');
    sink.accessLine('access.log', long);
    expect(read('access.log')).toBe(`short\n${long}\n`);
  });

  it('never buffers the error log', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: true });
    sink.errorLine('error.log', 'right away');
    expect(read('error.log')).toBe('right away\n');
  });

  it('creates a missing log directory instead of failing', () => {
    const sink = new FileLogSink({ serverRoot: root, bufferedLogs: false });
    sink.errorLine('logs/deeper/error.log', 'made it');
    expect(read('logs/deeper/error.log')).toBe('made it\n');
  });
});

describe('MemoryLogSink', () => {
  it('keeps error lines and access lines with their target, in order', () => {
    const sink = new MemoryLogSink();
    sink.errorLine(null, 'e1');
    sink.accessLine('a.log', 'r1');
    sink.accessLine('b.log', 'r2');
    sink.flush();
    expect([sink.errorLines, sink.accessLines]).toEqual([['e1'], [{ target: 'a.log', line: 'r1' }, { target: 'b.log', line: 'r2' }]]);
  });
});
