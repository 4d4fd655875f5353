/**
 * Run scenarios on one side and print what happened, to write a scenario's `expect` from a real
 * measurement rather than from memory:
 *
 *   node test/differential/measure.ts [--side httpd|wslab] [scenario-name-prefix ...]
 *
 * Prints each probe's normalised outcome (ports and paths as ${NAME} placeholders) and whether it
 * meets the scenario's current `expect`.
 */
import { runScenarioSide } from './harness/run-scenario-side.ts';
import type { Side } from './harness/run-scenario-side.ts';
import { loadScenarios } from './harness/scenario-files.ts';

const args = process.argv.slice(2);
let side: Side = 'httpd';
const sideIndex = args.indexOf('--side');
if (sideIndex !== -1) {
  side = args[sideIndex + 1] === 'wslab' ? 'wslab' : 'httpd';
  args.splice(sideIndex, 2);
}

const selected = loadScenarios().filter((scenario) => args.length === 0 || args.some((prefix) => scenario.name.startsWith(prefix)));
for (const scenario of selected) {
  const started = Date.now();
  const result = await runScenarioSide(scenario, side);
  console.log(`\n=== ${scenario.name} (${side}, ${Date.now() - started} ms)`);
  console.log(JSON.stringify(result, null, 2));
}
process.exit(0);
