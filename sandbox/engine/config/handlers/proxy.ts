/**
 * mod_proxy and mod_proxy_wstunnel directives: ProxyPass / ProxyPassMatch (mod_proxy.c add_pass),
 * ProxyPassReverse, BalancerMember, ProxySet, <Proxy> / <ProxyMatch>, and the server and
 * per-directory switches, with httpd's checks in httpd's order.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import { hasWildcard } from '../include-files.ts';
import { readWord, skipSpaces, type Word } from '../lexer.ts';
import { emptyDirectoryScope } from '../model-factory.ts';
import type { BalancerDefinition, ProxyParam, ProxyPassRule, Section, Setting } from '../model.ts';
import { startupEvent } from '../parse-state.ts';
import {
  checkCommandContext,
  logForServer,
  NOT_IN_DIR_CONTEXT,
  NOT_IN_DIRECTORY,
  NOT_IN_FILES,
  recordNotSimulated,
  wordSpan,
  type CommandContext,
  type HandlerError,
  type HandlerTable,
} from '../process-phase.ts';
import { PROXY_CONF, ACCESS_CONF, OR_ALL } from '../directive-lookup.ts';
import { isValidHttpdRegex } from '../regex.ts';
import { addSection, sectionArgument, walkSection } from './core-sections.ts';
import {
  addWorker,
  checkBalancerParam,
  checkWorkerParam,
  defineBalancer,
  deSocketfy,
  findBalancer,
  findWorker,
  isBalancerName,
  setParam,
  workerName,
  type DefinedWorker,
} from './proxy-workers.ts';

type Result = HandlerError | string | null;

function setting<T>(context: CommandContext, value: T): Setting<T> {
  return { value, source: sourceOf(context.node) };
}

function wordsOf(raw: string): Word[] {
  const words: Word[] = [];
  for (let word = readWord(raw, 0); word; word = readWord(raw, word.end)) words.push(word);
  return words;
}

/** Parameters as httpd's table keeps them: keys as written, a later key replacing an earlier one. */
function writtenParams(words: Word[]): Array<ProxyParam & { written: string }> {
  const params: Array<ProxyParam & { written: string }> = [];
  for (const word of words) {
    const pair = splitKeyValue(word.value);
    if (!pair) continue;
    const existing = params.find((param) => param.key === pair.key.toLowerCase());
    if (existing) existing.value = pair.value;
    else params.push({ key: pair.key.toLowerCase(), value: pair.value, written: pair.key });
  }
  return params;
}

function splitKeyValue(word: string): { key: string; value: string } | null {
  const equals = word.indexOf('=');
  return equals === -1 ? null : { key: word.slice(0, equals), value: word.slice(equals + 1) };
}

/** AH01145/AH01149 (info) and the AH01146/AH01150 warning per parameter ignored because a worker is shared. */
function warnSharedWorker(context: CommandContext, codes: ['AH01145', 'AH01146'] | ['AH01149', 'AH01150'], url: string, params: Array<ProxyParam & { written?: string }>, worker: DefinedWorker, at: Word | undefined): void {
  logForServer(context, 'proxy', 'info', `${codes[0]}: Sharing worker '${worker.name}' instead of creating new worker '${url}'`);
  for (const param of params) {
    // Params keep their written case in httpd's table; the model lower-cases keys.
    const message = `${codes[1]}: Ignoring parameter '${param.written ?? param.key}=${param.value}' for worker '${worker.name}' because of worker sharing`;
    context.state.diagnostics.push({ code: codes[1], severity: 'warning', message, ...wordSpan(context, at) });
    logForServer(context, 'proxy', 'warn', message);
  }
}

