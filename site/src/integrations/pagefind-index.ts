/**
 * Builds the Pagefind search index over the finished site, so `npm run build` alone produces a
 * searchable dist/ without a second command. Pagefind reads `<html lang>` and writes one index per
 * language, which is what keeps Japanese pages out of English results and the reverse.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

export function pagefindIndex(): AstroIntegration {
  return {
    name: 'wslab:pagefind-index',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const pagefind = await import('pagefind');
        const outputDir = fileURLToPath(dir);
        try {
          const { index, errors: createErrors } = await pagefind.createIndex({});
          if (!index) throw new Error(createErrors.join('\n'));
          const { errors: addErrors, page_count: pageCount } = await index.addDirectory({ path: outputDir });
          if (addErrors.length > 0) throw new Error(addErrors.join('\n'));
          const { errors: writeErrors } = await index.writeFiles({ outputPath: join(outputDir, 'pagefind') });
          if (writeErrors.length > 0) throw new Error(writeErrors.join('\n'));
          logger.info(`Indexed ${pageCount} pages for search into ${join(outputDir, 'pagefind')}`);
        } catch (error) {
          throw new Error(
            `Pagefind could not index ${outputDir}: ${(error as Error).message}\n` +
              'The search index is part of the build. Check that the pagefind package and its platform binary ' +
              '(@pagefind/<platform>) are installed: npm ls pagefind.',
          );
        } finally {
          await pagefind.close();
        }
      },
    },
  };
}
