/**
 * mod_log_config's CustomLog, TransferLog, GlobalLog, LogFormat and BufferedLogs
 * (mod_log_config.c add_custom_log / log_format), including the LogFormat string check that
 * rejects unknown % directives.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import type { CustomLogEntry } from '../model.ts';
import type { ParseState } from '../parse-state.ts';
import { checkCommandContext, GLOBAL_ONLY, type CommandContext, type HandlerError, type HandlerTable } from '../process-phase.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';

type Result = HandlerError | string | null;

/** Format letters each module registers with mod_log_config. */
const FORMAT_HANDLERS: Array<{ module: string; tags: string[] }> = [
  {
    module: 'log_config_module',
    tags: ['h', 'a', 'A', 'l', 'u', 't', 'f', 'b', 'B', 'i', 'o', 'n', 'L', 'e', 'V', 'v', 'p', 'P', 'H', 'm', 'q', 'X', 'C', 'k', 'r', 'D', 'T', 'U', 's', 'R', '^ti', '^to'],
  },
  { module: 'logio_module', tags: ['I', 'O', 'S', '^FB'] },
  { module: 'ssl_module', tags: ['c', 'x'] },
];

/** parse_log_string: null when every % directive is known, else httpd's message. */
export function checkLogFormat(state: ParseState, format: string): string | null {
  const known = new Set(FORMAT_HANDLERS.filter((entry) => state.loadedIds.has(entry.module)).flatMap((entry) => entry.tags));
  let index = 0;
  while (index < format.length) {
    if (format[index] !== '%') {
      index++;
      continue;
    }
    index++;
    if (format[index] === '%') {
      index++;
      continue;
    }
    let done = false;
    while (index < format.length && !done) {
      const char = format[index];
      if (char === '!' || char === '<' || char === '>' || char === ',') index++;
      else if (char === '{') {
        const close = format.indexOf('}', index + 1);
        index = close === -1 ? format.length : close + 1;
      } else if (/\d/.test(char)) {
        while (/\d/.test(format[index] ?? '')) index++;
      } else {
        const three = format.slice(index, index + 3);
        if (char === '^' && three.length === 3 && known.has(three)) index += 3;
        else if (known.has(char)) index++;
        else return `Unrecognized LogFormat directive %${char}`;
        done = true;
      }
    }
    if (!done) return 'Ran off end of LogFormat parsing args to some directive';
  }
  return null;
}

function checkCondition(clause: string): string | null {
  const lower = clause.toLowerCase();
  if (lower.startsWith('env=')) {
    return clause.length === 4 || (clause[4] === '!' && clause.length === 5) ? 'missing environment variable name' : null;
  }
  if (lower.startsWith('expr=')) {
    if (clause.length === 5) return 'missing condition';
    // mod_log_config parses the condition while reading and prints ap_expr's message bare.
    return checkExprSyntax(clause.slice(5));
  }
  return 'error in condition clause';
}

function addLog(directive: CustomLogEntry['directive']) {
  return (context: CommandContext, args: SplitArguments): Result => {
    if (directive === 'GlobalLog') {
      const contextError = checkCommandContext(context, GLOBAL_ONLY);
      if (contextError) return contextError;
    }
    const [target, format, clause] = args.words.map((word) => word.value);
    const entry: CustomLogEntry = { directive, target, format: format ?? null, condition: clause ?? null, source: sourceOf(context.node) };
    context.server.server.customLogs.push(entry);
    if (clause !== undefined) {
      const error = checkCondition(clause);
      if (error) return error;
    }
    return format !== undefined ? checkLogFormat(context.state, format) : null;
  };
}

function logFormat(context: CommandContext, args: SplitArguments): Result {
  const [format, nickname] = args.words.map((word) => word.value);
  const error = checkLogFormat(context.state, format);
  if (nickname === undefined || error === null) {
    context.server.server.logFormats.push({ nickname: nickname ?? null, format, source: sourceOf(context.node) });
  }
  return error;
}

function bufferedLogs(context: CommandContext, args: SplitArguments): Result {
  context.state.config.global.bufferedLogs = { value: args.flag === true, source: sourceOf(context.node) };
  return null;
}

/** Handlers for mod_log_config. */
export const logConfigHandlers: HandlerTable = {
  customlog: addLog('CustomLog'),
  transferlog: addLog('TransferLog'),
  globallog: addLog('GlobalLog'),
  logformat: logFormat,
  bufferedlogs: bufferedLogs,
};