/** add_pass: ProxyPass and ProxyPassMatch. */
function addPass(isRegex: boolean) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const contextError = checkCommandContext(context, NOT_IN_DIRECTORY | NOT_IN_FILES);
    if (contextError) return contextError;
    let fake: string | null = context.path;
    let real: string | null = null;
    let realWord: Word | undefined;
    let match = isRegex;
    const keywords: string[] = [];
    const params: ProxyParam[] = [];
    // apr_table_setn keeps keys as written; httpd matches them case-insensitively.
    const paramWords: Word[] = [];
    for (const word of wordsOf(args.raw)) {
      const value = word.value;
      if (fake === null) {
        if (value === '~') {
          if (isRegex) return { message: "ProxyPassMatch invalid syntax ('~' usage).", span: wordSpan(context, word) };
          match = true;
          continue;
        }
        fake = value;
      } else if (real === null) {
        real = value;
        realWord = word;
      } else if (['nocanon', 'interpolate', 'noquery'].includes(value.toLowerCase())) {
        keywords.push(value.toLowerCase());
      } else {
        const pair = splitKeyValue(value);
        if (!pair) {
          if (context.path !== null && real.startsWith('/')) {
            return { message: 'ProxyPass|ProxyPassMatch can not have a path when defined in a location.', span: wordSpan(context, realWord) };
          }
          return { message: "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.", span: wordSpan(context, word) };
        }
        if (pair.key.toLowerCase() === 'mapping') {
          if (!['encoded', 'servlet'].includes(pair.value.toLowerCase())) return { message: 'unknown mapping', span: wordSpan(context, word) };
          keywords.push(`mapping=${pair.value.toLowerCase()}`);
        } else {
          setParam(params, pair.key, pair.value);
          paramWords.push(word);
        }
      }
    }
    if (real === null || fake === null) return 'ProxyPass|ProxyPassMatch needs a path when not defined in a location';
    const plain = deSocketfy(real);
    if (plain === null) return { message: 'ProxyPass|ProxyPassMatch uses an invalid "unix:" URL', span: wordSpan(context, realWord) };
    const inSection = context.path !== null;
    if (inSection && hasWildcard(fake)) match = true;
    if (match && !isValidHttpdRegex(fake)) return 'Regular expression could not be compiled.';
    const rule: ProxyPassRule = {
      directive: isRegex ? 'ProxyPassMatch' : 'ProxyPass',
      path: fake,
      regex: match,
      target: real === '!' ? null : real,
      params,
      keywords,
      inSection,
      source: sourceOf(context.node),
    };
    if (inSection) context.scope.proxyPass = rule;
    else context.server.server.proxyPass.push(rule);
    if (real === '!') return null;

    if (isBalancerName(real)) {
      let balancer = findBalancer(context.server, real);
      if (!balancer) {
        const defined = defineBalancer(context.server, real, sourceOf(context.node));
        if ('error' in defined) return { message: `ProxyPass ${defined.error}`, span: wordSpan(context, realWord) };
        balancer = defined;
      }
      for (const [index, param] of params.entries()) {
        const error = checkBalancerParam(context.state, param.key, param.value);
        if (error) return { message: `ProxyPass ${error}`, span: wordSpan(context, paramWords[index]) };
        setParam(balancer.params, param.key, param.value);
      }
      rule.effectiveParams = balancer.params;
      rule.sharedWorker = null;
      return null;
    }
    const shared = findWorker(context.server, plain, null, { prefix: !match, match });
    if (shared) {
      warnSharedWorker(context, ['AH01145', 'AH01146'], plain, writtenParams(paramWords), shared, paramWords[0] ?? realWord);
      rule.effectiveParams = shared.params;
      rule.sharedWorker = shared.name;
      return null;
    }
    const named = workerName(real, match);
    if ('error' in named) return { message: `ProxyPass ${named.error}`, span: wordSpan(context, realWord) };
    for (const [index, param] of params.entries()) {
      const error = checkWorkerParam(context.state, param.key, param.value);
      if (error) return { message: `ProxyPass ${error}`, span: wordSpan(context, paramWords[index]) };
    }
    const worker: DefinedWorker = { name: named.name, matchable: match, params: [...params] };
    addWorker(context.server, worker, null);
    rule.effectiveParams = worker.params;
    rule.sharedWorker = null;
    return null;
  };
}

