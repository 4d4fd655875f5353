/**
 * Hover docs and completion for the Apache config language: every directive of the engine's
 * table (in the page's language, with its module, contexts, manual link and whether the sandbox
 * simulates it), and the key=value parameters of ProxyPass, BalancerMember and ProxySet.
 */
import type * as Monaco from 'monaco-editor/editor';
import { findDirectiveInfo, type DirectiveInfo } from '../../engine/config/index.ts';
import type { Locale } from '../i18n.ts';
import { describe, directiveHover, parameterHover, uniqueDirectives } from './directive-docs.ts';
import { directiveAt, lineContext, parameterAt } from './line-context.ts';
import { findProxyParameter, PARAMETER_DIRECTIVES, PROXY_PARAMETERS } from './proxy-parameters.ts';
import { APACHE_LANGUAGE_ID } from './register.ts';

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug', 'trace1', 'trace2', 'trace3', 'trace4', 'trace5', 'trace6', 'trace7', 'trace8'];
const URL_SUGGESTIONS = ['ws://localhost:8080/', 'http://localhost:3000/', 'http://localhost:8080/', 'wss://localhost:8080/', 'balancer://'];
const URL_DIRECTIVES = new Set(['proxypass', 'proxypassreverse', 'balancermember', 'proxypassmatch']);

/** Section names that are open above a line, innermost last. */
function openSections(lines: readonly string[], beforeLine: number): string[] {
  const stack: string[] = [];
  for (let index = 0; index < beforeLine - 1; index++) {
    const match = /^\s*<(\/?)([A-Za-z][\w:.-]*)/.exec(lines[index]);
    if (!match) continue;
    if (match[1] === '') stack.push(match[2]);
    else {
      const position = stack.map((name) => name.toLowerCase()).lastIndexOf(match[2].toLowerCase());
      if (position !== -1) stack.splice(position);
    }
  }
  return stack;
}

function documentation(info: DirectiveInfo, locale: Locale): Monaco.IMarkdownString {
  return { value: directiveHover([info], locale) };
}

