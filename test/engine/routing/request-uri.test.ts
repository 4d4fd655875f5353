import { describe, expect, it } from 'vitest';
import type { AllowEncodedSlashes } from '../../../sandbox/engine/config/model.ts';
import { normalizePath, parseRequestTarget, resolveUri, unescapePath } from '../../../sandbox/engine/routing/request-uri.ts';

function uriOf(target: string, allowEncodedSlashes: AllowEncodedSlashes = 'off') {
  const parsed = parseRequestTarget(target, false, 'GET');
  if (!parsed) throw new Error('unparsable target in test');
  return resolveUri(parsed, { mergeSlashes: true, allowEncodedSlashes, client: '127.0.0.1:5000' });
}

describe('parseRequestTarget (ap_parse_uri)', () => {
  it('splits the path and the query string', () => {
    expect(parseRequestTarget('/ws/chat?x=1&y', false, 'GET')).toEqual({
      unparsedUri: '/ws/chat?x=1&y',
      hostname: null,
      port: null,
      portText: null,
      scheme: null,
      absolute: null,
      rawPath: '/ws/chat',
      args: 'x=1&y',
    });
  });

  it('takes the host of an absolute-form target in the connection scheme', () => {
    expect(parseRequestTarget('http://a.test:8080/ws/abs', false, 'GET')).toMatchObject({
      hostname: 'a.test',
      port: 8080,
      rawPath: '/ws/abs',
    });
  });

  it('ignores the host of an absolute-form target in another scheme', () => {
    expect(parseRequestTarget('https://a.test/x', false, 'GET')).toMatchObject({ hostname: null, rawPath: '/x' });
  });

  it('uses / for an absolute-form target without a path', () => {
    expect(parseRequestTarget('http://a.test', false, 'GET')).toMatchObject({ rawPath: '/' });
  });

  it('drops a fragment', () => {
    expect(parseRequestTarget('/a#frag', false, 'GET')).toMatchObject({ rawPath: '/a', args: null });
  });

  it('keeps the scheme as written, also for schemes other than http and without "//"', () => {
    expect(parseRequestTarget('ws://a.test/ws/', false, 'GET')).toMatchObject({
      scheme: 'ws',
      hostname: null,
      absolute: { scheme: 'ws', host: 'a.test', port: null },
      rawPath: '/ws/',
    });
    expect(parseRequestTarget('http:/app/x', false, 'GET')).toMatchObject({ scheme: 'http', hostname: null, rawPath: '/app/x' });
    expect(parseRequestTarget('HTTP://A.test:080/x', false, 'GET')).toMatchObject({ scheme: 'HTTP', hostname: 'A.test', port: 80, portText: '080' });
  });

  it('takes an empty authority as an empty host name', () => {
    expect(parseRequestTarget('http:///app/x', false, 'GET')).toMatchObject({ hostname: '', rawPath: '/app/x' });
  });
});

describe('normalizePath (ap_normalize_path)', () => {
  it('removes /./ segments', () => {
    expect(normalizePath('/ws/./chat', true)).toBe('/ws/chat');
  });

  it('resolves /x/../ segments', () => {
    expect(normalizePath('/ws/x/../../y', true)).toBe('/y');
  });

  it('refuses .. above the root', () => {
    expect(normalizePath('/../x', true)).toBeNull();
  });

  it('merges repeated slashes when MergeSlashes is on', () => {
    expect(normalizePath('/ws//chat', true)).toBe('/ws/chat');
  });

  it('keeps repeated slashes when MergeSlashes is off', () => {
    expect(normalizePath('/ws//chat', false)).toBe('/ws//chat');
  });

  it('decodes unreserved characters and treats %2e%2e as ..', () => {
    expect(normalizePath('/ws/%2e%2e/x', true)).toBe('/x');
    expect(normalizePath('/ws/%7euser/%41', true)).toBe('/ws/~user/A');
  });

  it('fails on a bad %-escape', () => {
    expect(normalizePath('/ws/%zz', true)).toBeNull();
  });
});

