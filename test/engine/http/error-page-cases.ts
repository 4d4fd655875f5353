/**
 * Requests that make a real httpd answer with one of its own error pages, under a few server
 * configurations. record-httpd-error-pages.ts stores the answers in fixtures/httpd-error-pages.json;
 * error-page.test.ts rebuilds each one with the emulator and compares them byte for byte (Date aside).
 */

/** One httpd configuration; DEAD, SILENT and PLAIN stand for backend ports filled in when recording. */
export interface ErrorPageSetup {
  modules: string[];
  config: string;
}

export interface ErrorPageCase {
  setup: keyof typeof ERROR_PAGE_SETUPS;
  request: string;
}

const PROXY_CONFIG = `
Redirect permanent /moved http://example.com/new
Redirect /temp http://example.com/t?a=1&b=<x>
Redirect seeother /other http://example.com/o
Redirect 307 /t307 http://example.com/307
Redirect 308 /t308 http://example.com/308
Redirect gone /gone
<Location /denied>
  Require all denied
</Location>
<Location /small>
  LimitRequestBody 10
</Location>
ProxyPass /dead http://127.0.0.1:DEAD/
ProxyPass /silent http://127.0.0.1:SILENT/ timeout=1
ProxyPass /wss-plain wss://127.0.0.1:PLAIN/
ProxyPass /nohandler ftp://127.0.0.1:PLAIN/
TraceEnable off
`;

const PROXY_MODULES = ['alias', 'proxy', 'proxy_http', 'socache_shmcb', 'ssl'];

export const ERROR_PAGE_SETUPS = {
  /** Debian's conf-enabled/security.conf: ServerTokens OS, ServerSignature On. */
  debian: { modules: PROXY_MODULES, config: `ServerTokens OS\nServerSignature On\nSSLProxyEngine on\n${PROXY_CONFIG}` },
  /** httpd's own defaults: no signature at all. */
  unsigned: { modules: PROXY_MODULES, config: `SSLProxyEngine on\n${PROXY_CONFIG}` },
  email: { modules: ['alias'], config: 'ServerSignature EMail\nServerAdmin webmaster@example.com\nRedirect /temp http://example.com/t' },
  prod: { modules: ['alias'], config: 'ServerTokens Prod\nServerSignature On\nRedirect /temp http://example.com/t' },
} satisfies Record<string, ErrorPageSetup>;

const close = (path: string, host = 'a.test', method = 'GET', extra = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;

export const ERROR_PAGE_CASES: Record<string, ErrorPageCase> = {
  '301': { setup: 'debian', request: close('/moved/x', 'a.test:8080') },
  '302-escaped-location': { setup: 'debian', request: close('/temp') },
  '303': { setup: 'debian', request: close('/other') },
  '307': { setup: 'debian', request: close('/t307') },
  '308': { setup: 'debian', request: close('/t308') },
  '400-missing-host': { setup: 'debian', request: 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n' },
  '400-field-too-long': { setup: 'debian', request: `GET / HTTP/1.1\r\nHost: a.test\r\nX: ${'x'.repeat(8200)}\r\n\r\n` },
  '400-too-many-fields': {
    setup: 'debian',
    request: `GET / HTTP/1.1\r\nHost: a.test\r\n${Array.from({ length: 101 }, (_, index) => `X-${index}: v\r\n`).join('')}\r\n`,
  },
  '403': { setup: 'debian', request: close('/denied') },
  '404': { setup: 'debian', request: close('/nothing', 'localhost:8080') },
  '404-head': { setup: 'debian', request: close('/nothing', 'a.test', 'HEAD') },
  '404-http10-keepalive': { setup: 'debian', request: 'GET /nothing HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' },
  '404-keepalive': { setup: 'debian', request: 'GET /nothing HTTP/1.1\r\nHost: a.test\r\n\r\n' },
  '405-trace': { setup: 'debian', request: close('/', 'a.test', 'TRACE') },
  '410': { setup: 'debian', request: close('/gone') },
  '413': { setup: 'debian', request: close('/small', 'a.test', 'POST', 'Content-Length: 20\r\n').replace(/\r\n\r\n$/, '\r\n\r\n01234567890123456789') },
  '414': { setup: 'debian', request: `GET /${'a'.repeat(8200)} HTTP/1.1\r\nHost: a.test\r\n\r\n` },
  '417': { setup: 'debian', request: close('/', 'a.test', 'GET', 'Expect: nothing\r\n') },
  '500-no-handler': { setup: 'debian', request: close('/nohandler') },
  '500-ssl-handshake': { setup: 'debian', request: close('/wss-plain') },
  '501': { setup: 'debian', request: close('/', 'a.test', 'FOO') },
  '502-timeout': { setup: 'debian', request: close('/silent') },
  '503': { setup: 'debian', request: close('/dead') },
  'unsigned-404': { setup: 'unsigned', request: close('/nothing') },
  'unsigned-503': { setup: 'unsigned', request: close('/dead') },
  'email-404': { setup: 'email', request: close('/nothing', 'a.test:81') },
  'email-302': { setup: 'email', request: close('/temp') },
  'prod-404': { setup: 'prod', request: close('/nothing') },
};
