import { describe, expect, it } from 'vitest';
import { parseRequestTarget, requestPathOf } from '../../../sandbox/engine/http/request-target.ts';

describe('parseRequestTarget', () => {
  it('splits an origin-form target into path, query and fragment', () => {
    expect(parseRequestTarget('/ws/chat?room=1#top')).toEqual({ path: '/ws/chat', query: 'room=1', fragment: 'top' });
  });

  it('collapses leading slashes before parsing, so "//host" is a path, not an authority', () => {
    expect(parseRequestTarget('//chat/x')).toEqual({ path: '/chat/x' });
  });

  it('reads scheme, user info, host and port of an absolute-form target', () => {
    expect(parseRequestTarget('http://user:pw@Example.com:8080/a?b')).toEqual({
      scheme: 'http',
      user: 'user',
      password: 'pw',
      hostname: 'Example.com',
      port: '8080',
      path: '/a',
      query: 'b',
    });
    expect(parseRequestTarget('http://[::1]:81/')).toEqual({ scheme: 'http', hostname: '::1', port: '81', path: '/' });
  });

  it('fails like apr_uri_parse on a bad port or a colon in a first relative segment', () => {
    expect(parseRequestTarget('http://host:80x/')).toBeNull();
    expect(parseRequestTarget('a:b/c')).not.toBeNull(); // "a" is a scheme here
    expect(parseRequestTarget('1a:b')).toBeNull();
    expect(parseRequestTarget('http://[::1/')).toBeNull();
  });

  it('parses a CONNECT target as host and port only', () => {
    expect(parseRequestTarget('example.com:443', true)).toEqual({ hostname: 'example.com', port: '443' });
  });
});

describe('requestPathOf', () => {
  it('defaults to "/" without a path, and to "*" for OPTIONS', () => {
    expect(requestPathOf({ query: 'x' }, 'GET')).toBe('/');
    expect(requestPathOf({ scheme: 'http', hostname: 'h' }, 'OPTIONS')).toBe('*');
    expect(requestPathOf({ path: '/a' }, 'GET')).toBe('/a');
  });
});