export function registerApacheProviders(monaco: typeof Monaco, locale: Locale): Monaco.IDisposable[] {
  const directives = uniqueDirectives();
  const { CompletionItemKind, CompletionItemInsertTextRule } = monaco.languages;

  const hover = monaco.languages.registerHoverProvider(APACHE_LANGUAGE_ID, {
    provideHover(model, position) {
      const lines = model.getLinesContent();
      const directive = directiveAt(lines, position.lineNumber, position.column);
      if (directive) {
        const infos = findDirectiveInfo(directive.name);
        if (infos.length === 0) return null;
        return {
          range: new monaco.Range(position.lineNumber, directive.startColumn, position.lineNumber, directive.endColumn),
          contents: [{ value: directiveHover(infos, locale) }],
        };
      }
      const parameter = parameterAt(lines[position.lineNumber - 1], position.column);
      const known = parameter ? findProxyParameter(parameter.key) : undefined;
      if (parameter && known) {
        return {
          range: new monaco.Range(position.lineNumber, parameter.startColumn, position.lineNumber, parameter.endColumn),
          contents: [{ value: parameterHover(known, locale) }],
        };
      }
      return null;
    },
  });

  const completion = monaco.languages.registerCompletionItemProvider(APACHE_LANGUAGE_ID, {
    triggerCharacters: ['<', '=', '/'],
    provideCompletionItems(model, position) {
      const lines = model.getLinesContent();
      const context = lineContext(lines, position.lineNumber, position.column);
      const rangeFrom = (startColumn: number): Monaco.IRange => ({
        startLineNumber: position.lineNumber,
        startColumn,
        endLineNumber: position.lineNumber,
        endColumn: position.column,
      });
      const suggestions: Monaco.languages.CompletionItem[] = [];

      if (context.kind === 'comment') return { suggestions };

      if (context.kind === 'directive') {
        const range = rangeFrom(context.startColumn);
        if (context.closing) {
          const open = openSections(lines, position.lineNumber);
          const innermost = open[open.length - 1];
          if (innermost) suggestions.push({ label: `${innermost}>`, kind: CompletionItemKind.Module, insertText: `${innermost}>`, range, sortText: '0' });
          return { suggestions };
        }
        for (const info of directives) {
          const isSection = info.name.startsWith('<');
          const bare = info.name.replace(/^</, '');
          if (context.section && !isSection) continue;
          suggestions.push({
            label: isSection ? `<${bare}>` : bare,
            kind: isSection ? CompletionItemKind.Module : info.support === 'simulated' ? CompletionItemKind.Keyword : CompletionItemKind.Property,
            detail: `${info.module} — ${describe(info, locale)}`,
            documentation: documentation(info, locale),
            filterText: bare,
            insertText: isSection ? `${context.section ? '' : '<'}${bare} \${1}>\n\t$0\n</${bare}>` : `${bare} `,
            insertTextRules: isSection ? CompletionItemInsertTextRule.InsertAsSnippet : undefined,
            // Simulated directives first: they are the ones the lessons are about.
            sortText: `${info.support === 'simulated' ? '0' : '1'}${bare.toLowerCase()}`,
            range: isSection && !context.section ? rangeFrom(context.startColumn) : range,
          });
        }
        return { suggestions };
      }

      const directive = context.directive.toLowerCase();
      const range = rangeFrom(context.startColumn);
      if (context.parameter) {
        const known = findProxyParameter(context.parameter.key);
        for (const value of known?.values ?? []) {
          suggestions.push({ label: value, kind: CompletionItemKind.EnumMember, insertText: value, range: rangeFrom(context.parameter.valueStartColumn) });
        }
        return { suggestions };
      }
      const parameterDirective = PARAMETER_DIRECTIVES[directive];
      const urlGiven = context.previous.find((argument) => argument.includes('://'));
      if (parameterDirective && urlGiven) {
        const balancer = urlGiven.toLowerCase().startsWith('balancer://') && directive !== 'balancermember';
        for (const parameter of PROXY_PARAMETERS) {
          if (parameter.scope === 'balancer' && !balancer) continue;
          const insertValue = parameter.values ? '' : (parameter.example ?? '');
          suggestions.push({
            label: `${parameter.key}=`,
            kind: CompletionItemKind.Field,
            detail: parameter.description[locale],
            documentation: { value: parameterHover(parameter, locale) },
            insertText: parameter.values ? `${parameter.key}=` : `${parameter.key}=\${1:${insertValue}}`,
            insertTextRules: parameter.values ? undefined : CompletionItemInsertTextRule.InsertAsSnippet,
            command: parameter.values ? { id: 'editor.action.triggerSuggest', title: 'values' } : undefined,
            sortText: parameter.key === 'upgrade' || parameter.key === 'timeout' ? `0${parameter.key}` : `1${parameter.key}`,
            range,
          });
        }
        return { suggestions };
      }
      if (URL_DIRECTIVES.has(directive) && !urlGiven && (context.previous.length >= 1 || directive === 'balancermember')) {
        for (const url of URL_SUGGESTIONS) suggestions.push({ label: url, kind: CompletionItemKind.Value, insertText: url, range });
        return { suggestions };
      }
      if (directive === 'loglevel') {
        for (const level of LOG_LEVELS) suggestions.push({ label: level, kind: CompletionItemKind.EnumMember, insertText: level, range });
        return { suggestions };
      }
      const infos = findDirectiveInfo(context.directive);
      if (infos.some((info) => info.argsHow === 'FLAG') && context.previous.length === 0) {
        for (const value of ['On', 'Off']) suggestions.push({ label: value, kind: CompletionItemKind.EnumMember, insertText: value, range });
      }
      return { suggestions };
    },
  });

  return [hover, completion];
}
