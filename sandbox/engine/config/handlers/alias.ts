/**
 * mod_alias redirects (mod_alias.c add_redirect_internal): Redirect, RedirectMatch,
 * RedirectPermanent, RedirectTemp, with httpd's status keywords and messages.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import type { RedirectRule } from '../model.ts';
import type { CommandContext, HandlerError, HandlerTable } from '../process-phase.ts';
import { isValidHttpdRegex } from '../regex.ts';

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

/** Handlers for mod_alias redirects. */
export const aliasHandlers: HandlerTable = {
  redirect: addRedirect('Redirect', 302, false),
  redirectmatch: addRedirect('RedirectMatch', 302, true),
  redirectpermanent: addRedirect('RedirectPermanent', 301, false),
  redirecttemp: addRedirect('RedirectTemp', 302, false),
};
