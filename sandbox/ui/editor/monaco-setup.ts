/**
 * Monaco, self-hosted: the editor core with only the features the sandbox uses, its worker built
 * by Vite (`?worker`, emitted next to the other assets; nothing from a CDN), two themes that follow
 * the site's light/dark palette, and the Apache language. Imported lazily when the sandbox opens.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/diffEditor/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/snippet/register';
import 'monaco-editor/features/suggest/register';
// Ctrl+M (Cmd+Shift+M on macOS) lets Tab move focus out of the editor instead of indenting.
import 'monaco-editor/features/toggleTabFocusMode/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
// features/suggest/register only brings the inline-completion adapter; the suggest widget itself
// is registered here, as editor.main does.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus.js';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerApacheLanguage } from './register.ts';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

window.MonacoEnvironment = {
  getWorker: () => new EditorWorker({ name: 'wslab-editor-worker' }),
};

export const THEMES = { light: 'wslab-light', dark: 'wslab-dark' } as const;

/** Token colours chosen for AA contrast on the site's code background in each theme. */
monaco.editor.defineTheme(THEMES.light, {
  base: 'vs',
  inherit: true,
  rules: [
    { token: 'comment', foreground: '59636e', fontStyle: 'italic' },
    { token: 'keyword', foreground: '0550ae', fontStyle: 'bold' },
    { token: 'tag', foreground: '8250df', fontStyle: 'bold' },
    { token: 'delimiter.angle', foreground: '8250df' },
    { token: 'string', foreground: '0a3069' },
    { token: 'string.quote', foreground: '0a3069' },
    { token: 'string.escape', foreground: '953800' },
    { token: 'string.url', foreground: '116329', fontStyle: 'underline' },
    { token: 'variable', foreground: '953800' },
    { token: 'number', foreground: '0550ae' },
    { token: 'constant', foreground: 'cf222e' },
    { token: 'attribute.name', foreground: '6639ba' },
    { token: 'operator', foreground: '1f2328' },
    { token: 'argument', foreground: '1f2328' },
    { token: 'delimiter.continuation', foreground: '953800', fontStyle: 'bold' },
    { token: 'invalid', foreground: 'a40e26' },
  ],
  colors: {
    'editor.background': '#ffffff',
    'editor.foreground': '#1f2328',
    'editorLineNumber.foreground': '#6e7781',
    'editorLineNumber.activeForeground': '#1f2328',
    'editor.lineHighlightBackground': '#f6f8fa',
  },
});

monaco.editor.defineTheme(THEMES.dark, {
  base: 'vs-dark',
  inherit: true,
  rules: [
    { token: 'comment', foreground: '9198a1', fontStyle: 'italic' },
    { token: 'keyword', foreground: '79c0ff', fontStyle: 'bold' },
    { token: 'tag', foreground: 'd2a8ff', fontStyle: 'bold' },
    { token: 'delimiter.angle', foreground: 'd2a8ff' },
    { token: 'string', foreground: 'a5d6ff' },
    { token: 'string.quote', foreground: 'a5d6ff' },
    { token: 'string.escape', foreground: 'ffa657' },
    { token: 'string.url', foreground: '7ee787', fontStyle: 'underline' },
    { token: 'variable', foreground: 'ffa657' },
    { token: 'number', foreground: '79c0ff' },
    { token: 'constant', foreground: 'ff9492' },
    { token: 'attribute.name', foreground: 'd2a8ff' },
    { token: 'operator', foreground: 'e6edf3' },
    { token: 'argument', foreground: 'e6edf3' },
    { token: 'delimiter.continuation', foreground: 'ffa657', fontStyle: 'bold' },
    { token: 'invalid', foreground: 'ff9492' },
  ],
  colors: {
    'editor.background': '#151b23',
    'editor.foreground': '#e6edf3',
    'editorLineNumber.foreground': '#8b949e',
    'editorLineNumber.activeForeground': '#e6edf3',
    'editor.lineHighlightBackground': '#1c2430',
  },
});

registerApacheLanguage(monaco);

/** Which theme the page shows: the site's choice (data-theme) or else the system's. */
export function pageTheme(): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Keep Monaco's theme in step with the page's; returns a function that stops following it. */
export function followPageTheme(apply: (theme: 'light' | 'dark') => void = (theme) => monaco.editor.setTheme(THEMES[theme])): () => void {
  apply(pageTheme());
  const observer = new MutationObserver(() => apply(pageTheme()));
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  const onMedia = () => apply(pageTheme());
  media?.addEventListener('change', onMedia);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', onMedia);
  };
}

export { monaco };
