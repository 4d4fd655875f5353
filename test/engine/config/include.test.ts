import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';
import { debianFileSystem } from './debian-file-system.ts';

const HEAD = `LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
ErrorLog /tmp/wslab-fixtures/error.log
ServerName x.test
Listen 8099
`;
const fileSystem = debianFileSystem({
  '/tmp/wslab-fixtures/inc/a-bad.conf': 'ProxyPas x\n',
  '/tmp/wslab-fixtures/inc/b-unclosed.conf': 'ServerAdmin a@b\n<Location /a>\n',
  '/tmp/wslab-fixtures/inc/ok.conf': 'KeepAlive On\n',
  '/tmp/wslab-fixtures/inc/sub/c.conf': 'Timeout 5\n',
});

/** apache2 -t of HEAD + line, as captured from httpd 2.4.71 with the same files on disk. */
function run(name: string, line: string) {
  const file = `/tmp/wslab-fixtures/${name}.conf`;
  const result = configtest(`${HEAD}${line}\n`, { file, fileSystem, modulePaths: 'debian' });
  return { stderr: result.stderr, exitCode: result.exitCode, included: result.config?.includedFiles ?? null };
}

describe('Include and IncludeOptional', () => {
  it('reads an included file into the config', () => {
    expect(run('i1', 'Include /tmp/wslab-fixtures/inc/ok.conf')).toEqual({ stderr: 'Syntax OK\n', exitCode: 0, included: ['/tmp/wslab-fixtures/inc/ok.conf'] });
  });

  it('blames the included file for a directive error in it', () => {
    expect(run('i2', 'Include /tmp/wslab-fixtures/inc/a-bad.conf').stderr).toBe(
      "AH00526: Syntax error on line 1 of /tmp/wslab-fixtures/inc/a-bad.conf:\nInvalid command 'ProxyPas', perhaps misspelled or defined by a module not included in the server configuration\n",
    );
  });

  it('wraps a read error of the included file in the Include line\'s error', () => {
    expect(run('i3', 'Include /tmp/wslab-fixtures/inc/b-unclosed.conf').stderr).toBe(
      'apache2: Syntax error on line 6 of /tmp/wslab-fixtures/i3.conf: Syntax error on line 2 of /tmp/wslab-fixtures/inc/b-unclosed.conf: /tmp/wslab-fixtures/inc/b-unclosed.conf:2: <Location> was not closed.\n',
    );
  });

  it('includes every file under a directory', () => {
    expect(run('i4', 'Include /tmp/wslab-fixtures/inc/sub')).toEqual({ stderr: 'Syntax OK\n', exitCode: 0, included: ['/tmp/wslab-fixtures/inc/sub/c.conf'] });
  });

  it('reads wildcard matches in name order and stops at the first broken one', () => {
    expect(run('i5', 'Include /tmp/wslab-fixtures/inc/*.conf').stderr).toBe(
      'apache2: Syntax error on line 6 of /tmp/wslab-fixtures/i5.conf: Syntax error on line 2 of /tmp/wslab-fixtures/inc/b-unclosed.conf: /tmp/wslab-fixtures/inc/b-unclosed.conf:2: <Location> was not closed.\n',
    );
  });

  it('lets IncludeOptional match nothing', () => {
    expect(run('i6', 'IncludeOptional /tmp/wslab-fixtures/inc/nomatch*.conf')).toEqual({ stderr: 'Syntax OK\n', exitCode: 0, included: [] });
  });

  it('matches wildcards in directory components', () => {
    expect(run('i7', 'Include /tmp/wslab-fixtures/*/sub/*.conf').included).toEqual(['/tmp/wslab-fixtures/inc/sub/c.conf']);
  });

  it('checks included directives in the context of the Include line', () => {
    expect(run('i8', '<Location /a>\nInclude /tmp/wslab-fixtures/inc/ok.conf\n</Location>').stderr).toBe(
      'AH00526: Syntax error on line 1 of /tmp/wslab-fixtures/inc/ok.conf:\nKeepAlive not allowed in <Location> context\n',
    );
  });

  it('says what httpd says for a missing file when there is no file system', () => {
    const result = configtest(`${HEAD}Include conf.d/extra.conf\n`, { file: '/tmp/x.conf' });
    expect(result.stderr).toBe('apache2: Syntax error on line 6 of /tmp/x.conf: Could not open configuration file /etc/apache2/conf.d/extra.conf: No such file or directory\n');
  });

  it('stops an Include loop at httpd\'s depth limit', () => {
    const loop = debianFileSystem({ '/tmp/loop.conf': 'Include /tmp/loop.conf\n' });
    const result = configtest(`${HEAD}Include /tmp/loop.conf\n`, { file: '/tmp/x.conf', fileSystem: loop });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.endsWith('Exceeded maximum include depth of 128, There appears to be a recursion.\n')).toBe(true);
  });
});
