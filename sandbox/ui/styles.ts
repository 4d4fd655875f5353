/**
 * The sandbox's stylesheet, added to the page when the sandbox opens (a <style> element with the
 * CSS as text). Imported with Vite's `?inline`, so the CSS is a string inside the lazy chunk rather
 * than a stylesheet the site would link from every lesson page.
 */
import css from './sandbox.css?inline';

/** Add a stylesheet once per id. */
export function addStyle(id: string, text: string): void {
  if (document.querySelector(`style[data-wslab-style="${id}"]`)) return;
  const style = document.createElement('style');
  style.dataset.wslabStyle = id;
  style.textContent = text;
  document.head.appendChild(style);
}

export function addSandboxStyles(): void {
  addStyle('sandbox', css);
}
