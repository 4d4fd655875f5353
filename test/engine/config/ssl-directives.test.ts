import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';
import type { ConfigFileSystem } from '../../../sandbox/engine/config/parse-state.ts';

const M = '/usr/lib/apache2/modules';
const HEAD = [`LoadModule mpm_event_module ${M}/mod_mpm_event.so`, `LoadModule ssl_module ${M}/mod_ssl.so`, `LoadModule socache_shmcb_module ${M}/mod_socache_shmcb.so`, 'ServerName localhost'].join('\n');

/** A file system with /dev/urandom (a device: it must be stat'ed, never read) and /bin/true. */
const fileSystem: ConfigFileSystem = {
  readFile: (path) => (path === '/bin/true' ? 'ELF' : path === '/dev/urandom' ? (() => { throw new Error('read a device'); })() : null),
  listDirectory: (path) => (['/tmp', '/etc/apache2/logs'].includes(path.replace(/\/$/, '')) ? [] : null),
  exists: (path) => ['/dev/urandom', '/bin/true', '/tmp'].includes(path),
};

/** configtest's stderr for HEAD + body (body starts on line 5). */
function stderrOf(body: string): string {
  return configtest(`${HEAD}\n${body}\n`, { file: 'F', fileSystem }).stderr;
}
const refused = (line: number, message: string) => `AH00526: Syntax error on line ${line} of F:\n${message}\n`;

