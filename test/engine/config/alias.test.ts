import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';

const M = '/usr/lib/apache2/modules';
const HEAD = [`LoadModule mpm_event_module ${M}/mod_mpm_event.so`, `LoadModule alias_module ${M}/mod_alias.so`, `LoadModule authz_core_module ${M}/mod_authz_core.so`, 'ServerName localhost'].join('\n');
const PREFIX = /^\[[^\]]+\] \[alias:warn\] \[pid 1:tid 1\] /gm;

/** configtest's stderr for HEAD + body (body starts on line 5), time stamps dropped. */
function stderrOf(body: string): string {
  return configtest(`${HEAD}\n${body}\n`, { file: 'F' }).stderr.replace(PREFIX, '');
}

// Each expectation is what apache2 -t (httpd 2.4.71) printed for the same text.
describe('Alias, ScriptAlias and the Match forms (mod_alias add_alias / add_alias_internal)', () => {
  it('two-argument forms are refused in sections, the one-argument form outside <Location>', () => {
    expect(stderrOf('<Location /a>\nAlias /a /tmp\n</Location>')).toBe('AH00526: Syntax error on line 6 of F:\nAlias cannot occur within directory context\n');
    expect(stderrOf('Alias /tmp')).toBe('AH00526: Syntax error on line 5 of F:\nAlias must have two arguments when used globally\n');
    expect(stderrOf('<Directory /tmp>\nAlias /tmp\n</Directory>')).toBe('AH00526: Syntax error on line 6 of F:\nAlias cannot occur within <Directory> section\n');
    expect(stderrOf('<Location /a>\n<If "true">\nAlias /tmp\n</If>\n</Location>')).toBe('AH00526: Syntax error on line 7 of F:\nAlias cannot occur within <If> section\n');
    expect(stderrOf('<Location /a>\nAlias /tmp\n</Location>\n<LocationMatch ^/b>\nAlias /tmp\n</LocationMatch>')).toBe('Syntax OK\n');
    expect(stderrOf('AliasMatch ( /tmp')).toBe('AH00526: Syntax error on line 5 of F:\nRegular expression could not be compiled.\n');
  });
  it('warns (AH00671) when an alias can never match because an earlier one covers it', () => {
    expect(stderrOf('Alias /app /tmp\nAlias /app/sub /var')).toBe('AH00671: The Alias directive in F at line 6 will probably never match because it overlaps an earlier Alias.\nSyntax OK\n');
    expect(stderrOf('Alias /app/ /tmp/\nAlias /app/x/ /var/\nScriptAlias /app/y /var/')).toBe(
      'AH00671: The Alias directive in F at line 6 will probably never match because it overlaps an earlier Alias.\nAH00671: The ScriptAlias directive in F at line 7 will probably never match because it overlaps an earlier Alias.\nSyntax OK\n',
    );
    expect(stderrOf('AliasMatch ^/app /tmp\nAlias /app/x /var')).toBe('AH00671: The Alias directive in F at line 6 will probably never match because it overlaps an earlier AliasMatch.\nSyntax OK\n');
    expect(stderrOf('Alias /app//x /tmp\nAlias /app/x/y /var')).toBe('AH00671: The Alias directive in F at line 6 will probably never match because it overlaps an earlier Alias.\nSyntax OK\n');
    expect(stderrOf('Alias /app /tmp\nAlias /apple /var')).toBe('Syntax OK\n');
  });
  it("a <VirtualHost> checks only its own aliases, and logs by its own LogLevel", () => {
    expect(stderrOf('Listen 8080\n<VirtualHost 127.0.0.1:8080>\nAlias /app /tmp\nAlias /app/sub /var\n</VirtualHost>')).toBe('Syntax OK\n');
    expect(stderrOf('Listen 8080\n<VirtualHost 127.0.0.1:8080>\nLogLevel warn\nAlias /app /tmp\nAlias /app/sub /var\n</VirtualHost>')).toBe(
      'AH00671: The Alias directive in F at line 9 will probably never match because it overlaps an earlier Alias.\nSyntax OK\n',
    );
  });
});