function addPassReverse(context: CommandContext, args: SplitArguments): Result {
  const contextError = checkCommandContext(context, NOT_IN_DIRECTORY | NOT_IN_FILES);
  if (contextError) return contextError;
  const [first, second, third] = args.words.map((word) => word.value);
  const isInterpolate = (value: string | undefined) => value !== undefined && value.toLowerCase() === 'interpolate';
  let path: string;
  let target: string;
  let flag: string | undefined;
  if (context.path === null) {
    if (second === undefined || isInterpolate(second)) return 'ProxyPassReverse needs a path when not defined in a location';
    [path, target, flag] = [first, second, third];
  } else {
    if (second !== undefined && !isInterpolate(second)) return 'ProxyPassReverse can not have a path when defined in a location';
    [path, target, flag] = [context.path, first, second];
  }
  context.scope.proxyPassReverse.push({ path, target, keywords: flag !== undefined ? ['interpolate'] : [], source: sourceOf(context.node) });
  return null;
}

/** ProxyPassReverseCookieDomain / ProxyPassReverseCookiePath: cookie_domain(), cookie_path() (no context check). */
function addCookieRule(kind: 'cookie-domain' | 'cookie-path') {
  return (context: CommandContext, args: SplitArguments): Result => {
    const [backendValue, clientValue, flag] = args.words.map((word) => word.value);
    context.scope.proxyPassReverse.push({
      kind,
      path: clientValue,
      target: backendValue,
      keywords: flag !== undefined ? ['interpolate'] : [],
      source: sourceOf(context.node),
    });
    return null;
  };
}

function balancerFor(context: CommandContext, name: string, prefix: string): BalancerDefinition | HandlerError {
  const existing = findBalancer(context.server, name);
  if (existing) return existing;
  const defined = defineBalancer(context.server, name, sourceOf(context.node));
  return 'error' in defined ? { message: `${prefix}${defined.error}` } : defined;
}

function addMember(context: CommandContext, args: SplitArguments): Result {
  let path = context.path;
  let name: string | null = null;
  let nameWord: Word | undefined;
  const params: ProxyParam[] = [];
  const paramWords: Word[] = [];
  for (const word of wordsOf(args.raw)) {
    const pair = splitKeyValue(word.value);
    if (pair) {
      setParam(params, pair.key, pair.value);
      paramWords.push(word);
    } else if (path === null) path = word.value;
    else if (name === null) {
      name = word.value;
      nameWord = word;
    } else if (context.path !== null) {
      return { message: 'BalancerMember can not have a balancer name when defined in a location', span: wordSpan(context, word) };
    } else {
      return { message: "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'", span: wordSpan(context, word) };
    }
  }
  if (path === null) return 'BalancerMember must define balancer name when outside <Proxy > section';
  if (name === null) return 'BalancerMember must define remote proxy server';
  const plain = deSocketfy(name);
  if (plain === null) return { message: 'BalancerMember uses an invalid "unix:" URL', span: wordSpan(context, nameWord) };
  const balancer = balancerFor(context, path.toLowerCase(), 'BalancerMember ');
  if ('message' in balancer) return balancer;
  const shared = findWorker(context.server, plain, balancer.name, { prefix: true, match: true });
  if (shared) {
    warnSharedWorker(context, ['AH01149', 'AH01150'], name, writtenParams(paramWords), shared, paramWords[0] ?? nameWord);
    return null;
  }
  logForServer(context, 'proxy', 'debug', `AH01147: Defining worker '${name}' for balancer '${balancer.name}'`, 'mod_proxy.c(2674)');
  const named = workerName(name, false);
  if ('error' in named) return { message: `BalancerMember ${named.error}`, span: wordSpan(context, nameWord) };
  addWorker(context.server, { name: named.name, matchable: false, params }, balancer.name);
  logForServer(context, 'proxy', 'debug', `AH01148: Defined worker '${named.name}' for balancer '${balancer.name}'`, 'mod_proxy.c(2679)');
  balancer.members.push({ url: name, params, source: sourceOf(context.node) });
  for (const [index, param] of params.entries()) {
    const error = checkWorkerParam(context.state, param.key, param.value);
    if (error) return { message: `BalancerMember ${error}`, span: wordSpan(context, paramWords[index]) };
  }
  return null;
}

