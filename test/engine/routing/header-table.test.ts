import { describe, expect, it } from 'vitest';
import { HeaderTable, hasToken } from '../../../sandbox/engine/routing/header-table.ts';

describe('HeaderTable (apr_table_t semantics)', () => {
  it('folds repeated headers into the first occurrence like apr_table_compress', () => {
    const table = new HeaderTable([['Accept', 'a'], ['X-Dup', '1'], ['accept', 'b']]);
    table.compress();
    expect(table.toPairs()).toEqual([['Accept', 'a, b'], ['X-Dup', '1']]);
  });

  it('sets in place, keeping the first spelling and dropping later duplicates', () => {
    const table = new HeaderTable([['x-a', '1'], ['Other', 'o'], ['X-A', '2']]);
    table.set('X-A', 'new');
    expect(table.toPairs()).toEqual([['x-a', 'new'], ['Other', 'o']]);
  });

  it('appends a set header that was absent', () => {
    const table = new HeaderTable([['Host', 'h']]);
    table.set('X-Set', 'one');
    expect(table.toPairs()).toEqual([['Host', 'h'], ['X-Set', 'one']]);
  });

  it('merges into the first entry, as X-Forwarded-For is appended to the client value', () => {
    const table = new HeaderTable([['X-Forwarded-For', '10.0.0.1']]);
    table.merge('X-Forwarded-For', '127.0.0.1');
    expect(table.get('x-forwarded-for')).toBe('10.0.0.1, 127.0.0.1');
  });

  it('removes every entry on unset', () => {
    const table = new HeaderTable([['A', '1'], ['a', '2'], ['B', '3']]);
    table.unset('A');
    expect(table.toPairs()).toEqual([['B', '3']]);
  });
});

describe('hasToken', () => {
  it('finds upgrade in Firefox\'s "keep-alive, Upgrade"', () => {
    expect(hasToken('keep-alive, Upgrade', 'upgrade')).toBe(true);
    expect(hasToken('keep-alive', 'upgrade')).toBe(false);
  });
});
