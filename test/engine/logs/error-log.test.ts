import { describe, expect, it } from 'vitest';
import { extractErrorLogCodes, formatErrorLogLine } from '../../../sandbox/engine/logs/error-log.ts';
import { isLogged } from '../../../sandbox/engine/logs/log-level.ts';

const AT = Date.UTC(2026, 10, 24, 13, 24, 23) * 1000 + 633550;

describe('formatErrorLogLine', () => {
  it('matches the AH00957 line real httpd wrote, OS error before the message', () => {
    const line = formatErrorLogLine(
      {
        module: 'proxy',
        level: 'error',
        code: 'AH00957',
        osError: '(111)Connection refused',
        message: 'ws: attempt to connect to 127.0.0.1:18412 (127.0.0.1:18412) failed',
      },
      AT,
      { pid: 8302, tid: 8358 },
    );
    expect(line).toBe(
      '[Tue Nov 24 13:24:23.633550 2026] [proxy:error] [pid 8302:tid 8358] (111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:18412 (127.0.0.1:18412) failed',
    );
  });

  it('puts the client after the pid for request-scoped entries', () => {
    const line = formatErrorLogLine(
      { module: 'proxy_http', level: 'error', code: 'AH01114', client: '127.0.0.1:54938', message: 'HTTP: failed to make connection to backend: 127.0.0.1' },
      AT,
      { pid: 8302, tid: 8358 },
    );
    expect(line).toBe(
      '[Tue Nov 24 13:24:23.633550 2026] [proxy_http:error] [pid 8302:tid 8358] [client 127.0.0.1:54938] AH01114: HTTP: failed to make connection to backend: 127.0.0.1',
    );
  });
});

describe('isLogged', () => {
  it('honours per-module levels such as proxy:trace5 over the default warn', () => {
    const setting = { level: 'warn' as const, perModule: { proxy: 'trace5' as const } };
    expect(isLogged(setting, 'proxy', 'trace5')).toBe(true);
    expect(isLogged(setting, 'proxy', 'trace6')).toBe(false);
    expect(isLogged(setting, 'proxy_http', 'info')).toBe(false);
    expect(isLogged(setting, 'proxy_http', 'error')).toBe(true);
  });
});

describe('extractErrorLogCodes', () => {
  it('finds AH codes in order', () => {
    expect(extractErrorLogCodes('x AH00957: a\ny AH01114: b')).toEqual(['AH00957', 'AH01114']);
  });
});
