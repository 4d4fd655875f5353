/**
 * Authorization as mod_authz_core's apply_authz_sections() evaluates it, with the providers of
 * mod_authz_core (all, env, method) and mod_authz_host (ip, host, local). A section's children are
 * combined with AND (<RequireAll>) or OR (<RequireAny>, and a scope's implicit top level); "not"
 * turns granted into denied and denied into neutral; the whole tree is applied as an AND, so a
 * neutral result denies.
 */
import { evaluateExpr, type ExprLookup } from './ap-expr.ts';
import type { RequireNode, RequireRule } from '../config/model.ts';
import type { AuthzTree } from './directory-state.ts';

/** Outcome of an authorization check (authz_status). */
export type AuthzResult = 'granted' | 'denied' | 'denied-no-user' | 'neutral';

/** What the providers look at. */
export interface AuthzContext {
  method: string;
  clientIp: string;
  localIp: string;
  /** Environment variables set for the request (subprocess_env). */
  env: Readonly<Record<string, string>>;
  /** Double-reverse DNS name of the client, or null when it has none. */
  clientHostname: string | null;
  /** %{NAME} and function lookups for Require expr; without it, expr is not evaluated. */
  expr?: ExprLookup;
  /** r->user once authentication ran; absent or null before. */
  user?: string | null;
  /** The request came over TLS (mod_ssl's Require ssl). */
  secure?: boolean;
  /** r->uri, for the providers' log lines. */
  uri?: string;
  /**
   * Where the log lines go: authz_core's debug AH01626 for every section evaluated, authz_user's
   * debug AH01663. `origin` is the source position httpd prints on debug lines.
   */
  log?: (module: string, level: 'debug', code: string, message: string, origin?: string) => void;
}

/** One Require line's verdict, for the traffic tap. */
export interface AuthzStep {
  rule: RequireRule;
  result: AuthzResult;
  note: string;
}

/** Evaluate a merged authorization tree; null (no Require anywhere) grants. */
export function evaluateAuthz(tree: AuthzTree | null, context: AuthzContext): { result: AuthzResult; steps: AuthzStep[] } {
  const steps: AuthzStep[] = [];
  if (tree === null) return { result: 'granted', steps };
  const result = evaluateNode(tree, context, steps);
  return { result, steps };
}

function evaluateNode(node: AuthzTree, context: AuthzContext, steps: AuthzStep[]): AuthzResult {
  const result = evaluateSection(node, context, steps);
  // apply_authz_sections() logs each section's result (after "not"), children before parents.
  context.log?.('authz_core', 'debug', 'AH01626', `authorization result of ${formatAuthzCommand(node)}: ${formatAuthzResult(result)}`, 'mod_authz_core.c(815)');
  return result;
}

/** format_authz_command(): "Require [not ]provider args", "<RequireAll>", "AuthMerging Any"... */
export function formatAuthzCommand(node: AuthzTree): string {
  if (node.kind === 'rule') return `Require ${node.negated ? 'not ' : ''}${node.provider} ${node.rawArgs ?? node.args.join(' ')}`;
  if (node.kind === 'merged') return `AuthMerging ${node.op === 'and' ? 'All' : 'Any'}`;
  return node.kind === 'all' ? '<RequireAll>' : node.kind === 'none' ? '<RequireNone>' : '<RequireAny>';
}

/** format_authz_result(). */
function formatAuthzResult(result: AuthzResult): string {
  if (result === 'denied-no-user') return 'denied (no authenticated user yet)';
  return result;
}

function evaluateSection(node: AuthzTree, context: AuthzContext, steps: AuthzStep[]): AuthzResult {
  if (node.kind === 'rule') {
    const verdict = evaluateRule(node, context);
    const result = node.negated ? negate(verdict.result) : verdict.result;
    steps.push({ rule: node, result, note: verdict.note });
    return result;
  }
  const op: 'and' | 'or' = node.kind === 'merged' ? node.op : node.kind === 'all' ? 'and' : 'or';
  let result: AuthzResult = 'neutral';
  for (const child of node.children as AuthzTree[]) {
    const childResult = evaluateNode(child, context, steps);
    if (childResult === 'neutral') continue;
    if (op === 'and') {
      if (childResult === 'denied') {
        result = childResult;
        break;
      }
      if ((childResult === 'denied-no-user' && result !== 'denied') || result === 'neutral') result = childResult;
    } else {
      if (childResult === 'granted') {
        result = childResult;
        break;
      }
      if ((childResult === 'denied-no-user' && result === 'denied') || result === 'neutral') result = childResult;
    }
  }
  // <RequireNone> is a negated RequireAny.
  if (node.kind === 'none') result = negate(result);
  return result;
}

