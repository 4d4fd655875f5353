/**
 * Shiki themes for every code block (Markdown fences and <Code>): both are emitted as CSS variables
 * (--shiki-light / --shiki-dark) and global.css picks one per theme. Chosen for WCAG AA contrast of
 * every token colour on the code block background; test/site checks that.
 */
export const CODE_THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;
