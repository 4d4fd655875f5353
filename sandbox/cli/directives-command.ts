import { directiveTable } from '../engine/config/index.ts';
import type { DirectiveInfo } from '../engine/config/index.ts';
import { parseCommandArgs, UsageError } from './main.ts';

/** The README's table of simulated directives, generated so the README cannot drift from the engine. */
export function renderSimulatedDirectivesMarkdown(table: DirectiveInfo[] = directiveTable()): string {
  const rows = table
    .filter((info) => info.support === 'simulated')
    .sort((a, b) => a.moduleSource.localeCompare(b.moduleSource) || a.name.localeCompare(b.name))
    .map((info) => {
      const name = info.name.startsWith('<') ? `${info.name}>` : info.name;
      const linked = info.manualUrl ? `[\`${name}\`](${info.manualUrl})` : `\`${name}\``;
      return `| ${linked} | ${info.moduleSource} | ${info.description.en.replace(/\|/g, '\\|')} |`;
    });
  const validated = table.length - rows.length;
  return [
    `${rows.length} directives are simulated; the other ${validated} directives of the modules Debian ships are validated`,
    'only (`npx wslab directives --all` lists every one).',
    '',
    '| directive | module | what the emulator does with it |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `wslab directives`: list the directives the emulator knows. */
export async function runDirectivesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    all: { type: 'boolean' },
    markdown: { type: 'boolean' },
    lang: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'ja') throw new UsageError(`--lang takes en or ja, not '${lang}'`);
  if (values.markdown) {
    console.log(renderSimulatedDirectivesMarkdown());
    return 0;
  }
  const table = directiveTable().filter((info) => values.all || info.support === 'simulated');
  const width = Math.max(...table.map((info) => info.name.length));
  for (const info of table.sort((a, b) => a.name.localeCompare(b.name))) {
    const description = (lang === 'ja' ? info.description.ja : null) ?? info.description.en;
    console.log(`${info.name.padEnd(width)}  ${info.support.padEnd(9)}  ${info.moduleSource.padEnd(22)}  ${description}`);
  }
  return 0;
}
