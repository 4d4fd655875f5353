/**
 * The only way the sandbox UI builds DOM: elements from tag names, attributes and children, where
 * every string child becomes a Text node. Nothing here (or anywhere in sandbox/ui) assigns
 * innerHTML, so learner-controlled text — messages, headers, log lines, config — is always inert.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attributes {
  class?: string;
  /** data-testid, the stable hook for the browser tests. */
  testid?: string;
  text?: string;
  title?: string;
  type?: string;
  [name: string]: string | number | boolean | undefined | EventListener;
}

/** Create an HTML element. `on<event>` attributes given as functions become listeners. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyAttributes(element, attributes);
  append(element, ...children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Create an SVG element (icons, arrow heads). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, ...children);
  return element;
}

function applyAttributes(element: HTMLElement, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, '').toLowerCase(), value as EventListener);
    } else if (name === 'class') {
      element.className = String(value);
    } else if (name === 'testid') {
      element.dataset.testid = String(value);
    } else if (name === 'text') {
      element.textContent = String(value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
}

/** Append children; strings and numbers become Text nodes (never parsed as HTML). */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replace all children of an element. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A small inline SVG icon from one path. */
export function icon(path: string, label?: string): SVGSVGElement {
  const element = svg('svg', { viewBox: '0 0 16 16', class: 'wsb-icon', 'aria-hidden': label ? 'false' : 'true', focusable: 'false' }, svg('path', { d: path }));
  if (label) {
    element.setAttribute('role', 'img');
    element.setAttribute('aria-label', label);
  }
  return element;
}

/**
 * Text with `backtick` spans shown as code, as the lesson pages show check titles and hints. The
 * pieces become Text nodes inside <code> or not; nothing is parsed as HTML.
 */
export function inlineText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const parts = text.split('`');
  // An odd number of backticks leaves the last one literal.
  if (parts.length % 2 === 0) parts[parts.length - 2] += `\`${parts.pop()}`;
  parts.forEach((part, index) => {
    if (part === '') return;
    append(fragment, index % 2 === 1 ? el('code', {}, part) : part);
  });
  return fragment;
}
