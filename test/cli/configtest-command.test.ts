import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runMain } from './cli-process.ts';

// The fixtures log to ${APACHE_LOG_DIR} as Debian's configs do; httpd -t checks that the directory exists.
const env = { APACHE_LOG_DIR: tmpdir() };
const fixture = (name: string) => join(FIXTURES, `${name}.conf`);

// runCli cases run the real bin.mjs; runMain cases call main() in-process, which is the same code.
describe('wslab configtest', () => {
  it('prints "Syntax OK" on stderr and exits 0 for the article\'s ProxyPass lines', async () => {
    const result = await runCli(['configtest', fixture('websocket-proxy')], { env });
    expect(result).toEqual({ code: 0, signal: null, stdout: '', stderr: 'Syntax OK\n' });
  });

  it('prints the AH00558 warning before "Syntax OK" when ServerName is missing, and still exits 0', async () => {
    const result = await runMain(['configtest', fixture('no-servername')], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message\n" +
        'Syntax OK\n',
    );
  });

  it('prints AH00526 with the line and file, then the reason, and exits 1 for a misspelled directive', async () => {
    const result = await runCli(['configtest', fixture('misspelled-directive')], { env });
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr:
        `AH00526: Syntax error on line 6 of ${fixture('misspelled-directive')}:\n` +
        "Invalid command 'ProxyPas', perhaps misspelled or defined by a module not included in the server configuration\n",
    });
  });

  it('prints the two-line message for a ProxyPass with a path inside <Location>', async () => {
    const result = await runMain(['configtest', fixture('path-inside-location')], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `AH00526: Syntax error on line 7 of ${fixture('path-inside-location')}:\nProxyPass|ProxyPassMatch can not have a path when defined in a location.\n`,
    );
  });

  it('reads an <IfDefine> block only when -D defines its name', async () => {
    const without = await runMain(['configtest', fixture('ifdefine-typo')], env);
    const withDefine = await runMain(['configtest', '-D', 'WEBSOCKET', fixture('ifdefine-typo')], env);
    expect([without.code, without.stderr]).toEqual([0, 'Syntax OK\n']);
    expect(withDefine.code).toBe(1);
    expect(withDefine.stderr.split('\n')[0]).toBe(`AH00526: Syntax error on line 7 of ${fixture('ifdefine-typo')}:`);
  });

  it('prints only "flex scanner jammed" and exits 2 where httpd\'s expression scanner jams', async () => {
    const result = await runCli(['configtest', fixture('expr-scanner-jam')], { env });
    expect(result).toEqual({ code: 2, signal: null, stdout: '', stderr: 'flex scanner jammed\n' });
  });

  it('takes a relative FILE from the current directory and prints it absolute', async () => {
    const result = await runCli(['configtest', 'misspelled-directive.conf'], { env, cwd: FIXTURES });
    expect(result.stderr.split('\n')[0]).toBe(`AH00526: Syntax error on line 6 of ${fixture('misspelled-directive')}:`);
  });

  it('names a missing file and exits 1', async () => {
    const missing = join(FIXTURES, 'does-not-exist.conf');
    const result = await runCli(['configtest', missing], { env });
    expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr: `wslab: Could not open configuration file ${missing}: No such file or directory\n` });
  });

  it('says a directory is not a config file', async () => {
    const result = await runMain(['configtest', FIXTURES], env);
    expect([result.code, result.stderr]).toEqual([1, `wslab: Could not open configuration file ${FIXTURES}: Is a directory\n`]);
  });

  it('refuses a missing FILE argument with the usage and exit 1', async () => {
    const result = await runMain(['configtest'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(0, 3)).toEqual(['wslab configtest: missing FILE', '', 'Usage: wslab configtest [-D NAME]... FILE']);
  });

  it('refuses a second FILE with the usage and exit 1', async () => {
    const result = await runMain(['configtest', fixture('websocket-proxy'), 'extra.conf'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("wslab configtest: unexpected argument 'extra.conf'");
  });
});