function negate(result: AuthzResult): AuthzResult {
  if (result === 'granted') return 'denied';
  if (result === 'denied' || result === 'denied-no-user') return 'neutral';
  return result;
}

function evaluateRule(rule: RequireRule, context: AuthzContext): { result: AuthzResult; note: string } {
  switch (rule.provider) {
    case 'all': {
      const granted = rule.args[0]?.toLowerCase() === 'granted';
      return { result: granted ? 'granted' : 'denied', note: granted ? 'everyone is granted' : 'everyone is denied' };
    }
    case 'ip': {
      const hit = rule.args.find((spec) => ipMatches(spec, context.clientIp));
      return hit
        ? { result: 'granted', note: `client ${context.clientIp} is in ${hit}` }
        : { result: 'denied', note: `client ${context.clientIp} is not in ${rule.args.join(' ')}` };
    }
    case 'local': {
      const local = isLoopback(context.clientIp) || sameIp(context.clientIp, context.localIp);
      return local
        ? { result: 'granted', note: `client ${context.clientIp} is local` }
        : { result: 'denied', note: `client ${context.clientIp} is not local` };
    }
    case 'host': {
      const name = context.clientHostname;
      if (name === null) return { result: 'denied', note: `client ${context.clientIp} has no reverse DNS name` };
      const hit = rule.args.find((domain) => hostInDomain(name, domain));
      return hit
        ? { result: 'granted', note: `client host ${name} is in ${hit}` }
        : { result: 'denied', note: `client host ${name} is not in ${rule.args.join(' ')}` };
    }
    case 'method': {
      const hit = rule.args.includes(context.method);
      return { result: hit ? 'granted' : 'denied', note: `method ${context.method} ${hit ? 'is' : 'is not'} listed` };
    }
    case 'env': {
      const hit = rule.args.find((name) => name in context.env);
      return hit
        ? { result: 'granted', note: `environment variable ${hit} is set` }
        : { result: 'denied', note: `none of ${rule.args.join(' ')} is set` };
    }
    case 'expr': {
      if (!context.expr) return { result: 'neutral', note: 'Require expr needs the request to evaluate' };
      const outcome = evaluateExpr(rule.args.join(' '), context.expr);
      if (!outcome.ok) return { result: 'denied', note: `expression could not be evaluated: ${outcome.error}` };
      return { result: outcome.value ? 'granted' : 'denied', note: `expression is ${outcome.value ? 'true' : 'false'}` };
    }
    case 'user': {
      const user = context.user ?? null;
      if (user === null) return { result: 'denied-no-user', note: 'needs an authenticated user' };
      if (rule.args.includes(user)) return { result: 'granted', note: `user ${user} is listed` };
      context.log?.('authz_user', 'debug', 'AH01663', `access to ${context.uri ?? ''} failed, reason: user '${user}' does not meet 'require'ments for user to be allowed access`, 'mod_authz_user.c(77)');
      return { result: 'denied', note: `user ${user} is not listed` };
    }
    case 'valid-user': {
      const user = context.user ?? null;
      return user === null ? { result: 'denied-no-user', note: 'needs an authenticated user' } : { result: 'granted', note: `user ${user} is authenticated` };
    }
    case 'ssl':
      // ssl_authz_require_ssl_check: granted on a TLS connection, denied otherwise.
      return context.secure ? { result: 'granted', note: 'the request came over TLS' } : { result: 'denied', note: 'the request did not come over TLS' };
    case 'group':
      if ((context.user ?? null) !== null) return { result: 'neutral', note: 'Require group is not simulated by the sandbox' };
      return { result: 'denied-no-user', note: 'needs an authenticated user' };
    default:
      return { result: 'neutral', note: `Require ${rule.provider} is not simulated by the sandbox` };
  }
}

