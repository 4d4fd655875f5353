import { describe, expect, it } from 'vitest';
import { aliasMatch, aliasMatchServlet } from '../../../sandbox/engine/routing/alias-match.ts';

describe('aliasMatch (mod_proxy alias_match)', () => {
  it('consumes only the prefix when ProxyPass /ws has no trailing slash, leaving /chat', () => {
    expect(aliasMatch('/ws/chat', '/ws')).toBe(3);
  });

  it('does not match /wsx against /ws: the prefix must end at a path segment', () => {
    expect(aliasMatch('/wsx', '/ws')).toBe(0);
  });

  it('matches the path equal to the prefix', () => {
    expect(aliasMatch('/ws', '/ws')).toBe(3);
  });

  it('does not match /ws against /ws/: the path is shorter than the prefix', () => {
    expect(aliasMatch('/ws', '/ws/')).toBe(0);
  });

  it('consumes the trailing slash of a prefix that has one', () => {
    expect(aliasMatch('/ws/room/1', '/ws/')).toBe(4);
  });

  it('lets one slash in the prefix absorb a run of slashes in the path', () => {
    expect(aliasMatch('/ws///chat', '/ws/')).toBe(6);
  });

  it('matches everything with the prefix /', () => {
    expect(aliasMatch('/anything', '/')).toBe(1);
  });

  it('compares case-sensitively', () => {
    expect(aliasMatch('/WS/chat', '/ws/')).toBe(0);
  });
});

describe('aliasMatchServlet (mapping=servlet)', () => {
  it('ignores path parameters when matching and consumes them from the path as received', () => {
    expect(aliasMatchServlet('/sv;j=1/b', '/sv/')).toEqual({ normalized: '/sv/b', length: 8 });
  });

  it('keeps the parameters of a later segment in the remainder', () => {
    const match = aliasMatchServlet('/sv/a/c;k=3', '/sv/');
    expect(match?.length).toBe(4);
  });

  it('does not match another first segment', () => {
    expect(aliasMatchServlet('/svx/a', '/sv/')).toBeNull();
  });
});
