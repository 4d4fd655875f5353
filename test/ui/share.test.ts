/** Share links: base64url of UTF-8 in the fragment, read back exactly. */
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url, hashWithoutSharedConfig, MAX_SHARED_CONFIG_BYTES, readSharedConfig, shareHash, shareLink } from '../../sandbox/ui/share.ts';

describe('base64url', () => {
  it('matches RFC 4648 section 10 test vectors (url alphabet, no padding)', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
    for (const [text, encoded] of vectors) {
      expect(encodeBase64Url(text)).toBe(encoded);
      expect(decodeBase64Url(encoded)).toBe(text);
    }
  });

  it('uses - and _ and round-trips UTF-8 (Japanese, emoji, control characters)', () => {
    expect(encodeBase64Url('\u00fb\u00ff')).toBe('w7vDvw');
    expect(encodeBase64Url('>>>???')).toBe('Pj4-Pz8_');
    for (const text of ['# 日本語のコメント\nListen 80\n', 'emoji 🚀 and \u0000\t\r\n', 'ProxyPass /ws/ ws://localhost:8080/ upgrade=websocket']) {
      const encoded = encodeBase64Url(text);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decodeBase64Url(encoded)).toBe(text);
    }
  });

  it('accepts standard base64 and padding, refuses garbage and invalid UTF-8', () => {
    expect(decodeBase64Url('Pj4+Pz8/')).toBe('>>>???');
    expect(decodeBase64Url('Zm9vYg==')).toBe('foob');
    expect(decodeBase64Url('Zm9vY')).toBeNull();
    expect(decodeBase64Url('Zm9v!')).toBeNull();
    expect(decodeBase64Url('_w')).toBeNull(); // 0xff alone is not UTF-8
  });
});

describe('share links', () => {
  const config = 'Listen 80\n<VirtualHost *:80>\n    ProxyPass /ws/ ws://localhost:8080/\n</VirtualHost>\n';

  it('puts the config in the fragment of the page URL, replacing any fragment', () => {
    const link = shareLink('http://127.0.0.1:4321/en/lessons/basic-vhost/?runtime=local#exercise', config);
    expect(link.startsWith('http://127.0.0.1:4321/en/lessons/basic-vhost/?runtime=local#wslab-config=')).toBe(true);
    expect(readSharedConfig(new URL(link).hash)).toEqual({ kind: 'config', config });
  });

  it('reads the config among other fragment parameters and leaves those in place', () => {
    const hash = `#foo=1&${shareHash(config).slice(1)}&bar`;
    expect(readSharedConfig(hash)).toEqual({ kind: 'config', config });
    expect(hashWithoutSharedConfig(hash)).toBe('#foo=1&bar');
    expect(hashWithoutSharedConfig(shareHash(config))).toBe('');
  });

  it('ignores fragments without a config and reports damaged or oversized ones', () => {
    expect(readSharedConfig('')).toEqual({ kind: 'none' });
    expect(readSharedConfig('#exercise')).toEqual({ kind: 'none' });
    expect(readSharedConfig('#wslab-config=%%%')).toEqual({ kind: 'invalid', reason: 'encoding' });
    expect(readSharedConfig('#wslab-config=_w')).toEqual({ kind: 'invalid', reason: 'encoding' });
    expect(readSharedConfig(`#wslab-config=${'A'.repeat(MAX_SHARED_CONFIG_BYTES * 2)}`)).toEqual({ kind: 'invalid', reason: 'too-large' });
  });

  it('survives percent-encoding added by tools that re-encode links', () => {
    const encoded = shareHash('a+b/c?').replace(/-/g, '%2D');
    expect(readSharedConfig(encoded)).toEqual({ kind: 'config', config: 'a+b/c?' });
  });
});