// Each expectation is what apache2 -t (httpd 2.4.71, OpenSSL 3.0.19) printed for the same text.
describe('mod_ssl directive checks (ssl_engine_config.c)', () => {
  it('SSLOptions names its options case-insensitively, with or without +/-', () => {
    expect(stderrOf('SSLOptions +Foo')).toBe(refused(5, "SSLOptions: Illegal option 'Foo'"));
    expect(stderrOf('<Location /a>\nSSLOptions +stdenvvars -ExportCertData StrictRequire\n</Location>')).toBe('Syntax OK\n');
  });
  it('SSLProxyProtocol and the cipher suites protocol word', () => {
    expect(stderrOf('SSLProxyProtocol nope')).toBe(refused(5, "SSLProxyProtocol: Illegal protocol 'nope'"));
    expect(stderrOf('SSLCipherSuite SSLv9 HIGH')).toBe(refused(5, "protocol 'SSLv9' not supported"));
    expect(stderrOf('SSLProxyCipherSuite TLSv1.2 HIGH')).toBe(refused(5, "protocol 'TLSv1.2' not supported"));
    expect(stderrOf('<Location /a>\nSSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256\n</Location>')).toBe(refused(6, 'TLSv1.3 ciphers cannot be set inside a directory context'));
  });
  it('revocation and OCSP modes', () => {
    expect(stderrOf('SSLCARevocationCheck maybe')).toBe(refused(5, "SSLCARevocationCheck: Invalid argument 'maybe'"));
    expect(stderrOf('SSLProxyCARevocationCheck chain foo')).toBe(refused(5, "SSLProxyCARevocationCheck: Invalid argument 'foo'"));
    expect(stderrOf('SSLOCSPEnable maybe')).toBe(refused(5, "SSLOCSPEnable: Invalid argument 'maybe'"));
    expect(stderrOf('SSLCARevocationCheck chain no_crl_for_cert_ok\nSSLOCSPEnable leaf no_ocsp_for_cert_ok')).toBe('Syntax OK\n');
  });
  it('SSLSessionCache and SSLStaplingCache run the provider\'s argument checks (socache_shmcb_create, socache_mc_create)', () => {
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x(100)')).toBe(refused(5, 'SSLSessionCache: Invalid argument: size has to be >= 8192 bytes'));
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x()')).toBe(refused(5, 'SSLSessionCache: Invalid argument: size has to be >= 8192 bytes'));
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x(abc)')).toBe(refused(5, 'SSLSessionCache: Invalid argument: cache size not numerical'));
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x(512000')).toBe(
      refused(5, 'SSLSessionCache: Invalid argument: no closing parenthesis or cache size missing after pathname with parenthesis'),
    );
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x512000)')).toBe(refused(5, 'SSLSessionCache: Invalid argument: no opening parenthesis'));
    // A negative size wraps in shmcb's unsigned size, like one beyond it.
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x(-9000)')).toBe(refused(5, 'SSLSessionCache: Invalid argument: size has to be < 4294967295 bytes on this platform'));
    expect(stderrOf('SSLSessionCache shmcb:/tmp/x(99999999999)')).toBe(refused(5, 'SSLSessionCache: Invalid argument: size has to be < 4294967295 bytes on this platform'));
    expect(stderrOf('SSLStaplingCache default:/tmp/x(10)')).toBe(refused(5, 'SSLStaplingCache: Invalid argument: size has to be >= 8192 bytes'));
    const withMemcache = `LoadModule socache_memcache_module ${M}/mod_socache_memcache.so\nSSLSessionCache memcache:`;
    expect(stderrOf(withMemcache)).toBe(refused(6, 'SSLSessionCache: List of server names required to create memcache socache.'));
    expect(stderrOf('SSLSessionCache shmcb:/run/apache2/ssl_scache(512000)\nSSLStaplingCache shmcb:/tmp/a(1)b(+9000)\nSSLSessionCache shmcb')).toBe('Syntax OK\n');
  });
  it('SSLRandomSeed, SSLPassPhraseDialog, SSLCompression, SSLRenegBufferSize', () => {
    expect(stderrOf('SSLRandomSeed later builtin')).toBe(refused(5, 'SSLRandomSeed: invalid context: `later\''));
    expect(stderrOf('SSLRandomSeed startup nope')).toBe(refused(5, "SSLRandomSeed: source path '/etc/apache2/nope' does not exist"));
    expect(stderrOf('SSLRandomSeed startup builtin 512')).toBe(refused(5, 'SSLRandomSeed: byte specification not allowed for builtin seed source'));
    expect(stderrOf('SSLRandomSeed STARTUP BUILTIN\nSSLRandomSeed connect file:/dev/urandom 512')).toBe('Syntax OK\n');
    expect(stderrOf('SSLPassPhraseDialog foo')).toBe(refused(5, 'SSLPassPhraseDialog: Invalid argument'));
    expect(stderrOf('SSLPassPhraseDialog exec:/nonexistent/bin')).toBe(refused(5, "SSLPassPhraseDialog: file '/nonexistent/bin' does not exist"));
    expect(stderrOf('SSLPassPhraseDialog exec:/bin/true\nSSLPassPhraseDialog |/bin/cat')).toBe('Syntax OK\n');
    expect(stderrOf('SSLCompression on')).toBe(refused(5, 'This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression.'));
    expect(stderrOf('<Location /a>\nSSLRenegBufferSize -5\n</Location>')).toBe(refused(6, 'Invalid size for SSLRenegBufferSize: -5'));
  });
  it('SSLVerifyClient words are case-insensitive; SSLRequire is an ap_expr; SSLRequireSSL ignores arguments', () => {
    expect(stderrOf('SSLVerifyClient Require')).toBe('Syntax OK\n');
    expect(stderrOf('<Location /a>\nSSLRequire %{SSL_CIPHER} =~ /(/\n</Location>')).toBe(refused(6, 'SSLRequire: Failed to compile regular expression'));
    expect(stderrOf('<Location /a>\nSSLRequireSSL on\n</Location>')).toBe('Syntax OK\n');
  });
  it('SSLOpenSSLConfCmd knows the commands of OpenSSL 3.0 and checks file and directory values', () => {
    expect(stderrOf('SSLOpenSSLConfCmd Foo bar')).toBe(refused(5, "'Foo': invalid OpenSSL configuration command"));
    expect(stderrOf('SSLOpenSSLConfCmd no_ssl3 x')).toBe(refused(5, "'no_ssl3': invalid OpenSSL configuration command"));
    expect(stderrOf('SSLOpenSSLConfCmd DHParameters /nonexistent')).toBe(refused(5, "SSLOpenSSLConfCmd: file '/nonexistent' does not exist or is empty"));
    expect(stderrOf('SSLOpenSSLConfCmd ChainCAPath /nonexistent')).toBe(refused(5, "SSLOpenSSLConfCmd: directory '/nonexistent' does not exist"));
    expect(stderrOf('SSLOpenSSLConfCmd curves X25519\nSSLOpenSSLConfCmd ChainCAStore /nonexistent')).toBe('Syntax OK\n');
  });
});
