import { describe, expect, it } from 'vitest';
import type { MpmSettings } from '../../sandbox/engine/config/model.ts';
import { computeMpmLimits } from '../../sandbox/engine/mpm-limits.ts';

const at = { file: 'httpd.conf', line: 1 };
function mpm(module: MpmSettings['module'], values: Partial<Record<'maxRequestWorkers' | 'threadsPerChild' | 'serverLimit' | 'threadLimit', number>>): MpmSettings {
  const setting = (value: number | undefined) => (value === undefined ? null : { value, source: at });
  return {
    module,
    startServers: null,
    minSpareThreads: null,
    maxSpareThreads: null,
    minSpareServers: null,
    maxSpareServers: null,
    threadLimit: setting(values.threadLimit),
    threadsPerChild: setting(values.threadsPerChild),
    maxRequestWorkers: setting(values.maxRequestWorkers),
    maxConnectionsPerChild: null,
    serverLimit: setting(values.serverLimit),
    asyncRequestWorkerFactor: null,
  };
}

// Expected texts were printed by `apache2 -t` (httpd 2.4.71, Debian) for the same settings.
describe('computeMpmLimits', () => {
  it('allows 400 workers with the event defaults', () => {
    expect(computeMpmLimits(mpm('event', {}))).toMatchObject({ maxRequestWorkers: 400, warnings: [] });
  });

  it('keeps MaxRequestWorkers 3 with ThreadsPerChild 3 and ServerLimit 1 (the tuning exercise)', () => {
    expect(computeMpmLimits(mpm('event', { maxRequestWorkers: 3, threadsPerChild: 3, serverLimit: 1 }))).toMatchObject({ maxRequestWorkers: 3, warnings: [] });
  });

  it('rounds MaxRequestWorkers down to a multiple of ThreadsPerChild with AH00513', () => {
    const limits = computeMpmLimits(mpm('event', { maxRequestWorkers: 7, threadsPerChild: 3, serverLimit: 4 }));
    expect(limits.maxRequestWorkers).toBe(6);
    expect(limits.warnings.map((w) => `${w.startup.code}: ${w.startup.message}`)).toEqual([
      'AH00513: WARNING: MaxRequestWorkers of 7 is not an integer multiple of ThreadsPerChild of 3, decreasing to nearest multiple 6, for a maximum of 2 servers.',
    ]);
    expect(limits.warnings[0].errorLog).toEqual({
      code: 'AH00514',
      message: 'MaxRequestWorkers of 7 is not an integer multiple of ThreadsPerChild of 3, decreasing to nearest multiple 6',
    });
  });

  it('caps by ServerLimit with AH00515', () => {
    const limits = computeMpmLimits(mpm('event', { maxRequestWorkers: 100, threadsPerChild: 25, serverLimit: 2 }));
    expect(limits.maxRequestWorkers).toBe(50);
    expect(limits.warnings[0].startup.message).toBe(
      'WARNING: MaxRequestWorkers of 100 would require 4 servers and would exceed ServerLimit of 2, decreasing to 50. To increase, please see the ServerLimit directive.',
    );
  });

  it('lowers ThreadsPerChild to ThreadLimit, then rounds the default 400 (AH00507, AH00513)', () => {
    const limits = computeMpmLimits(mpm('event', { threadsPerChild: 100 }));
    expect(limits.maxRequestWorkers).toBe(384);
    expect(limits.warnings.map((w) => w.startup.code)).toEqual(['AH00507', 'AH00513']);
    expect(limits.warnings[0].startup.message).toBe(
      'WARNING: ThreadsPerChild of 100 exceeds ThreadLimit of 64 threads, decreasing to 64. To increase, please see the ThreadLimit directive.',
    );
  });

  it('raises MaxRequestWorkers to one child of threads with AH00511', () => {
    const limits = computeMpmLimits(mpm('event', { maxRequestWorkers: 2, threadsPerChild: 3 }));
    expect(limits.maxRequestWorkers).toBe(3);
    expect(limits.warnings[0].startup.message).toBe(
      'WARNING: MaxRequestWorkers of 2 is less than ThreadsPerChild of 3, increasing to 3. MaxRequestWorkers must be at least as large as the number of threads in a single server.',
    );
  });

  it('caps prefork by ServerLimit with AH00180', () => {
    const limits = computeMpmLimits(mpm('prefork', { maxRequestWorkers: 300 }));
    expect(limits.maxRequestWorkers).toBe(256);
    expect(limits.warnings[0].startup).toEqual({
      code: 'AH00180',
      message: 'WARNING: MaxRequestWorkers of 300 exceeds ServerLimit value of 256 servers, decreasing MaxRequestWorkers to 256. To increase, please see the ServerLimit directive.',
    });
  });
});
