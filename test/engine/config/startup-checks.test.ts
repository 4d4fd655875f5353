import { describe, expect, it } from 'vitest';
import { checkStartup, configtest } from '../../../sandbox/engine/config/index.ts';
import { createTestCertificates } from '../../../sandbox/server/tls/certificates.ts';

const BASE = `LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ServerName x.test
`;

function startup(text: string) {
  const result = configtest(text, { file: '/tmp/x.conf' });
  // These problems are invisible to apache2 -t: the config test passes.
  expect(result.stderr).toBe('Syntax OK\n');
  return result.startup;
}

describe('problems httpd only finds when it starts (measured on 2.4.71)', () => {
  it('refuses to start without any Listen', () => {
    expect(startup(BASE)).toEqual({
      ok: false,
      exitCode: 1,
      lines: [
        { stream: 'stderr', module: '', level: '', text: 'no listening sockets available, shutting down' },
        { stream: 'stderr', module: '', level: '', text: 'AH00015: Unable to open logs' },
      ],
    });
  });

  it('fails to share a balancer when no lbmethod module is loaded', () => {
    const text = `${BASE}LoadModule proxy_balancer_module /usr/lib/apache2/modules/mod_proxy_balancer.so
LoadModule slotmem_shm_module /usr/lib/apache2/modules/mod_slotmem_shm.so
Listen 80
<Proxy balancer://c>
BalancerMember http://127.0.0.1:8080
</Proxy>
ProxyPass /ws/ balancer://c/
`;
    expect(startup(text).lines).toEqual([
      { stream: 'errorLog', module: 'proxy', level: 'crit', text: 'AH02432: Cannot find LB Method: byrequests' },
      { stream: 'errorLog', module: 'proxy_balancer', level: 'emerg', text: '(22)Invalid argument: AH01183: Cannot share balancer' },
      { stream: 'errorLog', module: '', level: 'emerg', text: 'AH00020: Configuration Failed, exiting' },
    ]);
  });

  it('needs mod_slotmem_shm for balancers', () => {
    const text = `${BASE}LoadModule proxy_balancer_module /usr/lib/apache2/modules/mod_proxy_balancer.so
Listen 80
<Proxy balancer://c>
BalancerMember http://127.0.0.1:8080
</Proxy>
`;
    expect(startup(text).lines[0].text).toBe("AH01177: Failed to lookup provider 'shm' for 'slotmem': is mod_slotmem_shm loaded??");
  });

  it('needs a certificate for every TLS virtual host', () => {
    const text = `${BASE}LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
Listen 443
<VirtualHost *:443>
SSLEngine on
</VirtualHost>
`;
    expect(startup(text).lines.map((line) => line.text)).toEqual([
      'AH02572: Failed to configure at least one certificate and key for x.test:443',
      'SSL Library Error: error:0A0000B1:SSL routines::no certificate assigned',
      'AH02312: Fatal error initialising mod_ssl, exiting.',
      'AH00016: Configuration Failed',
    ]);
  });

  it('starts a config with a Listen and nothing wrong', () => {
    expect(startup(`${BASE}Listen 80\nProxyPass / http://localhost:3000/\n`)).toEqual({ ok: true, exitCode: 0, lines: [] });
  });

  it('can be run on a model directly', () => {
    const { config } = configtest(`${BASE}Listen 80\n`, { file: '/tmp/x.conf' });
    expect(config && checkStartup(config).ok).toBe(true);
  });
});

describe('certificate and key files of a TLS virtual host (ssl_init_server_certs, measured on 2.4.71: scenarios 440-448)', () => {
  const pair = createTestCertificates();
  const other = createTestCertificates();
  const files: Record<string, string> = { '/c/cert.pem': pair.cert, '/c/key.pem': pair.key, '/c/other-key.pem': other.key, '/c/both.pem': `${pair.cert}${pair.key}` };
  const fileSystem = { readFile: (path: string) => files[path] ?? null, listDirectory: (path: string) => (path.startsWith('/etc/apache2/logs') ? [] : null) };
  const tls = (lines: string) => `${BASE}LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
Listen 8443
<VirtualHost *:8443>
SSLEngine on
${lines}
</VirtualHost>
`;
  const run = (lines: string) => {
    const result = configtest(tls(lines), { file: '/tmp/x.conf', fileSystem });
    expect(result.stderr).toBe('Syntax OK\n');
    return result.startup;
  };

  it('names the vhost ServerName:443 whatever port it listens on', () => {
    expect(run('').lines[0].text).toBe('AH02572: Failed to configure at least one certificate and key for x.test:443');
  });

  it('starts with a matching pair, and with certificate and key in one file', () => {
    expect(run('SSLCertificateFile /c/cert.pem\nSSLCertificateKeyFile /c/key.pem').ok).toBe(true);
    expect(run('SSLCertificateFile /c/both.pem').ok).toBe(true);
  });

  it('refuses a certificate file without a certificate (AH02562)', () => {
    expect(run('SSLCertificateFile /c/key.pem').lines.map((line) => line.text.slice(0, 8))).toEqual(['AH02562:', 'SSL Libr', 'SSL Libr', 'AH00016:']);
  });

  it('refuses a key file without a key (AH02579, AH02312, AH02564)', () => {
    const codes = run('SSLCertificateFile /c/cert.pem\nSSLCertificateKeyFile /c/cert.pem').lines.flatMap((line) => line.text.match(/AH\d{5}/g) ?? []);
    expect(codes).toEqual(['AH02579', 'AH02312', 'AH02564', 'AH00016']);
  });

  it('refuses a key that is not the certificate\'s (AH02565)', () => {
    expect(run('SSLCertificateFile /c/cert.pem\nSSLCertificateKeyFile /c/other-key.pem').lines).toEqual([
      { stream: 'errorLog', module: 'ssl', level: 'emerg', text: 'AH02565: Certificate and private key x.test:443:0 from /c/cert.pem and /c/other-key.pem do not match' },
      { stream: 'stderr', module: '', level: '', text: 'AH00016: Configuration Failed' },
    ]);
  });
});
