/**
 * The tutorial's lesson slugs in reading order. Lesson folders are named `NN-slug`, where NN is the
 * slug's 1-based position here, so a folder that disagrees with this list is a typo caught at build
 * time rather than a lesson silently appearing out of order.
 */
export const SYLLABUS_SLUGS = [
  'websocket-basics',
  'why-apache',
  'modules',
  'basic-vhost',
  'sample-config',
  'tls',
  'troubleshooting',
  'tuning',
  'summary',
] as const;

export type LessonSlug = (typeof SYLLABUS_SLUGS)[number];

/** What the folder name `NN-slug` says about a lesson. */
export interface LessonFolder {
  /** The folder name itself, e.g. `01-websocket-basics`. */
  folder: string;
  /** 1-based reading position. */
  order: number;
  slug: LessonSlug;
}

const FOLDER_PATTERN = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/**
 * Read order and slug from a lesson folder name; throws an Error that names the folder and says how
 * to rename it when the name does not match the syllabus.
 */
export function parseLessonFolder(folder: string): LessonFolder {
  const match = FOLDER_PATTERN.exec(folder);
  if (!match) {
    throw new Error(
      `Lesson folder "lessons/${folder}" is not named NN-slug. Rename it to two digits, a dash and a ` +
        `lower-case slug, e.g. "01-websocket-basics".`,
    );
  }
  const order = Number(match[1]);
  const slug = match[2];
  const position = SYLLABUS_SLUGS.indexOf(slug as LessonSlug);
  if (position === -1) {
    throw new Error(
      `Lesson folder "lessons/${folder}" has slug "${slug}", which is not in the syllabus. Use one of: ` +
        `${SYLLABUS_SLUGS.join(', ')} (or add the new slug to site/src/lessons/syllabus.ts).`,
    );
  }
  if (position + 1 !== order) {
    const expected = `${String(position + 1).padStart(2, '0')}-${slug}`;
    throw new Error(
      `Lesson folder "lessons/${folder}" is numbered ${match[1]}, but "${slug}" is lesson ${position + 1} ` +
        `in the syllabus. Rename the folder to "${expected}".`,
    );
  }
  return { folder, order, slug: slug as LessonSlug };
}
