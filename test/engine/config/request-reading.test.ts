import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../sandbox/engine/config/index.ts';
import { requestReadingSettings } from '../../../sandbox/engine/config/request-reading.ts';

const FILE = '/etc/apache2/apache2.conf';
const LOADS = ['mpm_event', 'proxy', 'proxy_http', 'authz_core']
  .map((name) => `LoadModule ${name}_module /usr/lib/apache2/modules/mod_${name}.so`)
  .join('\n');

function parse(body: string) {
  return parseConfig(`${LOADS}\n${body}\n`, { file: FILE });
}

function errors(body: string): string[] {
  return parse(body).diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message);
}

describe('request-head limits (core.c set_limit_req_*, config.c ap_init_virtual_host)', () => {
  it('uses httpd\'s defaults when nothing is written', () => {
    const { config } = parse('ServerName a.test');
    expect(requestReadingSettings(config, null)).toMatchObject({ limits: { requestLine: 8190, fieldSize: 8190, fields: 100 }, rejectHttp09: false, strict: true, registeredMethodsOnly: false });
  });

  it('gives a vhost the main server\'s limits as written before its <VirtualHost>, not after (measured: scenario 661)', () => {
    const { config } = parse('LimitRequestLine 60\n<VirtualHost *:80>\nLimitRequestFields 4\n</VirtualHost>\nLimitRequestFieldSize 30\n<VirtualHost *:81>\n</VirtualHost>');
    expect(requestReadingSettings(config, null).limits).toEqual({ requestLine: 60, fieldSize: 30, fields: 100 });
    expect(requestReadingSettings(config, 0).limits).toEqual({ requestLine: 60, fieldSize: 8190, fields: 4 });
    expect(requestReadingSettings(config, 1).limits).toEqual({ requestLine: 60, fieldSize: 30, fields: 100 });
  });

  it('atoi()s the value: words are 0, a negative number is refused', () => {
    const { config } = parse('LimitRequestFields abc');
    expect(requestReadingSettings(config, null).limits.fields).toBe(0);
    expect(errors('LimitRequestLine -1')).toEqual(['LimitRequestLine "-1" must be a non-negative integer']);
  });
});

describe('HttpProtocolOptions (core.c set_http_protocol_options)', () => {
  it('lets a vhost override each choice and inherit the others from the main server', () => {
    const { config } = parse('HttpProtocolOptions Require1.0 RegisteredMethods\n<VirtualHost *:80>\nHttpProtocolOptions LenientMethods\n</VirtualHost>');
    expect(requestReadingSettings(config, 0)).toMatchObject({ rejectHttp09: true, registeredMethodsOnly: false, strict: true });
  });

  it('refuses an unknown word and both sides of a pair, across lines too', () => {
    expect(errors('HttpProtocolOptions Lax')).toEqual([
      "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)",
    ]);
    expect(errors('HttpProtocolOptions Allow0.9 Require1.0')).toEqual(["HttpProtocolOptions 'Allow0.9' and 'Require1.0' are mutually exclusive"]);
    expect(errors('HttpProtocolOptions Strict\nHttpProtocolOptions unsafe')).toEqual(["HttpProtocolOptions 'Strict' and 'Unsafe' are mutually exclusive"]);
    expect(errors('HttpProtocolOptions Strict strict')).toEqual([]);
  });

  it('registers methods from RegisterHttpMethod and from <Limit> names httpd does not know', () => {
    const { config } = parse('RegisterHttpMethod FROB\n<Location /x>\n<Limit BREW GET>\nRequire all granted\n</Limit>\n</Location>');
    expect(requestReadingSettings(config, null).registeredMethods).toEqual(['FROB', 'BREW']);
  });
});
