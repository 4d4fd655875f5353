/** Where the lesson folders are on disk, as resolved by site/astro.config.mjs. */
import { join } from 'node:path';

export function lessonsDirectory(): string {
  const directory = process.env.WSLAB_LESSONS_DIR;
  if (!directory) {
    throw new Error(
      'WSLAB_LESSONS_DIR is not set. site/astro.config.mjs sets it when Astro loads the config; build ' +
        'with "npm run build" (astro build --root site) rather than importing site modules directly.',
    );
  }
  return directory;
}

/** Path of a file inside one lesson folder, e.g. lessonFile('01-websocket-basics', 'diagrams', 'topology.svg'). */
export function lessonFile(folder: string, ...parts: string[]): string {
  return join(lessonsDirectory(), folder, ...parts);
}

/** A lesson file's path as a reader of error messages knows it: relative to the repository. */
export function displayPath(folder: string, ...parts: string[]): string {
  return ['lessons', folder, ...parts].join('/');
}
