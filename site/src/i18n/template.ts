/**
 * Fills `{name}` placeholders. UI strings that the browser completes (counts, titles, queries) are
 * templates rather than functions so they can travel to client scripts as data attributes.
 */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}