function proxySet(context: CommandContext, args: SplitArguments): Result {
  const parent = context.node.parent;
  const inProxySection = parent !== null && parent.name.slice(0, 6).toLowerCase() === '<proxy';
  let words = wordsOf(args.raw);
  let name: string;
  let match = false;
  if (inProxySection) {
    const first = readWord(parent.args, 0);
    name = (first?.value ?? '').split('>')[0];
    match = parent.name.slice(6, 11).toLowerCase() === 'match';
  } else {
    name = words[0]?.value ?? '';
    words = words.slice(1);
  }
  let balancer: BalancerDefinition | null = null;
  let worker: DefinedWorker | null = null;
  if (isBalancerName(name)) {
    balancer = findBalancer(context.server, name);
    if (!balancer) {
      if (!inProxySection) return `ProxySet can not find '${name}' Balancer.`;
      const defined = defineBalancer(context.server, name, sourceOf(context.node));
      if ('error' in defined) return `ProxySet ${defined.error}`;
      balancer = defined;
    }
  } else {
    const plain = deSocketfy(name);
    if (plain === null) return 'ProxySet uses an invalid "unix:" URL';
    worker = findWorker(context.server, plain, null, inProxySection ? { prefix: !match, match } : { prefix: true, match: true });
    if (!worker) {
      if (!inProxySection) return `ProxySet can not find '${name}' Worker.`;
      const named = workerName(name, match);
      if ('error' in named) return `ProxySet ${named.error}`;
      worker = { name: named.name, matchable: match, params: [] };
      addWorker(context.server, worker, null);
    }
  }
  for (const word of words) {
    const pair = splitKeyValue(word.value);
    if (!pair) return { message: "Invalid ProxySet parameter. Parameter must be in the form 'key=value'", span: wordSpan(context, word) };
    const error = worker ? checkWorkerParam(context.state, pair.key, pair.value) : checkBalancerParam(context.state, pair.key, pair.value);
    if (error) return { message: `ProxySet: ${error} ${pair.key}=${pair.value}; ${name}`, span: wordSpan(context, word) };
    if (balancer) setParam(balancer.params, pair.key, pair.value);
    if (worker) {
      setParam(worker.params, pair.key, pair.value);
      recordWorkerParams(context, name, worker.params);
    }
  }
  return null;
}

function recordWorkerParams(context: CommandContext, url: string, params: ProxyParam[]): void {
  const workers = context.server.server.workers;
  const existing = workers.find((entry) => entry.url === url);
  if (existing) existing.params = [...params];
  else workers.push({ url, params: [...params], source: sourceOf(context.node) });
}

/** proxysection: <Proxy> and <ProxyMatch>. */
function proxySection(isMatch: boolean) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const contextError = checkCommandContext(context, NOT_IN_DIR_CONTEXT);
    if (contextError) return contextError;
    const inner = sectionArgument(context, args.raw);
    if (typeof inner !== 'string') return inner;
    const first = readWord(inner, 0);
    let path = first?.value ?? '';
    let rest = first ? skipSpaces(inner, first.end) : inner.length;
    if (path.slice(0, 6).toLowerCase() === 'proxy:') path = path.slice(6);
    if (isMatch && !isValidHttpdRegex(path)) return 'Regex could not be compiled';
    const section: Section = { kind: isMatch ? 'ProxyMatch' : 'Proxy', match: path, regex: isMatch, settings: emptyDirectoryScope(), nested: [], source: sourceOf(context.node) };
    addSection(context, section);
    walkSection(context, section, path, OR_ALL | ACCESS_CONF | PROXY_CONF);
    if (rest >= inner.length) return null;
    const name = context.spec.name;
    if (isMatch) return 'Multiple <ProxyMatch> arguments not (yet) supported.';
    if (hasWildcard(path)) return `${name}> arguments are not supported for wildchar url.`;
    if (!path.includes(':')) return `${name}> arguments are not supported for non url.`;
    let balancer: BalancerDefinition | null = null;
    let worker: DefinedWorker | null = null;
    if (isBalancerName(path)) {
      const found = balancerFor(context, path, `${name} `);
      if ('message' in found) return found;
      balancer = found;
    } else {
      const plain = deSocketfy(path);
      if (plain === null) return '<Proxy/ProxyMatch > uses an invalid "unix:" URL';
      worker = findWorker(context.server, plain, null, { prefix: true, match: false });
      if (!worker) {
        const named = workerName(path, false);
        if ('error' in named) return `${name} ${named.error}`;
        worker = { name: named.name, matchable: false, params: [] };
        addWorker(context.server, worker, null);
      }
    }
    while (rest < inner.length) {
      const word = readWord(inner, rest);
      if (!word) break;
      rest = skipSpaces(inner, word.end);
      const pair = splitKeyValue(word.value);
      if (!pair) return "Invalid Proxy parameter. Parameter must be in the form 'key=value'";
      const error = worker ? checkWorkerParam(context.state, pair.key, pair.value) : checkBalancerParam(context.state, pair.key, pair.value);
      if (error) return `${name} ${error} ${pair.key}=${pair.value}; ${path}`;
      if (balancer) setParam(balancer.params, pair.key, pair.value);
      if (worker) {
        setParam(worker.params, pair.key, pair.value);
        recordWorkerParams(context, path, worker.params);
      }
    }
    return null;
  };
}

