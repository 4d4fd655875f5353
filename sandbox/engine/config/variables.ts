/**
 * `${NAME}` expansion as core.c ap_resolve_env does it: on the whole logical line before it is
 * split into words, looking first at `Define`d variables and then at the process environment.
 * An undefined name is left in the text literally and httpd warns AH00111 (unless the name holds
 * a ':', the form mod_rewrite uses for its own ${map:key} lookups).
 */

/** One `${NAME}` that had no value. */
export interface UndefinedVariable {
  name: string;
  /** Offset of the `$` in the original text. */
  offset: number;
  /** Length of `${NAME}` in the original text. */
  length: number;
}

/** The result of expanding one line. */
export interface ResolvedLine {
  text: string;
  undefinedVariables: UndefinedVariable[];
  /** Maps an offset in `text` back to the original line (a substituted value maps to its `${`). */
  originalOffset(offset: number): number;
}

/** Where variables come from: Define'd values first, then the environment. */
export interface VariableSource {
  defined(name: string): string | undefined;
  environment(name: string): string | undefined;
}

interface Piece {
  resolvedStart: number;
  originalStart: number;
  /** Substituted values map as a block; literal text maps character by character. */
  substituted: boolean;
}

/** Expand `${NAME}` references in one line. */
export function resolveVariables(line: string, source: VariableSource): ResolvedLine {
  if (!line.includes('$')) return { text: line, undefinedVariables: [], originalOffset: (offset) => offset };
  const pieces: Piece[] = [];
  const undefinedVariables: UndefinedVariable[] = [];
  let text = '';
  let position = 0;
  const pushLiteral = (literal: string, originalStart: number) => {
    if (literal === '') return;
    pieces.push({ resolvedStart: text.length, originalStart, substituted: false });
    text += literal;
  };
  while (position < line.length) {
    const dollar = line.indexOf('$', position);
    if (dollar === -1) {
      pushLiteral(line.slice(position), position);
      break;
    }
    pushLiteral(line.slice(position, dollar), position);
    const close = line[dollar + 1] === '{' ? line.indexOf('}', dollar + 2) : -1;
    if (close === -1) {
      pushLiteral('$', dollar);
      position = dollar + 1;
      continue;
    }
    const name = line.slice(dollar + 2, close);
    // httpd does not rescan a substituted value, so a value containing "${" stays as it is.
    const value = source.defined(name) ?? source.environment(name);
    if (value === undefined) {
      if (!name.includes(':')) undefinedVariables.push({ name, offset: dollar, length: close - dollar + 1 });
      pushLiteral(line.slice(dollar, close + 1), dollar);
    } else if (value !== '') {
      pieces.push({ resolvedStart: text.length, originalStart: dollar, substituted: true });
      text += value;
    }
    position = close + 1;
  }
  const originalOffset = (offset: number): number => {
    let piece: Piece | undefined;
    for (const candidate of pieces) {
      if (candidate.resolvedStart <= offset) piece = candidate;
      else break;
    }
    if (!piece) return offset;
    return piece.substituted ? piece.originalStart : piece.originalStart + (offset - piece.resolvedStart);
  };
  return { text, undefinedVariables, originalOffset };
}

/** The AH00111 warning text httpd prints for an undefined variable. */
export function undefinedVariableMessage(name: string): string {
  return `AH00111: Config variable \${${name}} is not defined`;
}
