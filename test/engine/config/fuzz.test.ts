import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configtest, parseConfig } from '../../../sandbox/engine/config/index.ts';

/** mulberry32: small seeded PRNG so a failing mutation can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixtures = join(import.meta.dirname, 'fixtures');
const corpus: string[] = [
  ...readdirSync(fixtures)
    .filter((file) => file.endsWith('.conf'))
    .map((file) => readFileSync(join(fixtures, file), 'utf8')),
  ...(JSON.parse(readFileSync(join(fixtures, 'apache-cases.json'), 'utf8')) as Array<{ text: string }>).map((entry) => entry.text),
];

const INSERTIONS = ['"', "'", '\\', '${', '}', '<', '>', '</Location>', '<Location /x>', '#', '\n', '\r\n', '\\\n', '\0', ' ', '\t', '=', '[', ']', '%{', '~', '!', '日本', '<IfModule !x>', '</IfModule>', '<VirtualHost *:80>', '</VirtualHost>', 'ProxyPass ', 'Require not ', 'Include ', '${APACHE_LOG_DIR}'];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const position = Math.floor(random() * (text.length + 1));
  const lines = text.split('\n');
  const lineIndex = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 7)) {
    case 0: // byte flip
      return text.slice(0, position) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(position + 1);
    case 1: // delete a line
      lines.splice(lineIndex, 1);
      return lines.join('\n');
    case 2: // duplicate a line
      lines.splice(lineIndex, 0, lines[lineIndex] ?? '');
      return lines.join('\n');
    case 3: // insert something syntactically meaningful
      return text.slice(0, position) + pick(INSERTIONS) + text.slice(position);
    case 4: // truncate
      return text.slice(0, position);
    case 5: // swap two lines
      {
        const other = Math.floor(random() * lines.length);
        [lines[lineIndex], lines[other]] = [lines[other], lines[lineIndex]];
      }
      return lines.join('\n');
    default: // splice in a line from another config
      {
        const donor = pick(corpus).split('\n');
        lines.splice(lineIndex, 0, pick(donor));
      }
      return lines.join('\n');
  }
}

const MUTATIONS = 100_000;

describe('parser robustness', () => {
  it(`survives ${MUTATIONS} seeded mutations with valid diagnostic positions`, () => {
    const random = prng(20261124);
    const failures: string[] = [];
    let withErrors = 0;
    for (let round = 0; round < MUTATIONS && failures.length < 5; round++) {
      let text = corpus[round % corpus.length];
      const steps = 1 + Math.floor(random() * 4);
      for (let step = 0; step < steps; step++) text = mutate(text, random);
      const lineCount = text.split('\n').length;
      try {
        // Every 50th mutation also goes through configtest's rendering.
        const diagnostics = round % 50 === 0 ? configtest(text, { file: '/fuzz.conf', now: new Date(0) }).diagnostics : parseConfig(text, { file: '/fuzz.conf' }).diagnostics;
        if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) withErrors++;
        for (const diagnostic of diagnostics) {
          const valid = diagnostic.file === '/fuzz.conf' && diagnostic.line >= 1 && diagnostic.line <= lineCount && diagnostic.column >= 1 && diagnostic.length >= 1;
          if (!valid) failures.push(`round ${round}: bad position ${JSON.stringify(diagnostic)} in ${JSON.stringify(text)}`);
        }
      } catch (error) {
        failures.push(`round ${round}: threw ${(error as Error).stack} on ${JSON.stringify(text)}`);
      }
    }
    expect(failures).toEqual([]);
    // The mutations must really break configs, or the test proves nothing.
    expect(withErrors).toBeGreaterThan(MUTATIONS / 4);
  }, 120_000);
});
