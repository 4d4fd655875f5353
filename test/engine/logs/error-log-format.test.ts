import { describe, expect, it } from 'vitest';
import { formatErrorLogLine, formatErrorLogWithFormat, parseErrorLogFormat, type ErrorLogEntry } from '../../../sandbox/engine/logs/error-log.ts';

// 2026-11-24T13:24:23.633550Z
const AT = Date.UTC(2026, 10, 24, 13, 24, 23) * 1000 + 633550;
const CONTEXT = { process: { pid: 10, tid: 12 }, epochMicros: AT, serverName: 'other.example' };
const SERVER_LINE: ErrorLogEntry = { module: 'proxy', level: 'error', code: 'AH00957', message: 'http: attempt failed', osError: '(111)Connection refused', origin: 'proxy_util.c(3949)' };
const REQUEST_LINE: ErrorLogEntry = { module: 'proxy_http', level: 'error', code: 'AH01114', message: 'HTTP: failed', client: '127.0.0.1:5000', origin: 'mod_proxy_http.c(2054)' };

function render(format: string, entry: ErrorLogEntry, extra: object = {}): string | null {
  const parsed = parseErrorLogFormat(format);
  if (!parsed.ok) throw new Error(parsed.error);
  return formatErrorLogWithFormat(parsed.items, entry, { ...CONTEXT, ...extra });
}

describe('ErrorLogFormat (server/log.c do_errorlog_format, measured in scenario 382)', () => {
  const manual = '[%{cu}t] [%-m:%l] %7F: %E: [client\\ %a] %M% ,\\ referer\\ %{Referer}i';

  it("erases an escaped-space field whole when it is empty, and shows %F only from debug (%7F)", () => {
    expect(render(manual, SERVER_LINE)).toBe('[2026-11-24 13:24:23.633550] [proxy:error] (111)Connection refused: AH00957: http: attempt failed');
  });

  it('adds the referer field only when the request sent one', () => {
    expect(render(manual, REQUEST_LINE, { requestHeaders: [['Referer', 'http://r/']] })).toBe('[2026-11-24 13:24:23.633550] [proxy_http:error] [client 127.0.0.1:5000] AH01114: HTTP: failed, referer http://r/');
    expect(render(manual, REQUEST_LINE)).toBe('[2026-11-24 13:24:23.633550] [proxy_http:error] [client 127.0.0.1:5000] AH01114: HTTP: failed');
  });

  it('with plain spaces each word is a field: an empty %a or %V erases back to the last separator', () => {
    const format = '[%t] [%l] [pid %P] %F: %E: [client %a] [%v|%V] %M';
    expect(render(format, SERVER_LINE)).toBe('[Tue Nov 24 13:24:23 2026] [error] [pid 10] proxy_util.c(3949): (111)Connection refused: [client AH00957: http: attempt failed');
    expect(render(format, REQUEST_LINE)).toBe('[Tue Nov 24 13:24:23 2026] [error] [pid 10] mod_proxy_http.c(2054): [client 127.0.0.1:5000] [other.example|other.example] AH01114: HTTP: failed');
  });

  it('prints "-" for an empty %-x and %% as a percent sign', () => {
    expect(render('%-{X}i %% %M', REQUEST_LINE)).toBe('- % AH01114: HTTP: failed');
  });

  it("refuses what core.c refuses, with its messages", () => {
    expect(parseErrorLogFormat('[%l]')).toEqual({ ok: false, error: "main ErrorLogFormat must contain message format string '%M'" });
    expect(parseErrorLogFormat('%Q %M')).toEqual({ ok: false, error: 'Unrecognized error log format directive %Q' });
    expect(parseErrorLogFormat('%+a %M')).toEqual({ ok: false, error: "The '+' flag cannot be used in the main error log format" });
    expect(parseErrorLogFormat('%M', false)).toEqual({ ok: false, error: '%M cannot be used in once-per-request or once-per-connection formats' });
    expect(parseErrorLogFormat('%16a %M')).toEqual({ ok: false, error: 'The specified loglevel modifier is out of range' });
  });

  it("the default layout ends a request's line with its referer", () => {
    expect(formatErrorLogLine(REQUEST_LINE, AT, { pid: 10, tid: 12 }, [['Referer', 'http://r/']])).toBe('[Tue Nov 24 13:24:23.633550 2026] [proxy_http:error] [pid 10:tid 12] [client 127.0.0.1:5000] AH01114: HTTP: failed, referer: http://r/');
  });
});
