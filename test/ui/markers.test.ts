/** ConfigDiagnostic (1-based line, column, length) → editor markers, in one place. */
import { describe, expect, it } from 'vitest';
import type { ConfigDiagnostic } from '../../sandbox/engine/config/diagnostics.ts';
import { countProblems, diagnosticsToMarkers, LEARNER_FILE } from '../../sandbox/ui/editor/markers.ts';
import { liveConfigtest } from '../../sandbox/ui/live-configtest.ts';

const diagnostic = (overrides: Partial<ConfigDiagnostic>): ConfigDiagnostic => ({
  code: 'invalid-command',
  severity: 'error',
  message: 'm',
  file: LEARNER_FILE,
  line: 1,
  column: 1,
  length: 1,
  ...overrides,
});

describe('diagnosticsToMarkers', () => {
  const lines = ['Listen 80', '', '<VirtualHost *:80>', '    ProxyPas / http://x/', '</VirtualHost>'];

  it('keeps 1-based positions and turns length into an end column', () => {
    expect(diagnosticsToMarkers([diagnostic({ line: 4, column: 5, length: 8, message: "Invalid command 'ProxyPas'" })], lines)).toEqual([
      { severity: 'error', message: "Invalid command 'ProxyPas'", code: 'invalid-command', startLineNumber: 4, startColumn: 5, endLineNumber: 4, endColumn: 13 },
    ]);
  });

  it('clamps stale positions to the text and underlines empty lines whole', () => {
    const [past, empty, beyond] = diagnosticsToMarkers(
      [diagnostic({ line: 1, column: 40, length: 3 }), diagnostic({ line: 2, column: 1, length: 5 }), diagnostic({ line: 99, column: 1, length: 2 })],
      lines,
    );
    expect(past).toMatchObject({ startLineNumber: 1, startColumn: 1, endColumn: 10 });
    expect(empty).toMatchObject({ startLineNumber: 2, startColumn: 1, endColumn: 2 });
    expect(beyond).toMatchObject({ startLineNumber: 5, startColumn: 1, endColumn: 3 });
  });

  it('pins problems in other files to line 1 and names the file', () => {
    expect(diagnosticsToMarkers([diagnostic({ file: '/etc/apache2/apache2.conf', line: 7, message: 'boom' })], lines)[0]).toMatchObject({
      startLineNumber: 1,
      startColumn: 1,
      endColumn: 10,
      message: '/etc/apache2/apache2.conf:7: boom',
    });
  });

  it('counts errors and warnings', () => {
    expect(countProblems([diagnostic({}), diagnostic({ severity: 'warning' }), diagnostic({ severity: 'info' })])).toEqual({ errors: 1, warnings: 1 });
  });
});

describe('liveConfigtest (the page’s configtest, as the runtime runs it)', () => {
  it('prints Syntax OK for a good config', () => {
    const result = liveConfigtest('Listen 80\n<VirtualHost *:80>\n    ServerName example.com\n    ProxyPass /ws/ ws://localhost:8080/\n</VirtualHost>\n');
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/Syntax OK\n$/);
  });

  it('prints apachectl’s failure lines and positions the diagnostic in the learner’s file', () => {
    const result = liveConfigtest('Listen 80\n<VirtualHost *:80>\n    ProxyPas / http://localhost:3000/\n</VirtualHost>\n');
    expect(result.exitCode).toBe(1);
    expect(result.output).toBe(
      `AH00526: Syntax error on line 3 of ${LEARNER_FILE}:\nInvalid command 'ProxyPas', perhaps misspelled or defined by a module not included in the server configuration\nAction 'configtest' failed.\nThe Apache error log may have more information.\n`,
    );
    expect(result.diagnostics.find((d) => d.code === 'invalid-command')).toMatchObject({ file: LEARNER_FILE, line: 3, column: 5, length: 8 });
  });
});
