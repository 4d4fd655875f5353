/**
 * mod_alias redirects (mod_alias.c add_redirect_internal): Redirect, RedirectMatch,
 * RedirectPermanent, RedirectTemp, with httpd's status keywords and messages; and the checks
 * add_alias / add_alias_internal make on Alias, ScriptAlias and their Match forms (the sandbox
 * serves no files, so aliases are recorded as not simulated).
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import type { RedirectRule } from '../model.ts';
import type { ServerConfig } from '../model.ts';
import {
  checkCommandContext,
  logForServer,
  NOT_IN_DIR_CONTEXT,
  NOT_IN_DIRECTORY,
  NOT_IN_FILES,
  recordNotSimulated,
  type CommandContext,
  type HandlerError,
  type HandlerTable,
} from '../process-phase.ts';
import { compileHttpdRegex, isValidHttpdRegex } from '../regex.ts';
import { stringExprError } from './string-expr.ts';
import { aliasMatch } from '../../routing/alias-match.ts';

type Result = HandlerError | string | null;

/** ap_is_url: a scheme of letters, digits, "+", "-", "." followed by ":". */
export function isUrl(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && /^[A-Za-z0-9+\-.]+$/.test(text.slice(0, colon));
}

const isRedirectStatus = (status: number) => status >= 300 && status <= 399;

function addRedirect(directive: RedirectRule['directive'], defaultStatus: number, useRegex: boolean) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const [arg1, arg2, arg3] = args.words.map((word) => word.value) as [string, string | undefined, string | undefined];
    let status = defaultStatus;
    // 1: a status keyword or 3xx code, -1: a status that takes no URL, 0: not a status at all.
    let grokked: 1 | 0 | -1 = 1;
    const lower = arg1.toLowerCase();
    if (lower === 'permanent') status = 301;
    else if (lower === 'temp') status = 302;
    else if (lower === 'seeother') status = 303;
    else if (lower === 'gone') {
      status = 410;
      grokked = -1;
    } else if (/^\d/.test(arg1)) {
      status = atoi(arg1);
      if (!isRedirectStatus(status)) grokked = -1;
    } else {
      grokked = 0;
    }
    if (arg3 !== undefined && grokked === 0) return 'Redirect: invalid first argument (of three)';
    const source = sourceOf(context.node);
    if (context.path !== null) {
      if ((grokked > 0 && arg2 !== undefined && arg3 === undefined) || (grokked === 0 && arg2 === undefined)) {
        const target = grokked ? (arg2 as string) : arg1;
        const exprError = stringExprError(target, (error) => `Cannot parse redirect expression '${target}': ${error}`);
        if (exprError) return exprError;
        context.scope.redirects.push({ directive, status, path: context.path, regex: false, target, inSection: true, source });
        return null;
      }
      if (grokked < 0 && arg2 === undefined) {
        context.scope.redirects.push({ directive, status, path: context.path, regex: false, target: null, inSection: true, source });
        return null;
      }
    }
    let fake = arg2;
    let url = arg3;
    if (arg3 === undefined && grokked === 0) {
      fake = arg1;
      url = arg2;
    }
    if (useRegex && !isValidHttpdRegex(fake ?? '')) return 'Regular expression could not be compiled.';
    if (isRedirectStatus(status)) {
      if (url === undefined) return 'URL to redirect to is missing';
      if (!useRegex && !isUrl(url) && !url.startsWith('/')) return 'Redirect to non-URL';
    } else if (url !== undefined) {
      return 'Redirect URL not valid for this status';
    }
    const rule: RedirectRule = { directive, status, path: fake ?? '', regex: useRegex, target: url ?? null, inSection: false, source };
    if (context.path !== null) context.scope.redirects.push(rule);
    else context.server.server.redirects.push(rule);
    return null;
  };
}

/** An alias of one server's alias_server_conf, as far as add_alias_internal's overlap check needs it. */
interface AliasEntry {
  fake: string;
  /** An AliasMatch / ScriptAliasMatch. */
  match: boolean;
  /** Its pattern, when JavaScript can run it (a pattern it cannot run is never found to overlap). */
  regex: RegExp | null;
  script: boolean;
}

/** Each server's (Script)Alias(Match) entries so far, in order (httpd's conf->aliases). */
const serverAliases = new WeakMap<ServerConfig, AliasEntry[]>();

/** add_alias_internal: two-argument forms and the Match forms, with the AH00671 overlap warning. */
function addAliasInternal(context: CommandContext, fake: string, useRegex: boolean): Result {
  const contextError = checkCommandContext(context, NOT_IN_DIR_CONTEXT);
  if (contextError) return contextError;
  let regex: RegExp | null = null;
  if (useRegex) {
    const compiled = compileHttpdRegex(fake);
    if (!compiled.ok && !compiled.unsupported) return 'Regular expression could not be compiled.';
    regex = compiled.ok ? compiled.regex : null;
  }
  const entries = serverAliases.get(context.server) ?? [];
  serverAliases.set(context.server, entries);
  const script = context.spec.name.startsWith('Script');
  if (!useRegex) {
    const earlier = entries.find((entry) => (entry.match ? entry.regex?.test(fake) === true : aliasMatch(fake, entry.fake) > 0));
    if (earlier) {
      const { node } = context;
      logForServer(
        context,
        'alias',
        'warn',
        `AH00671: The ${context.spec.name} directive in ${node.file} at line ${node.line.httpdLine} will probably never match because it overlaps an earlier ${earlier.script ? 'Script' : ''}Alias${earlier.match ? 'Match' : ''}.`,
      );
    }
  }
  entries.push({ fake, match: useRegex, regex, script });
  return null;
}

/** add_alias: Alias / ScriptAlias; one argument only in a <Location> (an expression). */
function addAlias(context: CommandContext, args: SplitArguments): Result {
  const [fake, real] = args.words.map((word) => word.value);
  const result = real !== undefined ? addAliasInternal(context, fake, false) : addExpressionAlias(context, fake);
  if (result === null) recordNotSimulated(context, args.words.map((word) => word.value));
  return result;
}

function addExpressionAlias(context: CommandContext, fake: string): Result {
  const contextError = checkCommandContext(context, NOT_IN_DIRECTORY | NOT_IN_FILES);
  if (contextError) return contextError;
  if (context.path === null) return 'Alias must have two arguments when used globally';
  return stringExprError(fake, (error) => `Cannot parse alias expression '${fake}': ${error}`);
}

function addAliasRegex(context: CommandContext, args: SplitArguments): Result {
  const result = addAliasInternal(context, args.words[0].value, true);
  if (result === null) recordNotSimulated(context, args.words.map((word) => word.value));
  return result;
}

/** Handlers for mod_alias. */
export const aliasHandlers: HandlerTable = {
  alias: addAlias,
  scriptalias: addAlias,
  aliasmatch: addAliasRegex,
  scriptaliasmatch: addAliasRegex,
  redirect: addRedirect('Redirect', 302, false),
  redirectmatch: addRedirect('RedirectMatch', 302, true),
  redirectpermanent: addRedirect('RedirectPermanent', 301, false),
  redirecttemp: addRedirect('RedirectTemp', 302, false),
};