function serverFlag(key: 'proxyRequests' | 'proxyPassInherit' | 'balancerInherit') {
  return (context: CommandContext, args: SplitArguments): Result => {
    context.server.server[key] = setting(context, args.flag === true);
    return null;
  };
}

function directoryFlag(key: 'preserveHost' | 'addHeaders' | 'websocketFallbackToProxyHttp' | 'forward100Continue') {
  return (context: CommandContext, args: SplitArguments): Result => {
    context.scope[key] = setting(context, args.flag === true);
    return null;
  };
}

function proxyTimeout(context: CommandContext, args: SplitArguments): Result {
  const seconds = atoi(args.words[0].value);
  if (seconds < 1) return { message: 'Proxy Timeout must be at least 1 second.', span: wordSpan(context, args.words[0]) };
  context.server.server.proxyTimeout = setting(context, seconds);
  return null;
}

function receiveBufferSize(context: CommandContext, args: SplitArguments): Result {
  const size = atoi(args.words[0].value);
  if (size < 512 && size !== 0) return { message: 'ProxyReceiveBufferSize must be >= 512 bytes, or 0 for system default.', span: wordSpan(context, args.words[0]) };
  context.server.server.proxyReceiveBufferSize = setting(context, size);
  return null;
}

function proxyVia(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value.toLowerCase();
  if (value !== 'off' && value !== 'on' && value !== 'block' && value !== 'full') {
    return { message: 'ProxyVia must be one of: off | on | full | block', span: wordSpan(context, args.words[0]) };
  }
  context.server.server.proxyVia = setting(context, value);
  return null;
}

/** Handlers for mod_proxy and mod_proxy_wstunnel. */
export const proxyHandlers: HandlerTable = {
  proxypass: addPass(false),
  proxypassmatch: addPass(true),
  proxypassreverse: addPassReverse,
  proxypassreversecookiedomain: addCookieRule('cookie-domain'),
  proxypassreversecookiepath: addCookieRule('cookie-path'),
  balancermember: addMember,
  proxyset: proxySet,
  '<proxy': proxySection(false),
  '<proxymatch': proxySection(true),
  proxyrequests: serverFlag('proxyRequests'),
  proxypassinherit: serverFlag('proxyPassInherit'),
  balancerinherit: serverFlag('balancerInherit'),
  proxypreservehost: directoryFlag('preserveHost'),
  proxyaddheaders: directoryFlag('addHeaders'),
  proxy100continue: directoryFlag('forward100Continue'),
  proxywebsocketfallbacktoproxyhttp: directoryFlag('websocketFallbackToProxyHttp'),
  proxytimeout: proxyTimeout,
  proxyreceivebuffersize: receiveBufferSize,
  proxyvia: proxyVia,
};
