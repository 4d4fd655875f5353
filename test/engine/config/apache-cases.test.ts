import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';
import { captureOptions, normalizeLogPrefixes } from './debian-file-system.ts';

interface ApacheCase {
  name: string;
  text: string;
  stderr: string;
  exitCode: number;
}

// Each case's expected output was captured from the real apache2 2.4.71 by fixtures/capture-apache.ts.
const cases: ApacheCase[] = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'apache-cases.json'), 'utf8'));

describe('configtest reproduces apache2 -t for every captured case', () => {
  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const result = configtest(entry.text, captureOptions(entry.name));
    expect(normalizeLogPrefixes(result.stderr)).toBe(normalizeLogPrefixes(entry.stderr));
    expect(result.exitCode).toBe(entry.exitCode);
    expect(result.stdout).toBe('');
  });
});
