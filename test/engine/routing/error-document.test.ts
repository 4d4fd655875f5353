import { describe, expect, it } from 'vitest';
import { chooseErrorDocument, errorDocumentIndex, isUrl, proxyShouldOverride } from '../../../sandbox/engine/http/error-document.ts';
import { buildErrorResponse } from '../../../sandbox/engine/http/error-page.ts';
import { routeRequest } from '../../../sandbox/engine/routing/index.ts';
import { configFrom, request } from './route-fixtures.ts';

const SERVER = `
ErrorDocument 404 "Nothing here"
ErrorDocument 503 "server level"
ProxyErrorOverride On 502
<Location /text/>
    ProxyPass http://127.0.0.1:9/text/
    ErrorDocument 503 "Backend is down, try later"
    ProxyErrorOverride On 500
</Location>
<Location /ext/>
    ProxyPass http://127.0.0.1:9/ext/
    ErrorDocument 503 https://status.example.com/
    ProxyErrorOverride Off
</Location>
<Location /local/>
    ProxyPass http://127.0.0.1:9/local/
    ErrorDocument 503 /errors/503.html
</Location>
<Location /default/>
    ProxyPass http://127.0.0.1:9/default/
    ErrorDocument 503 default
</Location>
`;

describe('ErrorDocument and ProxyErrorOverride in the routing decision', () => {
  const config = configFrom(SERVER);
  const contextOf = (path: string) => routeRequest(config, request(path)).responseContext;

  it('classifies the forms as core.c set_error_document does and merges per status', () => {
    const docs = (path: string) => contextOf(path).errorDocuments;
    expect(chooseErrorDocument(503, docs('/text/a'))).toEqual({ kind: 'message', text: 'Backend is down, try later' });
    expect(chooseErrorDocument(503, docs('/ext/a'))).toEqual({ kind: 'redirect', location: 'https://status.example.com/' });
    expect(chooseErrorDocument(503, docs('/local/a'))).toEqual({ kind: 'local', path: '/errors/503.html' });
    expect(chooseErrorDocument(503, docs('/default/a'))).toEqual({ kind: 'canned' });
    // A Location's 503 overlays the server's table; the server's 404 stays.
    expect(chooseErrorDocument(404, docs('/text/a'))).toEqual({ kind: 'message', text: 'Nothing here' });
    expect(chooseErrorDocument(404, docs('/nothing'))).toEqual({ kind: 'message', text: 'Nothing here' });
    expect(chooseErrorDocument(502, docs('/nothing'))).toEqual({ kind: 'canned' });
  });

  it('merges ProxyErrorOverride: nearest On/Off, codes appended', () => {
    const text = contextOf('/text/a').proxyErrorOverride;
    expect(text).toEqual({ on: true, codes: [500, 502] });
    expect(proxyShouldOverride(text, 500)).toBe(true);
    expect(proxyShouldOverride(text, 404)).toBe(false);
    const ext = contextOf('/ext/a').proxyErrorOverride;
    expect(proxyShouldOverride(ext, 502)).toBe(false);
    expect(proxyShouldOverride({ on: true, codes: [] }, 404)).toBe(true);
    expect(proxyShouldOverride({ on: true, codes: [] }, 302)).toBe(false);
    expect(proxyShouldOverride(undefined, 500)).toBe(false);
  });

  it('evaluates the value as an ap_expr string, and tells a bad target apart', () => {
    const at = configFrom('<Location /x/>\n    ErrorDocument 404 "Missing: %{REQUEST_URI}"\n</Location>');
    const context = routeRequest(at, request('/x/y')).responseContext;
    expect(chooseErrorDocument(404, context.errorDocuments, context.expr)).toEqual({ kind: 'message', text: 'Missing: /x/y' });
    const source = { file: 'f', line: 1 };
    expect(chooseErrorDocument(404, { 404: { kind: 'local', value: '%{HTTP:X-None}', source } }, context.expr)).toEqual({ kind: 'invalid', value: '' });
  });

  it('uses 500\'s entry for a status without a reason phrase; ap_is_url needs only a scheme and ":"', () => {
    expect(errorDocumentIndex(599)).toBe(500);
    expect(errorDocumentIndex(503)).toBe(503);
    expect(isUrl('mailto:admin@example.com')).toBe(true);
    expect(isUrl('https://status.example.com/')).toBe(true);
    expect(isUrl('/errors/503.html')).toBe(false);
    expect(isUrl(':x')).toBe(false);
  });

  it('ignores a full URL for 401, keeps "default", refuses an unsupported code', () => {
    const ignored = configFrom('ErrorDocument 401 https://login.example.com/\nErrorDocument 403 default');
    const context = routeRequest(ignored, request('/')).responseContext;
    expect(context.errorDocuments?.[401]).toBeUndefined();
    expect(chooseErrorDocument(403, context.errorDocuments)).toEqual({ kind: 'canned' });
    expect(() => configFrom('ErrorDocument 299 "x"')).toThrow(/Unsupported HTTP response code 299/);
    expect(() => configFrom('ProxyErrorOverride Off 500')).toThrow(/status codes must follow a value of 'on'/);
  });
});

describe('error pages for an ErrorDocument', () => {
  it('sends a message as the whole body with the canned headers', () => {
    const response = buildErrorResponse({ status: 503, serverName: 'localhost', port: 80, customMessage: 'Backend is down, try later' });
    expect(response.body).toBe('Backend is down, try later');
    expect(response.headers).toContainEqual(['Content-Length', '26']);
    expect(response.headers).toContainEqual(['Content-Type', 'text/html; charset=iso-8859-1']);
  });

  it('adds the "Additionally" paragraph when the ErrorDocument itself failed', () => {
    const response = buildErrorResponse({ status: 503, serverName: 'localhost', port: 80, recursiveError: 503 });
    expect(response.body).toContain(
      '<p>Additionally, a 503 Service Unavailable\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n</body></html>\n',
    );
    expect(response.body.length).toBe(468);
  });
});
