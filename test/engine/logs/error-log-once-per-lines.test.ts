import { describe, expect, it } from 'vitest';
import { formatErrorLogInfoLine, formatErrorLogWithFormat, generateLogId, parseErrorLogFormat } from '../../../sandbox/engine/logs/error-log.ts';
import { isLogged, requestLogLevel } from '../../../sandbox/engine/logs/log-level.ts';

function items(format: string, main = true) {
  const parsed = parseErrorLogFormat(format, main);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.items;
}

const context = { process: { pid: 10, tid: 11 }, epochMicros: 0, serverName: 'localhost', localAddress: '127.0.0.1:80', keepalives: 2, requestServerName: 'named.example', connectionLogId: 'CCCCCCCCCCC', requestLogId: 'RRRRRRRRRRR' };

describe('per-directory LogLevel (r->log)', () => {
  it('module levels alone keep the server level and its other modules', () => {
    const level = requestLogLevel({ level: 'warn', perModule: { ssl: 'info' } }, { level: null, perModule: { proxy: 'debug' } });
    expect(level).toEqual({ level: 'warn', perModule: { ssl: 'info', proxy: 'debug' } });
    expect(isLogged(level, 'authz_core', 'error')).toBe(true);
  });
  it('a bare level replaces the server level and module levels', () => {
    const level = requestLogLevel({ level: 'warn', perModule: { ssl: 'info' } }, { level: 'crit', perModule: {} });
    expect(isLogged(level, 'authz_core', 'error')).toBe(false);
    expect(isLogged(level, 'ssl', 'info')).toBe(false);
  });
});

describe('once-per-connection and once-per-request lines (scenario 421)', () => {
  it('log ids are 11 base64 characters', () => {
    expect(generateLogId(1_700_000_000_000_000, 1234, 5678)).toMatch(/^[A-Za-z0-9+/]{11}$/);
  });
  it('a connection line has no request id, level or module', () => {
    const line = formatErrorLogInfoLine(items('cid=%{c}L Cid=%{C}L rid=%-L [local %A] [ka %k] [l %-l] [m %-m]', false), 'connection', '127.0.0.1:5', context);
    expect(line).toBe('cid=CCCCCCCCCCC Cid=CCCCCCCCCCC rid=- [local 127.0.0.1:80] [ka 2] [l -] [m -]');
  });
  it('a request line reads the request; an empty + field drops it', () => {
    expect(formatErrorLogInfoLine(items('rid=%L Cid=%-{C}L [V %V]', false), 'request', '127.0.0.1:5', context)).toBe('rid=RRRRRRRRRRR Cid=- [V named.example]');
    expect(formatErrorLogInfoLine(items('%+{X-Absent}i', false), 'request', '127.0.0.1:5', context)).toBeNull();
  });
  it('a server-scoped message prints no ids, %A, %k or %V', () => {
    const line = formatErrorLogWithFormat(items('[%m] rid=%L cid=%{c}L [A %A] %M'), { module: 'proxy', level: 'error', message: 'm' }, context);
    // Each empty field is erased back to its separator, as in scenario 382.
    expect(line).toBe('[proxy] [A m');
  });
});
