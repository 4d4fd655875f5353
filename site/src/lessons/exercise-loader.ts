/**
 * Content loader for lessons/NN-slug/exercise/: validates exercise.json against the probe contract,
 * joins it with start.conf and solution.conf, and renders the instructions Markdown. One entry per
 * lesson folder, id = folder name.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader } from 'astro/loaders';
import { exerciseFileSchema, type ExerciseEntry } from './schema.ts';
import { displayPath, lessonFile, lessonsDirectory } from './location.ts';
import { parseLessonFolder } from './syllabus.ts';
import { describeIssues } from './validation-message.ts';

const CONFIG_FILES = { startConfig: 'start.conf', solutionConfig: 'solution.conf' } as const;

/** Lesson folders (NN-slug) under the lessons directory, in name order. */
export function listLessonFolders(): string[] {
  return readdirSync(lessonsDirectory())
    .filter((name) => !name.startsWith('.') && statSync(lessonFile(name)).isDirectory())
    .sort();
}

function readExerciseJson(folder: string): unknown {
  const file = displayPath(folder, 'exercise', 'exercise.json');
  const text = readFileSync(lessonFile(folder, 'exercise', 'exercise.json'), 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function readConfig(folder: string, name: string): string {
  const path = lessonFile(folder, 'exercise', name);
  if (!existsSync(path)) {
    throw new Error(
      `${displayPath(folder, 'exercise', name)} is missing. Every exercise needs start.conf (what the learner ` +
        'starts from) and solution.conf (a config that passes every check) beside exercise.json.',
    );
  }
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new Error(`${displayPath(folder, 'exercise', name)} is empty.`);
  return text;
}

export function exerciseLoader(): Loader {
  return {
    name: 'wslab:exercise-loader',
    load: async ({ store, parseData, renderMarkdown, logger, watcher, config }) => {
      async function loadAll(): Promise<void> {
        store.clear();
        for (const folder of listLessonFolders()) {
          const { slug, order } = parseLessonFolder(folder);
          if (!existsSync(lessonFile(folder, 'exercise', 'exercise.json'))) {
            logger.warn(`${displayPath(folder)} has no exercise/exercise.json yet; its lesson page shows no exercise.`);
            continue;
          }
          const parsed = exerciseFileSchema.safeParse(readExerciseJson(folder));
          if (!parsed.success) {
            throw new Error(describeIssues(displayPath(folder, 'exercise', 'exercise.json'), parsed.error));
          }
          const exercise = parsed.data;
          const entry: ExerciseEntry = {
            lesson: slug,
            folder,
            order,
            ...exercise,
            instructionsHtml: {
              en: (await renderMarkdown(exercise.instructions.en)).html,
              ja: (await renderMarkdown(exercise.instructions.ja)).html,
            },
            startConfig: readConfig(folder, CONFIG_FILES.startConfig),
            solutionConfig: readConfig(folder, CONFIG_FILES.solutionConfig),
          };
          const filePath = lessonFile(folder, 'exercise', 'exercise.json');
          store.set({
            id: folder,
            data: await parseData({ id: folder, data: { ...entry }, filePath }),
            // The store wants paths relative to the Astro root (site/).
            filePath: relative(fileURLToPath(config.root), filePath),
          });
        }
      }

      await loadAll();

      // In `astro dev`, edits to exercise files reload the collection as edits to the MDX do.
      if (watcher) {
        watcher.add(lessonsDirectory());
        const reloadOnExerciseChange = (changed: string) => {
          if (!changed.startsWith(lessonsDirectory()) || !changed.includes('/exercise/')) return;
          loadAll().catch((error: Error) => logger.error(error.message));
        };
        watcher.on('change', reloadOnExerciseChange);
        watcher.on('add', reloadOnExerciseChange);
        watcher.on('unlink', reloadOnExerciseChange);
      }
    },
  };
}