describe('unescapePath (ap_unescape_url_ex)', () => {
  it('decodes reserved characters', () => {
    expect(unescapePath('/a%20b%3Fc', false, false)).toEqual({ path: '/a b?c', status: 200 });
  });

  it('answers 404 for an encoded slash when AllowEncodedSlashes is off', () => {
    expect(unescapePath('/a%2Fb', false, false).status).toBe(404);
  });

  it('keeps %2F encoded when AllowEncodedSlashes is on without decoding', () => {
    expect(unescapePath('/a%2Fb', true, false)).toEqual({ path: '/a%2Fb', status: 200 });
  });

  it('answers 404 for an encoded NUL', () => {
    expect(unescapePath('/a%00b', false, false).status).toBe(404);
  });
});

describe('resolveUri', () => {
  it('answers 400 with AH10244 for a bad escape, as measured on httpd 2.4.71', () => {
    expect(uriOf('/ws/%zz')).toEqual({
      ok: false,
      status: 400,
      log: [{ module: 'core', level: 'error', code: 'AH10244', message: 'invalid URI path (/ws/%zz)', client: '127.0.0.1:5000' }],
    });
  });

  it('answers 404 with AH00026 for %2F', () => {
    expect(uriOf('/ws/a%2Fb')).toEqual({
      ok: false,
      status: 404,
      log: [
        {
          module: 'core',
          level: 'info',
          code: 'AH00026',
          message: "found %2f (encoded '/') in URI path (/ws/a%2Fb), returning 404",
          client: '127.0.0.1:5000',
        },
      ],
    });
  });

  it('turns /ws/a%20b into the decoded path /ws/a b', () => {
    expect(uriOf('/ws/a%20b')).toMatchObject({ ok: true, uri: '/ws/a b' });
  });
});

describe('resolveUri with AllowEncodedSlashes (measured on httpd 2.4.71, scenarios 260-262)', () => {
  it('NoDecode keeps %2F and %2f as written and decodes %252F once', () => {
    expect(uriOf('/c/a%2Fb', 'nodecode')).toMatchObject({ ok: true, uri: '/c/a%2Fb' });
    expect(uriOf('/c/a%2fb', 'nodecode')).toMatchObject({ ok: true, uri: '/c/a%2fb' });
    expect(uriOf('/c/a%252Fb', 'nodecode')).toMatchObject({ ok: true, uri: '/c/a%2Fb' });
  });

  it('NoDecode does not treat "..%2F" as a dot segment', () => {
    expect(uriOf('/c/x/..%2F..%2Fy', 'nodecode')).toMatchObject({ ok: true, uri: '/c/x/..%2F..%2Fy' });
  });

  it('On decodes %2F and normalises the result again', () => {
    expect(uriOf('/c/a%2Fb', 'on')).toMatchObject({ ok: true, uri: '/c/a/b' });
    expect(uriOf('/c/x/..%2F..%2Fy', 'on')).toMatchObject({ ok: true, uri: '/y' });
  });

  it('does not decode unreserved characters in the second normalisation (%2541 stays %41)', () => {
    expect(uriOf('/c/a%2541', 'on')).toMatchObject({ ok: true, uri: '/c/a%41' });
  });

  it('keeps what the second normalisation made of a path that climbs above the root', () => {
    expect(uriOf('/a/..%2F..%2Fb', 'on')).toMatchObject({ ok: true, uri: '/b' });
  });

  it('refuses %00 with 404 in every mode, logging AH00026 only when Off', () => {
    expect(uriOf('/c/a%00b', 'nodecode')).toEqual({ ok: false, status: 404, log: [] });
    expect(uriOf('/c/a%00b', 'on')).toEqual({ ok: false, status: 404, log: [] });
    expect(uriOf('/c/a%00b', 'off')).toMatchObject({ ok: false, status: 404, log: [{ code: 'AH00026' }] });
  });

  it('answers a bad escape with 400 AH10244 whatever the mode', () => {
    for (const mode of ['on', 'off', 'nodecode'] as const) {
      expect(uriOf('/c/a%zzb', mode)).toMatchObject({ ok: false, status: 400, log: [{ code: 'AH10244' }] });
    }
  });
});
