/**
 * ConfigDiagnostic → editor marker. Diagnostics are 1-based (line, column, length) and so are
 * Monaco's positions; this is the one place that turns one into the other, clamping to the text so
 * a stale diagnostic never points outside the model. Diagnostics for another file (the top-level
 * apache2.conf the sandbox wraps around the learner's site file) are pinned to line 1 and say
 * where they come from. Pure.
 */
import type { ConfigDiagnostic } from '../../engine/config/diagnostics.ts';
import { LEARNER_CONFIG_FILE } from '../../runtime/virtual-files.ts';

export interface MarkerData {
  severity: 'error' | 'warning' | 'info';
  message: string;
  code: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** The file the learner edits, as the runtime and the live configtest name it. */
export const LEARNER_FILE = LEARNER_CONFIG_FILE;

export function diagnosticsToMarkers(diagnostics: readonly ConfigDiagnostic[], lines: readonly string[], learnerFile = LEARNER_FILE): MarkerData[] {
  const lineCount = Math.max(1, lines.length);
  return diagnostics.map((diagnostic) => {
    const own = diagnostic.file === learnerFile || diagnostic.file === '' || diagnostic.file === undefined;
    const line = own ? Math.min(Math.max(1, diagnostic.line), lineCount) : 1;
    const text = lines[line - 1] ?? '';
    const lastColumn = text.length + 1;
    let startColumn = own ? Math.min(Math.max(1, diagnostic.column), lastColumn) : 1;
    let endColumn = own ? Math.min(startColumn + Math.max(1, diagnostic.length), lastColumn) : lastColumn;
    if (endColumn <= startColumn) {
      // An empty line or a position past its end: underline the whole line instead.
      startColumn = 1;
      endColumn = Math.max(lastColumn, 2);
    }
    return {
      severity: diagnostic.severity,
      message: own ? diagnostic.message : `${diagnostic.file}:${diagnostic.line}: ${diagnostic.message}`,
      code: diagnostic.code,
      startLineNumber: line,
      startColumn,
      endLineNumber: line,
      endColumn,
    };
  });
}

/** Errors and warnings, for the summary next to the configtest panel. */
export function countProblems(diagnostics: readonly ConfigDiagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length,
    warnings: diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').length,
  };
}
