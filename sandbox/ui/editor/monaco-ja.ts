/**
 * Monaco's own UI strings in Japanese (find widget, context menu, suggest details). The file sets
 * globals that Monaco reads as its modules run, so it is imported, on Japanese pages only, before
 * the editor's chunk.
 */
import 'monaco-editor/nls/lang/ja.js';
