/** The lessons as pages see them: per locale, in reading order, with neighbours and exercises. */
import { getCollection, type CollectionEntry } from 'astro:content';
import type { Locale } from '../i18n/ui.ts';
import { parseLessonFolder, type LessonSlug } from './syllabus.ts';

export interface LessonPage {
  slug: LessonSlug;
  order: number;
  folder: string;
  locale: Locale;
  entry: CollectionEntry<'lessons'>;
}

/** All lessons written in a locale, in reading order. */
export async function lessonsIn(locale: Locale): Promise<LessonPage[]> {
  const entries = await getCollection('lessons', (entry) => entry.id.endsWith(`/${locale}`));
  return entries
    .map((entry) => {
      const folder = entry.id.slice(0, entry.id.lastIndexOf('/'));
      const { slug, order } = parseLessonFolder(folder);
      return { slug, order, folder, locale, entry };
    })
    .sort((a, b) => a.order - b.order);
}

/** The exercise of a lesson folder, or undefined while its author has not written it yet. */
export async function exerciseFor(folder: string): Promise<CollectionEntry<'exercises'> | undefined> {
  const exercises = await getCollection('exercises');
  return exercises.find((exercise) => exercise.id === folder);
}

/** URL of a lesson page. */
export function lessonHref(locale: Locale, slug: string): string {
  return `${import.meta.env.BASE_URL}${locale}/lessons/${slug}/`;
}

/** URL of a locale's home page. */
export function homeHref(locale: Locale): string {
  return `${import.meta.env.BASE_URL}${locale}/`;
}
