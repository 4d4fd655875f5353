/**
 * Print what real httpd and wslab do with each lesson exercise's start.conf and solution.conf,
 * check by check, in a private network namespace (root, apache2 and iproute2 needed):
 *
 *   node test/lessons/measure-exercises.ts            # every exercise
 *   node test/lessons/measure-exercises.ts 07 08      # by lesson-folder prefix
 *   WSLAB_KEEP_WORKDIR=1 node test/lessons/measure-exercises.ts 06   # keep configs and logs
 */
import { loadExercises } from './helpers/exercise-files.ts';
import { createNetns, deleteNetnsSync, missingPrerequisites } from './helpers/netns.ts';
import { describeRun, runExercise, SIDES } from './helpers/run-exercise.ts';

const missing = missingPrerequisites();
if (missing.length > 0) {
  console.error(`cannot measure: missing ${missing.join(', ')}`);
  process.exit(1);
}
const prefixes = process.argv.slice(2);
const exercises = loadExercises().filter((exercise) => prefixes.length === 0 || prefixes.some((prefix) => exercise.lesson.startsWith(prefix)));
const netns = createNetns('wslab-measure');
try {
  for (const exercise of exercises) {
    const began = Date.now();
    const results = await runExercise(netns, exercise);
    console.log(`\n=== ${exercise.lesson} (${Date.now() - began} ms)`);
    for (const config of ['start', 'solution'] as const) {
      for (const side of SIDES) console.log(describeRun(results[config][side]));
    }
  }
} finally {
  deleteNetnsSync(netns);
}
