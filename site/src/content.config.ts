/**
 * Content collections: the lesson text (`lessons`, one entry per lesson and locale) and the
 * exercises (`exercises`, one entry per lesson). The format is described for authors in
 * lessons/README.md and formalised in ./lessons/schema.ts.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { pathToFileURL } from 'node:url';
import { exerciseLoader } from './lessons/exercise-loader.ts';
import { lessonsDirectory } from './lessons/location.ts';
import { lessonFrontmatterSchema, exerciseEntrySchema } from './lessons/schema.ts';
import { parseLessonFolder } from './lessons/syllabus.ts';
import { LOCALES } from './i18n/ui.ts';

const lessons = defineCollection({
  loader: glob({
    base: pathToFileURL(`${lessonsDirectory()}/`),
    pattern: `*/{${LOCALES.join(',')}}.mdx`,
    // Entry ids are "NN-slug/locale": the folder carries slug and order, the file name the locale.
    // parseLessonFolder throws a message naming the folder when it is misnamed.
    generateId: ({ entry }) => {
      const [folder, file] = entry.split('/');
      parseLessonFolder(folder);
      return `${folder}/${file.replace(/\.mdx$/, '')}`;
    },
  }),
  schema: lessonFrontmatterSchema,
});

const exercises = defineCollection({
  loader: exerciseLoader(),
  schema: exerciseEntrySchema,
});

export const collections = { lessons, exercises };
