import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';
import { checkExprSyntax, checkStringExprSyntax, ExprScannerJammed } from '../../../sandbox/engine/routing/ap-expr-syntax.ts';

/**
 * Each expression was put in `<If "...">` and run through `apache2 -t` (httpd 2.4); the second
 * column is what followed "Cannot parse condition clause: " (null: "Syntax OK").
 */
const MEASURED: Array<[string, string | null]> = [
  ["%{HTTP_HOST} === 'x'", "syntax error, unexpected T_OP_STR_EQ"],
  ["%{HTTP_HOST} == 'x'", null],
  ["(%{HTTP_HOST} == 'x'", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"],
  ["%{HTTP_HOST} == 'x')", "syntax error, unexpected ')', expecting $end"],
  ["%{HTTP_HOST} == 'x", "Unterminated string or variable"],
  ["%{HTTP_HOST} == x", "syntax error, unexpected $end, expecting '('"],
  ["nope('x') == 'x'", "Function 'nope' does not exist"],
  ["%{NOPE} == 'x'", "Variable 'NOPE' does not exist"],
  ["%{HTTP_HOST} =~ /(/", "Failed to compile regular expression"],
  ["%{HTTP_HOST} == 'x' 'y'", "syntax error, unexpected T_STR_BEGIN, expecting $end"],
  ["-z", "syntax error, unexpected $end"],
  ["-z %{HTTP_HOST} ==", "syntax error, unexpected T_OP_STR_EQ, expecting $end"],
  ["%{HTTP_HOST}", "syntax error, unexpected $end"],
  ["%{HTTP_HOST} ==", "syntax error, unexpected $end"],
  ["%{HTTP_HOST} == 'x' &&", "syntax error, unexpected $end"],
  ["&& true", "syntax error, unexpected T_OP_AND"],
  ["true false", "syntax error, unexpected T_FALSE, expecting $end"],
  ["%{HTTP_HOST} in 'x'", "syntax error, unexpected T_STR_BEGIN, expecting T_ID or '{'"],
  ["%{HTTP_HOST} in {'x'", "syntax error, unexpected $end, expecting '}' or ','"],
  ["%{HTTP_HOST} in {}", "syntax error, unexpected '}'"],
  ["%{HTTP_HOST} -foo 'x'", "Binary operator '-foo' does not exist"],
  ["-foo %{HTTP_HOST}", "syntax error, unexpected T_OP_BINARY"],
  ["%{HTTP_HOST", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"],
  ["!", "syntax error, unexpected $end"],
  ["()", "syntax error, unexpected ')'"],
  ["%{HTTP_HOST} != 'x' || (true", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"],
  ["'a' == 'b' == 'c'", "syntax error, unexpected T_OP_STR_EQ, expecting $end"],
  ["%{HTTP_HOST} =~ 'x'", "syntax error, unexpected T_STR_BEGIN, expecting T_REGEX or T_REGEX_I"],
  ["%{HTTP_HOST} == %{}", "syntax error, unexpected T_VAR_END, expecting T_ID"],
  ["toupper('x' == 'X'", "syntax error, unexpected T_OP_STR_EQ, expecting T_OP_CONCAT or ')'"],
  ["%{HTTP_HOST} < 'x'", null],
  ["%{HTTP_HOST} eq 'x'", null],
  ["'%{HTTP_HOST'", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name '''"],
  ["%{HTTP_HOST:", "Unterminated string or variable"],
  ["%{HTTP:", "Unterminated string or variable"],
  ["'x' == 'a' # 'b'", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '#'"],
  ["%{HTTP_HOST} == 'x' @", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '@'"],
  ["-Q %{HTTP_HOST}", "Unary operator '-Q' does not exist"],
  ["%{http_host} == 'x'", null],
  ["%{HTTP:Origin} == 'x'", null],
  ["%{NOPE:x} == 'x'", "Function 'NOPE' does not exist"],
  ["toupper(%{HTTP_HOST}) == 'X'", null],
  ["md5('x') == 'x'", null],
  ["base64('x') == 'x'", null],
  ["%{HTTP_HOST} -ipmatch '10.0.0.0/8'", null],
  ["%{HTTP_HOST} -R '10.0.0.0/8'", "syntax error, unexpected T_OP_UNARY"],
  ["-R '10.0.0.0/8'", null],
  ["-f '/etc/passwd'", null],
  ["-A 'x'", null],
  ["%{HTTP_HOST} =~ m#x#i", null],
  ["%{HTTP_HOST} =~ /x/q", "syntax error, unexpected T_ID, expecting $end"],
  ["%{HTTP_HOST} in split(/,/, 'a,b')", "syntax error, unexpected T_REGEX"],
  ["%{HTTP_HOST} in PeerExtList('x')", "List-returning function 'PeerExtList' does not exist"],
  ["%{HTTP_HOST} in foo('x')", "List-returning function 'foo' does not exist"],
  ["v('x') == 'a'", "Function 'v' does not exist"],
  ["$1 == 'a'", null],
  ["1 == 2", null],
  ["-1 == 2", null],
  ["%{HTTP_HOST} =~ /x", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"],
  ["!true && false", null],
  ["%{TIME_YEAR} -gt 2000", null],
  ["%{REQUEST_URI} -strmatch '/x*'", null],
  ["%{HTTP_HOST} ~= 'x'", "syntax error, unexpected T_ERROR: Parse error near '~'"],
  ["%{HTTP_HOST} = 'x'", null],
  ["%{HTTP_HOST} =~ /[/", "Failed to compile regular expression"],
  ["%{CONTENT_TYPE} == 'x'", null],
  ["%{REMOTE_ADDR} -ipmatch '1.2.3.4'", null],
  ["%{HTTP_HOST} == 'x' and true", null],
  ["%{HTTP:Upgrade} =~ /websocket/i && %{HTTP:Connection} =~ /upgrade/i", null],
  ["-n %{HTTP_COOKIE} || %{QUERY_STRING} == ''", null],
  ["%{REQUEST_METHOD} in {'GET', 'HEAD'}", null],
];

describe('checkExprSyntax (ap_expr parse errors as httpd words them)', () => {
  it.each(MEASURED)('%s', (expr, expected) => {
    expect(checkExprSyntax(expr)).toBe(expected);
  });
  it('knows the variables of httpd 2.4.71 (HTTP2, not the trunk-only CURRENT_URI or SERVER_ADDR)', () => {
    expect(checkExprSyntax("%{HTTP2} == 'on'")).toBe(null);
    expect(checkExprSyntax("%{CURRENT_URI} == 'x'")).toBe("Variable 'CURRENT_URI' does not exist");
    expect(checkExprSyntax("%{SERVER_ADDR} == 'x'")).toBe("Variable 'SERVER_ADDR' does not exist");
  });
});

/**
 * String expressions (AP_EXPR_FLAG_STRING_RESULT), each measured as `Header set X-T "expr=..."`
 * in a <Location> with `apache2 -t` (httpd 2.4.71): what followed "Can't parse value expression : ".
 */
const MEASURED_STRING: Array<[string, string | null]> = [
  ['%{REQUEST_URI', "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"],
  ['%{NOPE}', "Variable 'NOPE' does not exist"],
  ['%{tolower:abc}', null],
  ['%{nofunc:abc}', "Function 'nofunc' does not exist"],
  ['%{REQUEST_URI}x%{HTTP_HOST}', null],
  ['plain text', null],
  ['%{}', 'syntax error, unexpected T_VAR_END, expecting T_ID'],
  ['%{:x}', "syntax error, unexpected ':', expecting T_ID"],
  ['%{REQUEST-URI}', "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name '-'"],
  ['%{tolower:%{REQUEST_URI}}', null],
  ['%{tolower:abc', 'Unterminated string or variable'],
  ['$1 and $2', null],
  ['\\7', null],
  ['\\400', 'Escape sequence out of bound'],
  ['%{REQUEST_URI}}', null],
  ['%{tolower:a:b}', null],
  ['%{ HTTP_HOST}', "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name ' '"],
  ['100% sure', null],
  ['%{tolower:%{NOPE}}', "Variable 'NOPE' does not exist"],
  ['%{tolower:}', 'syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN'],
  ['%{REQUEST_URI:}', 'syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN'],
  ['%{req:Host}', null],
  ['%{TIME}%{', 'syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable'],
  ['%{HTTP2}', null],
  ['%{CURRENT_URI}', "Variable 'CURRENT_URI' does not exist"],
  ['%{TIME}\\400', 'syntax error, unexpected T_ERROR, expecting $end: Escape sequence out of bound'],
  ['%{NOPE}%{}', "syntax error, unexpected T_VAR_END, expecting T_ID: Variable 'NOPE' does not exist"],
  ['%{NOPE}%{', 'syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable'],
  ['%{tolower:%{TIME}', 'syntax error, unexpected T_ERROR, expecting T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN or T_VAR_END: Unterminated string or variable'],
  ['%{tolower:a\\8}', 'Bad escape sequence'],
  ['\\0123', 'Bad escape sequence'],
  ['\\78', 'Bad escape sequence'],
  ['%{nofunc:x}%{NOPE}', "Variable 'NOPE' does not exist"],
  ['%{NOPE}%{nofunc:x}', "Function 'nofunc' does not exist"],
  ['%{Time}', null],
  ['%{ToLower:x}', null],
  ['$', null],
  ['%{tolower:%}', null],
  ['100%{', 'syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable'],
  ['%{_X}', "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name '_'"],
  ['%{X1_}', "Variable 'X1_' does not exist"],
  ['%{tolower:$1}abc$', null],
  ['', null],
];

describe('checkStringExprSyntax (string ap_expr parse errors as httpd words them)', () => {
  it.each(MEASURED_STRING)('%s', (expr, expected) => {
    expect(checkStringExprSyntax(expr)).toBe(expected);
  });
  it("throws where httpd's flex scanner jams (a quote in a function argument, a trailing backslash)", () => {
    expect(() => checkStringExprSyntax("%{tolower:a'b}")).toThrow(ExprScannerJammed);
    expect(() => checkStringExprSyntax('abc\\')).toThrow(ExprScannerJammed);
  });
});

const M = '/usr/lib/apache2/modules';
const HEAD = [
  `LoadModule mpm_event_module ${M}/mod_mpm_event.so`,
  `LoadModule authz_core_module ${M}/mod_authz_core.so`,
  `LoadModule headers_module ${M}/mod_headers.so`,
  `LoadModule setenvif_module ${M}/mod_setenvif.so`,
  'ServerName localhost',
  '<Location />',
].join('\n');

/** configtest's stderr for HEAD + body (body starts on line 7), as apache2 -t printed it. */
function stderrOf(body: string): string {
  return configtest(`${HEAD}\n${body}\n</Location>\n`, { file: 'F' }).stderr;
}

describe('configtest refuses a bad ap_expr wherever httpd parses one', () => {
  it('<If> and <ElseIf>', () => {
    expect(stderrOf(`<If "%{HTTP_HOST} === 'x'">\n</If>`)).toBe('AH00526: Syntax error on line 7 of F:\nCannot parse condition clause: syntax error, unexpected T_OP_STR_EQ\n');
    expect(stderrOf(`<If "true">\n</If>\n<ElseIf "%{NOPE} == 'x'">\n</ElseIf>`)).toBe("AH00526: Syntax error on line 9 of F:\nCannot parse condition clause: Variable 'NOPE' does not exist\n");
  });
  it('Require expr (with or without surrounding quotes)', () => {
    expect(stderrOf(`Require expr %{HTTP_HOST} === 'x'`)).toBe('AH00526: Syntax error on line 7 of F:\nCannot parse expression in require line: syntax error, unexpected T_OP_STR_EQ\n');
    expect(stderrOf(`Require expr "%{NOPE} == 'x'"`)).toBe("AH00526: Syntax error on line 7 of F:\nCannot parse expression in require line: Variable 'NOPE' does not exist\n");
  });
  it('SetEnvIfExpr', () => {
    expect(stderrOf(`SetEnvIfExpr "%{HTTP_HOST} in {'x'" foo`)).toBe(`AH00526: Syntax error on line 7 of F:\nCould not parse expression "%{HTTP_HOST} in {'x'": syntax error, unexpected $end, expecting '}' or ','\n`);
  });
  it('Header expr= condition', () => {
    expect(stderrOf(`Header set X 1 "expr=(true"`)).toBe("AH00526: Syntax error on line 7 of F:\nCan't parse envclause/expression: syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'\n");
  });
  it('CustomLog expr= (the message is printed bare)', () => {
    const log = (condition: string) => configtest(`${HEAD}\n</Location>\nCustomLog /tmp/a.log common "expr=${condition}"\n<Location />\n</Location>\n`, { file: 'F' }).stderr;
    expect(log(`%{HTTP_HOST} === 'x'`)).toBe('AH00526: Syntax error on line 8 of F:\nsyntax error, unexpected T_OP_STR_EQ\n');
    expect(log(`%{NOPE} == 'x'`)).toBe("AH00526: Syntax error on line 8 of F:\nVariable 'NOPE' does not exist\n");
  });
  it('accepts valid expressions the evaluator does not cover', () => {
    expect(stderrOf(`<If "%{HTTP_HOST} eq 'x' && md5('a') == 'b' && -f '/etc/passwd'">\n</If>\nRequire expr %{REQUEST_METHOD} in {'GET', 'HEAD'}`)).toBe('Syntax OK\n');
  });
  it('string expressions: Header expr= values, ErrorDocument, Redirect, Alias, AuthName, AuthType, SetHandler, AuthBasicFake, Require user', () => {
    const wrap = (line: number, message: string) => `AH00526: Syntax error on line ${line} of F:\n${message}\n`;
    expect(stderrOf('Header set X-T "expr=%{REQUEST_URI"')).toBe(wrap(7, "Can't parse value expression : syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"));
    expect(stderrOf('ErrorDocument 503 "Backend %{tolower:} down"')).toBe(wrap(7, 'Cannot parse expression in ErrorDocument: syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN'));
    const withAlias = (body: string) => configtest(`LoadModule alias_module ${M}/mod_alias.so\n${HEAD}\n${body}\n</Location>\n`, { file: 'F' }).stderr;
    expect(withAlias('Redirect 301 "%{NOPE}"')).toBe(wrap(8, "Cannot parse redirect expression '%{NOPE}': Variable 'NOPE' does not exist"));
    expect(withAlias('Alias "/tmp/%{REQUEST_URI"')).toBe(wrap(8, "Cannot parse alias expression '/tmp/%{REQUEST_URI': syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"));
    expect(stderrOf('SetHandler "%{NOPE}"')).toBe(wrap(7, "Can't parse expression : Variable 'NOPE' does not exist"));
    const auth = ['authn_core', 'auth_basic', 'authz_user'].map((name) => `LoadModule ${name}_module ${M}/mod_${name}.so`).join('\n');
    const withAuth = (body: string) => configtest(`${auth}\n${HEAD}\n${body}\n</Location>\n`, { file: 'F' }).stderr;
    expect(withAuth('AuthName "Realm %{NOPE}"')).toBe(wrap(10, "Cannot parse expression 'Realm %{NOPE}' in AuthName: Variable 'NOPE' does not exist"));
    expect(withAuth('AuthType %{Basic')).toBe(wrap(10, "Cannot parse expression '%{Basic' in AuthType: syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"));
    expect(withAuth('AuthBasicFake "%{REMOTE_USER" pass')).toBe(wrap(10, "Could not parse fake username expression '%{REMOTE_USER': syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"));
    expect(withAuth('Require user %{REMOTE_USER')).toBe(wrap(10, "Cannot parse expression in require line: syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"));
    expect(withAuth('Require valid-user %{NOPE}')).toBe('Syntax OK\n');
  });
  it("prints only httpd's 'flex scanner jammed' and exits with 2 where its scanner jams", () => {
    const result = configtest(`${HEAD}\nHeader set X-T "expr=%{tolower:a'b}"\n</Location>\n`, { file: 'F' });
    expect(result.stderr).toBe('flex scanner jammed\n');
    expect(result.exitCode).toBe(2);
  });
});
