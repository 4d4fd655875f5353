import { describe, expect, it } from 'vitest';
import { checkStartup, configtest } from '../../../sandbox/engine/config/index.ts';

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
