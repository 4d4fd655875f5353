/**
 * The exercise instructions arrive as HTML the site rendered from the lesson's Markdown. They are
 * the lesson author's, not the learner's, but the sandbox still never assigns HTML: the text is
 * parsed into an inert document (DOMParser runs no scripts and loads nothing) and rebuilt node by
 * node, keeping only formatting elements and safe links. Anything else becomes its text.
 */
import { el } from './dom.ts';

const ALLOWED = new Set(['p', 'ul', 'ol', 'li', 'code', 'strong', 'em', 'b', 'i', 'a', 'br', 'pre', 'blockquote', 'kbd', 'h3', 'h4', 'span']);

function safeHref(href: string | null): string | null {
  if (!href) return null;
  const trimmed = href.trim();
  if (/^https?:\/\//i.test(trimmed) || trimmed.startsWith('/') || trimmed.startsWith('#')) return trimmed;
  return null;
}

function rebuild(node: Node, out: Node): void {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.appendChild(document.createTextNode(child.textContent ?? ''));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const source = child as Element;
      const tag = source.tagName.toLowerCase();
      if (!ALLOWED.has(tag)) {
        if (tag !== 'script' && tag !== 'style' && tag !== 'template') rebuild(source, out);
        continue;
      }
      const copy = document.createElement(tag);
      if (tag === 'a') {
        const href = safeHref(source.getAttribute('href'));
        if (href) {
          copy.setAttribute('href', href);
          if (/^https?:/i.test(href)) {
            copy.setAttribute('target', '_blank');
            copy.setAttribute('rel', 'noopener noreferrer');
          }
        }
      }
      rebuild(source, copy);
      out.appendChild(copy);
    }
  }
}

/** A <div> holding the sanitised rebuild of `html`. */
export function safeHtmlFragment(html: string): HTMLDivElement {
  const container = el('div');
  const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  rebuild(parsed.body, container);
  return container;
}
