import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configtest } from '../../../sandbox/engine/config/index.ts';
import { captureOptions, normalizeLogPrefixes } from './debian-file-system.ts';

const directory = join(import.meta.dirname, 'fixtures');
const names = readdirSync(directory)
  .filter((file) => file.endsWith('.conf'))
  .map((file) => file.slice(0, -'.conf'.length));

// Learner-facing configs (the article's, and common mistakes) with the output real apache2 gave.
describe('learner fixtures match apache2 -t', () => {
  it.each(names)('%s', (name) => {
    const text = readFileSync(join(directory, `${name}.conf`), 'utf8');
    const expected = readFileSync(join(directory, `${name}.expected.txt`), 'utf8');
    const result = configtest(text, captureOptions(name));
    expect(`${normalizeLogPrefixes(result.stderr)}exit ${result.exitCode}\n`).toBe(normalizeLogPrefixes(expected));
  });
});
