/**
 * Hover and completion text for directives and ProxyPass parameters, from the engine's directive
 * table, in the page's language. Produces Markdown for Monaco (which renders Markdown without
 * raw HTML); every table string is escaped first. Pure.
 */
import { directiveTable, type DirectiveContext, type DirectiveInfo } from '../../engine/config/index.ts';
import type { Locale } from '../i18n.ts';
import { strings } from '../i18n.ts';
import { PROXY_PARAMETERS_MANUAL_URL, type ProxyParameter } from './proxy-parameters.ts';

const CONTEXT_NAMES: Record<DirectiveContext, { en: string; ja: string }> = {
  'server config': { en: 'server config', ja: 'サーバー設定' },
  'virtual host': { en: 'virtual host', ja: 'バーチャルホスト' },
  directory: { en: 'directory', ja: 'ディレクトリ' },
  '.htaccess': { en: '.htaccess', ja: '.htaccess' },
  'proxy section': { en: 'proxy section', ja: 'プロキシセクション' },
};

/** Escape text for Monaco's Markdown. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (character) => `\\${character}`);
}

export function contextNames(info: DirectiveInfo, locale: Locale): string {
  return info.contexts.map((context) => CONTEXT_NAMES[context][locale]).join(', ');
}

export function describe(info: DirectiveInfo, locale: Locale): string {
  return (locale === 'ja' ? info.description.ja : null) ?? info.description.en;
}

/** Markdown for hovering a directive (several rows when modules share a name). */
export function directiveHover(infos: readonly DirectiveInfo[], locale: Locale): string {
  const t = strings(locale).hover;
  return infos
    .map((info) => {
      const display = info.name.startsWith('<') ? `<${info.name.slice(1)}>` : info.name;
      const lines = [
        `**${escapeMarkdown(display)}** — ${escapeMarkdown(info.module)} (${escapeMarkdown(info.moduleSource)})`,
        '',
        escapeMarkdown(describe(info, locale)),
        '',
        `${t.context}: ${escapeMarkdown(contextNames(info, locale))}`,
        '',
        info.support === 'simulated' ? `✔ ${escapeMarkdown(t.simulated)}` : `◌ ${escapeMarkdown(t.validated)}`,
        '',
        info.manualUrl ? `[${escapeMarkdown(t.manual)}: ${escapeMarkdown(display)}](${info.manualUrl})` : escapeMarkdown(t.noManual),
      ];
      return lines.join('\n');
    })
    .join('\n\n---\n\n');
}

/** Markdown for hovering a ProxyPass key=value parameter. */
export function parameterHover(parameter: ProxyParameter, locale: Locale): string {
  const t = strings(locale).hover;
  const values = parameter.values ? ` — ${parameter.values.map((value) => `\`${value}\``).join(' | ')}` : '';
  return [
    `**${escapeMarkdown(parameter.key)}=** — ${escapeMarkdown(t.proxyParameter)}${parameter.scope === 'balancer' ? ' (balancer://)' : ''}${values}`,
    '',
    escapeMarkdown(parameter.description[locale]),
    '',
    `[${escapeMarkdown(t.manual)}: ProxyPass](${PROXY_PARAMETERS_MANUAL_URL})`,
  ].join('\n');
}

/** One entry per directive name (the table repeats a name when two modules define it). */
export function uniqueDirectives(): DirectiveInfo[] {
  const seen = new Map<string, DirectiveInfo>();
  for (const info of directiveTable()) {
    const key = info.name.toLowerCase();
    const existing = seen.get(key);
    // Prefer the simulated row, then the one with a manual page.
    if (!existing || (existing.support !== 'simulated' && info.support === 'simulated') || (!existing.manualUrl && info.manualUrl)) seen.set(key, info);
  }
  return [...seen.values()].sort((a, b) => a.name.replace(/^</, '').localeCompare(b.name.replace(/^</, '')));
}
