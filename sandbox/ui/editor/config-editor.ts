/**
 * The config editor: one Monaco editor on the learner's config, with configtest markers, the
 * routing decision's line highlighted, and a read-only diff against the solution. Loaded lazily
 * with Monaco (this module is the only one that imports monaco-setup).
 */
import type * as Monaco from 'monaco-editor/editor';
import type { ConfigDiagnostic } from '../../engine/config/diagnostics.ts';
import type { Locale } from '../i18n.ts';
import { registerApacheProviders } from './apache-providers.ts';
import { diagnosticsToMarkers } from './markers.ts';
import { followPageTheme, monaco } from './monaco-setup.ts';
import { APACHE_LANGUAGE_ID } from './register.ts';

let providersFor: Locale | null = null;

export interface ConfigEditorOptions {
  container: HTMLElement;
  value: string;
  locale: Locale;
  ariaLabel: string;
  onChange(text: string): void;
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
}

const MARKER_OWNER = 'wslab-configtest';

export class ConfigEditor {
  private readonly editor: Monaco.editor.IStandaloneCodeEditor;
  private readonly model: Monaco.editor.ITextModel;
  private readonly routeDecorations: Monaco.editor.IEditorDecorationsCollection;
  private diff: { editor: Monaco.editor.IStandaloneDiffEditor; models: Monaco.editor.ITextModel[] } | null = null;
  private readonly stopTheme: () => void;
  private suppressChange = false;

  constructor(options: ConfigEditorOptions) {
    if (providersFor === null) {
      registerApacheProviders(monaco, options.locale);
      providersFor = options.locale;
    }
    this.model = monaco.editor.createModel(options.value, APACHE_LANGUAGE_ID);
    this.model.updateOptions({ tabSize: 4, insertSpaces: true });
    this.editor = monaco.editor.create(options.container, {
      model: this.model,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 13,
      lineNumbersMinChars: 3,
      renderWhitespace: 'selection',
      wordWrap: 'off',
      tabSize: 4,
      fixedOverflowWidgets: true,
      ariaLabel: options.ariaLabel,
      glyphMargin: false,
      folding: true,
      quickSuggestions: { other: true, comments: false, strings: false },
      hover: { enabled: 'on', delay: 250 },
      scrollbar: { alwaysConsumeMouseWheel: false },
      padding: { top: 6, bottom: 6 },
    });
    this.routeDecorations = this.editor.createDecorationsCollection();
    this.stopTheme = followPageTheme();
    this.model.onDidChangeContent(() => {
      this.routeDecorations.clear();
      if (!this.suppressChange) options.onChange(this.model.getValue());
    });
    this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onRun());
  }

  getValue(): string {
    return this.model.getValue();
  }

  /** Replace the text as one undoable edit (Ctrl+Z brings the old text back). */
  setValue(text: string): void {
    if (text === this.model.getValue()) return;
    this.editor.pushUndoStop();
    this.editor.executeEdits('wslab', [{ range: this.model.getFullModelRange(), text, forceMoveMarkers: true }]);
    this.editor.pushUndoStop();
    this.editor.setPosition({ lineNumber: 1, column: 1 });
  }

  /** Show configtest diagnostics as markers (1-based positions; see markers.ts). */
  setDiagnostics(diagnostics: readonly ConfigDiagnostic[]): void {
    const severity = { error: monaco.MarkerSeverity.Error, warning: monaco.MarkerSeverity.Warning, info: monaco.MarkerSeverity.Info };
    const markers = diagnosticsToMarkers(diagnostics, this.model.getLinesContent()).map((marker) => ({
      ...marker,
      severity: severity[marker.severity],
      source: 'configtest',
    }));
    monaco.editor.setModelMarkers(this.model, MARKER_OWNER, markers);
  }

  /** Highlight the line of the directive that routed a request, and bring it into view. */
  highlightLine(line: number, message: string): void {
    if (line < 1 || line > this.model.getLineCount()) return;
    this.routeDecorations.set([
      {
        range: new monaco.Range(line, 1, line, this.model.getLineMaxColumn(line)),
        options: {
          isWholeLine: true,
          className: 'wsb-route-line',
          linesDecorationsClassName: 'wsb-route-gutter',
          hoverMessage: { value: message },
          overviewRuler: { color: '#d29922', position: monaco.editor.OverviewRulerLane.Center },
        },
      },
    ]);
    this.editor.revealLineInCenterIfOutsideViewport(line);
  }

  focus(): void {
    this.editor.focus();
  }

  /** Show a side-by-side (or inline, when narrow) diff of two texts in another container. */
  showDiff(container: HTMLElement, original: string, modified: string): void {
    this.hideDiff();
    const models = [monaco.editor.createModel(original, APACHE_LANGUAGE_ID), monaco.editor.createModel(modified, APACHE_LANGUAGE_ID)];
    const editor = monaco.editor.createDiffEditor(container, {
      automaticLayout: true,
      readOnly: true,
      originalEditable: false,
      renderSideBySide: true,
      useInlineViewWhenSpaceIsLimited: true,
      renderSideBySideInlineBreakpoint: 560,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 13,
      lineNumbersMinChars: 3,
      renderOverviewRuler: false,
      scrollbar: { alwaysConsumeMouseWheel: false },
    });
    editor.setModel({ original: models[0], modified: models[1] });
    this.diff = { editor, models };
  }

  hideDiff(): void {
    if (!this.diff) return;
    this.diff.editor.dispose();
    for (const model of this.diff.models) model.dispose();
    this.diff = null;
  }

  dispose(): void {
    this.hideDiff();
    this.stopTheme();
    this.editor.dispose();
    this.model.dispose();
  }
}
