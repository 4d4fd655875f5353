/**
 * Prepares a lesson diagram (an SVG file with labels in both languages) for inlining into one page:
 * keeps only the page language's labels, makes ids unique on the page, and turns the root into an
 * accessible image. Pure string work so it runs at build time without a DOM.
 */

export interface InlineDiagramOptions {
  /** Keep elements whose data-lang is this locale (and elements with no data-lang). */
  locale: string;
  /** Text alternative; becomes the image's accessible name. */
  alt: string;
  /** Prefix that makes this diagram's ids unique on the page, e.g. "diagram-topology". */
  idPrefix: string;
}

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:"[^"]*"|'[^']*'|[^'">])*?)(\/?)>/g;
const DATA_LANG = /\sdata-lang\s*=\s*(?:"([^"]*)"|'([^']*)')/;

/** Removes every element (with its content) whose data-lang names another language. */
export function keepLanguage(svg: string, locale: string): string {
  let result = '';
  let copiedUpTo = 0;
  TAG.lastIndex = 0;
  for (let match = TAG.exec(svg); match; match = TAG.exec(svg)) {
    const [tag, closing, name, attributes, selfClosing] = match;
    if (closing) continue;
    const language = DATA_LANG.exec(attributes);
    const lang = language?.[1] ?? language?.[2];
    if (lang === undefined || lang === locale) continue;
    const end = selfClosing ? match.index + tag.length : findClosingTag(svg, name, TAG.lastIndex);
    result += svg.slice(copiedUpTo, match.index);
    copiedUpTo = end;
    TAG.lastIndex = end;
  }
  return result + svg.slice(copiedUpTo);
}

/** Index just past the tag that closes the element `name` whose start tag ends at `from`. */
function findClosingTag(svg: string, name: string, from: number): number {
  const scanner = new RegExp(TAG.source, 'g');
  scanner.lastIndex = from;
  let depth = 1;
  for (let match = scanner.exec(svg); match; match = scanner.exec(svg)) {
    if (match[2] !== name || match[4]) continue;
    depth += match[1] ? -1 : 1;
    if (depth === 0) return match.index + match[0].length;
  }
  throw new Error(`<${name}> is never closed`);
}

/** Prefixes every id and every reference to one (url(#x), href="#x"), so two diagrams never clash. */
export function prefixIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const match of svg.matchAll(/\sid\s*=\s*"([^"]+)"/g)) ids.add(match[1]);
  if (ids.size === 0) return svg;
  const renamed = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid\s*=\s*")([^"]+)"/g, (_, start: string, id: string) => `${start}${renamed(id)}"`)
    .replace(/url\(\s*#([^)\s]+)\s*\)/g, (_, id: string) => `url(#${renamed(id)})`)
    .replace(/((?:xlink:)?href\s*=\s*")#([^"]+)"/g, (_, start: string, id: string) => `${start}#${renamed(id)}"`);
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The whole preparation. Throws a plain message (the caller adds the file name) when the text is
 * not an SVG document.
 */
export function inlineDiagram(source: string, { locale, alt, idPrefix }: InlineDiagramOptions): string {
  const withoutProlog = source
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!DOCTYPE[\s\S]*?>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
  const root = /^<svg\b((?:"[^"]*"|'[^']*'|[^'">])*)>/.exec(withoutProlog);
  if (!root) throw new Error('does not start with an <svg> element');

  let attributes = root[1];
  // The figure is sized by CSS; a fixed width/height would overflow a phone screen. Without a
  // viewBox, removing them would lose the coordinate system, so derive one first.
  const width = /\swidth\s*=\s*"([\d.]+)(?:px)?"/.exec(attributes)?.[1];
  const height = /\sheight\s*=\s*"([\d.]+)(?:px)?"/.exec(attributes)?.[1];
  if (!/\sviewBox\s*=/.test(attributes)) {
    if (!width || !height) throw new Error('has neither a viewBox nor numeric width and height');
    attributes += ` viewBox="0 0 ${width} ${height}"`;
  }
  attributes = attributes
    .replace(/\s(?:width|height|role|aria-label|aria-labelledby|aria-hidden|focusable)\s*=\s*(?:"[^"]*"|'[^']*')/g, '')
    .trimEnd();
  // A diagram drawn small should not be blown up past its drawn size, only shrunk on narrow screens.
  const existingStyle = /\sstyle\s*=\s*"([^"]*)"/.exec(attributes)?.[1];
  attributes = attributes.replace(/\sstyle\s*=\s*"[^"]*"/, '');
  const styles = [existingStyle?.replace(/;?\s*$/, ''), width ? `max-width:${width}px` : undefined].filter(Boolean);
  const sizing = styles.length > 0 ? ` style="${styles.join(';')}"` : '';
  const rootTag = `<svg${attributes}${sizing} role="img" aria-label="${escapeAttribute(alt)}" focusable="false">`;
  const body = withoutProlog.slice(root[0].length);
  return prefixIds(keepLanguage(rootTag + body, locale), idPrefix);
}
