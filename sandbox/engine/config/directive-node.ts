/**
 * The directive tree the read phase builds and the process phase walks (httpd's ap_directive_t),
 * plus helpers to turn offsets within a directive's line into editor positions.
 */
import type { LogicalLine } from './lexer.ts';
import type { SourceRef } from './model.ts';
import type { ResolvedLine } from './variables.ts';

/** One directive or section in the tree. */
export interface DirectiveNode {
  /** Canonical name when httpd knows the directive ("<Location", "ProxyPass"), else as written. */
  name: string;
  /** The argument text after the name, as httpd stores it (a section opener keeps its ">"). */
  args: string;
  /** Offset of `args` within `resolved.text`. */
  argsOffset: number;
  /** Offset and length of the name as written within `resolved.text`. */
  nameOffset: number;
  nameLength: number;
  file: string;
  /** The logical line, and its text after ${VAR} expansion. */
  line: LogicalLine;
  resolved: ResolvedLine;
  children: DirectiveNode[];
  parent: DirectiveNode | null;
  isSection: boolean;
}

/** A place in the source, for diagnostics. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  length: number;
}

/** The span of `[start, end)` (offsets in the node's expanded line) in the original text. */
export function spanInLine(file: string, line: LogicalLine, resolved: ResolvedLine, start: number, end: number): SourceSpan {
  const originalStart = resolved.originalOffset(start);
  const originalEnd = end > start ? resolved.originalOffset(end - 1) + 1 : originalStart + 1;
  const from = line.positionAt(originalStart);
  const to = line.positionAt(Math.max(originalStart, originalEnd - 1));
  const length = to.line === from.line ? Math.max(1, to.column - from.column + 1) : 1;
  return { file, line: from.line, column: from.column, length };
}

/** The span of the directive's name. */
export function nameSpan(node: DirectiveNode): SourceSpan {
  return spanInLine(node.file, node.line, node.resolved, node.nameOffset, node.nameOffset + node.nameLength);
}

/** The span of `[start, end)` counted within the node's `args`. */
export function argsSpan(node: DirectiveNode, start: number, end: number): SourceSpan {
  return spanInLine(node.file, node.line, node.resolved, node.argsOffset + start, node.argsOffset + end);
}

/** Where the directive came from, for the model (first physical line). */
export function sourceOf(node: DirectiveNode): SourceRef {
  return { file: node.file, line: node.line.firstLine };
}
