import { describe, expect, it } from 'vitest';
import { resolveVariables } from '../../../sandbox/engine/config/variables.ts';

const source = (defined: Record<string, string>, environment: Record<string, string> = {}) => ({
  defined: (name: string) => defined[name],
  environment: (name: string) => environment[name],
});

describe('resolveVariables', () => {
  it('prefers Define values over the environment', () => {
    const resolved = resolveVariables('ErrorLog ${DIR}/error.log', source({ DIR: '/defined' }, { DIR: '/env' }));
    expect(resolved.text).toBe('ErrorLog /defined/error.log');
  });

  it('falls back to the environment, as Debian\'s ${APACHE_LOG_DIR} needs', () => {
    expect(resolveVariables('${APACHE_LOG_DIR}/x', source({}, { APACHE_LOG_DIR: '/var/log/apache2' })).text).toBe('/var/log/apache2/x');
  });

  it('keeps an undefined variable literally and reports it', () => {
    const resolved = resolveVariables('a ${NOPE} b', source({}));
    expect(resolved.text).toBe('a ${NOPE} b');
    expect(resolved.undefinedVariables).toEqual([{ name: 'NOPE', offset: 2, length: 7 }]);
  });

  it('does not report names with a colon (mod_rewrite map lookups)', () => {
    expect(resolveVariables('${map:key}', source({})).undefinedVariables).toEqual([]);
  });

  it('leaves a lone $ and an unclosed ${ alone', () => {
    expect(resolveVariables('RewriteRule ^(.*)$ /x$1 ${open', source({})).text).toBe('RewriteRule ^(.*)$ /x$1 ${open');
  });

  it('does not rescan substituted text', () => {
    expect(resolveVariables('${A}', source({ A: '${B}', B: 'no' })).text).toBe('${B}');
  });

  it('maps offsets after a substitution back to the original text', () => {
    const resolved = resolveVariables('X ${LONGNAME} Y', source({ LONGNAME: 'v' }));
    expect(resolved.text).toBe('X v Y');
    expect(resolved.originalOffset(2)).toBe(2);
    expect(resolved.originalOffset(4)).toBe(14);
  });
});
