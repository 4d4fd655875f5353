import { describe, expect, it } from 'vitest';
import { evaluateExpr, parseExpr } from '../../../sandbox/engine/routing/ap-expr.ts';
import type { ExprLookup } from '../../../sandbox/engine/routing/ap-expr.ts';

function lookupWith(headers: Record<string, string>, variables: Record<string, string> = {}): ExprLookup {
  const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? '';
  return {
    clientIp: '127.0.0.1',
    variable: (name) => variables[name] ?? '',
    call: (func, arg) => (func === 'http' || func === 'req' ? header(arg) : func === 'tolower' ? arg.toLowerCase() : null),
  };
}

const value = (text: string, lookup: ExprLookup) => {
  const result = evaluateExpr(text, lookup);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

describe('ap_expr subset for Require expr', () => {
  it("compares %{HTTP:Origin} with a quoted string (lesson 09's Origin check)", () => {
    const expr = "%{HTTP:Origin} == 'https://example.com'";
    expect(value(expr, lookupWith({ Origin: 'https://example.com' }))).toBe(true);
    expect(value(expr, lookupWith({ Origin: 'https://evil.example' }))).toBe(false);
  });

  it('treats a missing header as empty for -z and -n', () => {
    expect(value('-z %{HTTP:Origin}', lookupWith({}))).toBe(true);
    expect(value('-n %{HTTP:Origin}', lookupWith({}))).toBe(false);
  });

  it('supports in {…}, regex matches, functions, concatenation and boolean operators', () => {
    const lookup = lookupWith({ Origin: 'https://chat.example.com', Host: 'example.com' }, { REQUEST_URI: '/ws/room' });
    expect(value("%{HTTP:Origin} in {'https://a.example', 'https://chat.example.com'}", lookup)).toBe(true);
    expect(value('%{HTTP:Origin} =~ /^https:\\/\\/[a-z]+\\.example\\.com$/', lookup)).toBe(true);
    expect(value("req('Origin') !~ m#evil#i", lookup)).toBe(true);
    expect(value("'https://' . %{HTTP:Host} == 'https://example.com'", lookup)).toBe(true);
    expect(value("-z %{HTTP:Origin} || (%{REQUEST_URI} -strmatch '/ws/*' && ! false)", lookup)).toBe(true);
    expect(value('"%{REQUEST_URI}" == "/ws/room"', lookup)).toBe(true);
    expect(value('10 -gt 9 && -R "127.0.0.0/8"', lookup)).toBe(true);
  });

  it('reports a syntax error instead of throwing', () => {
    expect(parseExpr("%{HTTP:Origin} == ")).toEqual({ ok: false, error: 'syntax error, unexpected end of expression' });
    expect(parseExpr("'unterminated")).toEqual({ ok: false, error: 'unterminated string' });
    expect(parseExpr('%{A} ~~ %{B}').ok).toBe(false);
  });
});
