/** Turns zod issues into a build error that names the file and every offending field. */
import type { z } from 'astro/zod';

export function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(whole file)';
    return `  ${field}: ${issue.message}`;
  });
  return `${file} does not match the lesson format (lessons/README.md):\n${lines.join('\n')}`;
}
