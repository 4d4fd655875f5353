import { describe, expect, it } from 'vitest';
import { httpdOsError } from '../../sandbox/server/os-error.ts';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('httpdOsError', () => {
  it('prints errno and strerror text as httpd does', () => {
    expect(httpdOsError(failure('ENOENT'))).toBe('(2)No such file or directory');
    expect(httpdOsError(failure('EACCES'))).toBe('(13)Permission denied');
    expect(httpdOsError(failure('EADDRINUSE'))).toBe('(98)Address already in use');
    expect(httpdOsError(failure('ECONNREFUSED'))).toBe('(111)Connection refused');
  });

  it('keeps the name of an error Node has no errno for', () => {
    expect(httpdOsError(failure('ERR_SOCKET_CLOSED'))).toBe('(ERR_SOCKET_CLOSED)');
    expect(httpdOsError(new Error('no code'))).toBe('(unknown)');
  });
});
