/**
 * Frontmatter and exercise strings (goals, quiz choices, check titles) are plain text, but authors
 * quote directive and header names in backticks as they do in the lesson body. This splits such a
 * string so components can render the quoted parts as <code> without accepting any other markup.
 */
export interface TextSegment {
  text: string;
  code: boolean;
}

export function splitInlineCode(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  const parts = text.split('`');
  // An odd number of backticks leaves the last one unmatched: keep it as literal text.
  const unmatched = parts.length % 2 === 0;
  parts.forEach((part, index) => {
    const isCode = index % 2 === 1 && !(unmatched && index === parts.length - 1);
    const text = !isCode && unmatched && index === parts.length - 1 ? `\`${part}` : part;
    if (text !== '') segments.push({ text, code: isCode });
  });
  return segments;
}

/** The same string with the backticks removed, for attributes and plain-text contexts. */
export function stripInlineCode(text: string): string {
  return splitInlineCode(text)
    .map((segment) => segment.text)
    .join('');
}
