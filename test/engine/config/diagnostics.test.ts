import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../sandbox/engine/config/index.ts';

const MODULES = [
  'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so',
  'LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so',
  'ServerName x.test',
].join('\n');
const FILE = '/etc/apache2/sites-enabled/test.conf';

/** Diagnostics of MODULES + body; body lines start at line 4. */
function diagnose(body: string, env: Record<string, string> = {}) {
  return parseConfig(`${MODULES}\n${body}\n`, { file: FILE, env }).diagnostics;
}

describe('diagnostics point at the offending token', () => {
  it('marks an unknown directive name', () => {
    expect(diagnose('  ProxyPas / http://x/')).toEqual([
      {
        code: 'invalid-command',
        severity: 'error',
        message: "Invalid command 'ProxyPas', perhaps misspelled or defined by a module not included in the server configuration",
        file: FILE,
        line: 4,
        column: 3,
        length: 8,
      },
    ]);
  });

  it('marks the # word of a trailing comment', () => {
    expect(diagnose('ProxyPass /ws/ ws://x/ # backend')).toEqual([
      {
        code: 'invalid-argument',
        severity: 'error',
        message: "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.",
        file: FILE,
        line: 4,
        column: 24,
        length: 1,
      },
    ]);
  });

  it('marks an undefined variable and still reports the error it causes', () => {
    expect(diagnose('ProxyTimeout ${T}')).toEqual([
      { code: 'AH00111', severity: 'warning', message: 'AH00111: Config variable ${T} is not defined', file: FILE, line: 4, column: 14, length: 4 },
      { code: 'invalid-argument', severity: 'error', message: 'Proxy Timeout must be at least 1 second.', file: FILE, line: 4, column: 14, length: 4 },
    ]);
  });

  it('marks a token on the second physical line of a continued directive', () => {
    expect(diagnose('ProxyPass /ws/ \\\n    localhost:8080/')).toEqual([
      { code: 'invalid-argument', severity: 'error', message: 'ProxyPass URL must be absolute!: localhost:8080/', file: FILE, line: 5, column: 5, length: 15 },
    ]);
  });

  it('marks every unclosed section at its opener', () => {
    expect(diagnose('<VirtualHost *:80>\n  <Location /ws/>')).toEqual([
      { code: 'section-not-closed', severity: 'error', message: `${FILE}:4: <VirtualHost> was not closed.`, file: FILE, line: 4, column: 1, length: 12 },
      { code: 'section-not-closed', severity: 'error', message: `${FILE}:5: <Location> was not closed.`, file: FILE, line: 5, column: 3, length: 9 },
    ]);
  });

  it('marks a stray closer', () => {
    expect(diagnose('</Location>')).toEqual([
      { code: 'section-without-opener', severity: 'error', message: '</Location> without matching <Location> section', file: FILE, line: 4, column: 1, length: 11 },
    ]);
  });

  it('reports problems after the first one too, unlike httpd', () => {
    const codes = diagnose('Frob 1\nProxyPreserveHost maybe\nTimeout 5').map((diagnostic) => [diagnostic.line, diagnostic.message]);
    expect(codes).toEqual([
      [4, "Invalid command 'Frob', perhaps misspelled or defined by a module not included in the server configuration"],
      [5, 'ProxyPreserveHost must be On or Off'],
    ]);
  });

  it('never throws on hostile input', () => {
    for (const text of ['\0', '<', '>', '</>', '<<<>>>', '"', '\\', '${', '${}', '<VirtualHost >', '<IfModule !>', 'Include', '\uFEFFListen 80']) {
      expect(() => parseConfig(text)).not.toThrow();
    }
  });
});