/** apr_ipsubnet_test() for one Require ip argument: full or partial address, /bits or /netmask. */
export function ipMatches(spec: string, clientIp: string): boolean {
  const client = parseIp(clientIp);
  if (!client) return false;
  const [address, mask] = spec.split('/', 2);
  if (address.includes(':')) {
    const network = parseIp(address);
    if (!network || network.length !== 16 || client.length !== 16) return false;
    const bits = mask === undefined ? 128 : Number(mask);
    return Number.isInteger(bits) && prefixEqual(network, client, bits);
  }
  const parts = address.split('.').filter((part) => part !== '');
  if (parts.length === 0 || parts.length > 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return false;
  const network = [...parts.map(Number), 0, 0, 0, 0].slice(0, 4);
  let bits = parts.length * 8;
  if (mask !== undefined) {
    if (/^\d+$/.test(mask)) bits = Number(mask);
    else {
      const maskParts = mask.split('.').map(Number);
      if (maskParts.length !== 4) return false;
      bits = maskParts.reduce((count, octet) => count + popcount(octet), 0);
    }
  }
  const client4 = client.length === 4 ? client : mappedIpv4(client);
  return client4 !== null && prefixEqual(network, client4, bits);
}

function popcount(value: number): number {
  let count = 0;
  for (let bit = 0; bit < 8; bit++) if (value & (1 << bit)) count++;
  return count;
}

function prefixEqual(a: number[], b: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = Math.floor(bit / 8);
    const mask = 0x80 >> (bit % 8);
    if ((a[byte] & mask) !== (b[byte] & mask)) return false;
  }
  return true;
}

function mappedIpv4(bytes: number[]): number[] | null {
  const prefix = bytes.slice(0, 12);
  const isMapped = prefix.slice(0, 10).every((byte) => byte === 0) && prefix[10] === 0xff && prefix[11] === 0xff;
  return isMapped ? bytes.slice(12) : null;
}

/** Bytes of an IPv4 (4) or IPv6 (16) literal, or null. */
export function parseIp(text: string): number[] | null {
  const bare = text.replace(/^\[|\]$/g, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bare)) {
    const bytes = bare.split('.').map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : null;
  }
  if (!bare.includes(':')) return null;
  let head = bare;
  let tail4: number[] = [];
  const v4 = /(\d{1,3}(\.\d{1,3}){3})$/.exec(bare);
  if (v4) {
    tail4 = v4[1].split('.').map(Number);
    head = bare.slice(0, -v4[1].length) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const left = halves[0] === '' ? [] : halves[0].split(':');
  const right = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (groups.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return null;
  const bytes = groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail4.length === 4) bytes.splice(12, 4, ...tail4);
  return bytes;
}

function isLoopback(ip: string): boolean {
  const bytes = parseIp(ip);
  if (!bytes) return false;
  if (bytes.length === 4) return bytes[0] === 127;
  const v4 = mappedIpv4(bytes);
  if (v4) return v4[0] === 127;
  return bytes.slice(0, 15).every((byte) => byte === 0) && bytes[15] === 1;
}

function sameIp(a: string, b: string): boolean {
  const left = parseIp(a);
  const right = parseIp(b);
  if (!left || !right) return false;
  const l = left.length === 16 ? (mappedIpv4(left) ?? left) : left;
  const r = right.length === 16 ? (mappedIpv4(right) ?? right) : right;
  return l.length === r.length && l.every((byte, index) => byte === r[index]);
}

/** Require host: the name equals the domain or ends with "." + domain (case-insensitive). */
function hostInDomain(name: string, domain: string): boolean {
  const host = name.toLowerCase();
  const wanted = domain.toLowerCase().replace(/^\./, '');
  return host === wanted || host.endsWith(`.${wanted}`);
}

/** Format a RequireNode for explanations ("Require ip 10.0.0.0/8"). */
export function describeRequire(node: RequireNode): string {
  if (node.kind === 'rule') return `Require ${node.negated ? 'not ' : ''}${node.provider} ${node.args.join(' ')}`.trim();
  const name = node.kind === 'all' ? 'RequireAll' : node.kind === 'any' ? 'RequireAny' : 'RequireNone';
  return `<${name}>`;
}
