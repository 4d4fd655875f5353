import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSimulatedDirectivesMarkdown } from '../../sandbox/cli/directives-command.ts';

// The README promises the list of supported directives; it is generated from the engine's table
// (`npx wslab directives --markdown`) and this test keeps the two from drifting apart.
describe('README directive table', () => {
  it('matches what the engine simulates', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- directives:start -->\n([\s\S]*?)\n<!-- directives:end -->/.exec(readme)?.[1];
    expect(block, 'README.md needs the directives:start/end markers').toBeDefined();
    expect(block).toBe(renderSimulatedDirectivesMarkdown());
  });
});
