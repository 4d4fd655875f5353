import { describe, expect, it } from 'vitest';
import type { HeaderOp } from '../../../sandbox/engine/config/model.ts';
import { parseConfig } from '../../../sandbox/engine/config/index.ts';
import type { ExprLookup } from '../../../sandbox/engine/routing/ap-expr.ts';
import { applyHeaderOps, formatValue, type HeaderOpContext } from '../../../sandbox/engine/routing/header-ops.ts';
import { HeaderTable } from '../../../sandbox/engine/routing/header-table.ts';

const source = { file: 'test.conf', line: 1 };

function op(partial: Partial<HeaderOp> & Pick<HeaderOp, 'action' | 'header'>): HeaderOp {
  return { directive: 'Header', condition: null, value: null, replacement: null, when: null, source, ...partial };
}

const lookup: ExprLookup = {
  clientIp: '127.0.0.1',
  variable: (name) => (name === 'REQUEST_URI' ? '/ws/chat' : ''),
  call: (func, arg) => (func === 'http' && arg.toLowerCase() === 'upgrade' ? 'websocket' : func === 'http' ? '' : null),
};

const context: HeaderOpContext = { env: { FLAG: '1' }, requestTimeMicros: 1_700_000_000_000_000, expr: lookup };

function run(ops: HeaderOp[], start: Array<[string, string]> = [], extra: Partial<HeaderOpContext> = {}): Array<readonly [string, string]> {
  const table = new HeaderTable(start);
  applyHeaderOps(ops, 'Header', 'late', table, { ...context, ...extra });
  return table.toPairs();
}

describe('mod_headers operations (do_headers_fixup)', () => {
  it('merges only a token not already present, comparing quoted tokens whole and case-sensitively', () => {
    const pairs = run([
      op({ action: 'merge', header: 'X-Q', value: 'c' }),
      op({ action: 'merge', header: 'X-Q', value: '"c, d"' }),
      op({ action: 'merge', header: 'X-Q', value: 'E' }),
    ], [['X-Q', '"c, d", e']]);
    expect(pairs).toEqual([['X-Q', '"c, d", e, c, E']]);
  });

  it('evaluates env= (prefix in any case) and expr= conditions', () => {
    const pairs = run([
      op({ action: 'set', header: 'X-Env', value: 'y', when: 'ENV=FLAG' }),
      op({ action: 'set', header: 'X-NotEnv', value: 'y', when: 'env=!FLAG' }),
      op({ action: 'set', header: 'X-Uri', value: 'y', when: 'expr=%{REQUEST_URI} =~ m#^/ws#' }),
      op({ action: 'set', header: 'X-Upgrade', value: 'y', when: "expr=%{HTTP:Upgrade} == 'h2c'" }),
    ]);
    expect(pairs).toEqual([['X-Env', 'y'], ['X-Uri', 'y']]);
  });

  it('echoes request headers whose names match the regex, as the client spelled them', () => {
    const pairs = run([op({ action: 'echo', header: '^X-Req-' })], [], { requestHeaders: [['X-Req-One', '1'], ['x-req-two', '2']] });
    expect(pairs).toEqual([['X-Req-One', '1']]);
  });

  it('leaves early operations to the early phase', () => {
    const ops = [op({ action: 'set', header: 'X-Early', value: 'y', when: 'early', condition: 'always' })];
    expect(run(ops)).toEqual([]);
    const table = new HeaderTable();
    applyHeaderOps(ops, 'Header', 'early', table, context, 'always');
    expect(table.toPairs()).toEqual([['X-Early', 'y']]);
  });

  it('expands format tags, backslash escapes and expr= values', () => {
    expect(formatValue('a\\\\b\\tc %% 100%', context)).toBe('a\\b\tc % 100%');
    expect(formatValue('%{FLAG}e %{NOPE}e %{HTTPS}s', context)).toBe('1 (null) (null)');
    expect(formatValue('%D', { ...context, nowMicros: context.requestTimeMicros + 42 })).toBe('D=42');
    expect(formatValue('%t', context)).toBe('t=1700000000000000');
    expect(formatValue('%l %i %b', { ...context, load: { average: [0.5, 1, 2.25], idle: 3, busy: 1 } })).toBe('l=0.50/1.00/2.25 i=3 b=1');
    expect(formatValue('expr=%{REQUEST_URI} via %{HTTP:Upgrade}', context)).toBe('/ws/chat via websocket');
  });

  it('expands the tags of an edit replacement before $N', () => {
    const pairs = run([op({ action: 'edit', header: 'X-E', value: '^(a)', replacement: '%{FLAG}e-$1' })], [['X-E', 'abc']]);
    expect(pairs).toEqual([['X-E', '1-abc']]);
  });
});

describe('Header / RequestHeader syntax (header_inout_cmd)', () => {
  function check(line: string): string[] {
    const config = parseConfig(`LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nLoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\nServerName x.test\n${line}\n`, { file: 'test.conf' });
    return config.diagnostics.filter((entry) => entry.severity === 'error').map((entry) => entry.message);
  }

  it('accepts expr= values and edit replacements', () => {
    expect(check('Header edit X-Test "^(.*)$" "expr=%{REQUEST_URI}"')).toEqual([]);
    expect(check('Header set X-Test "expr=%{REQUEST_URI} via %{HTTP:Upgrade}"')).toEqual([]);
  });

  it('rejects an expr= condition that does not parse', () => {
    expect(check('Header set X-Test y "expr=%{REQUEST_URI} =~"').join('\n')).toMatch(/^Can't parse envclause\/expression: /m);
  });
});
