/**
 * The check_user_id phase for HTTP Basic: mod_auth_basic's authenticate_basic_user() asking its
 * providers (mod_authn_file's check_password, mod_authn_anon's check_anonymous) in order, then
 * mod_authn_core's authenticate_no_user() as the last hook. It runs only when authorization
 * needs a user (mod_authz_core answered AUTHZ_DENIED_NO_USER without one).
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { AnonymousConfig } from '../config/model.ts';
import type { AuthnState } from '../routing/directory-state.ts';
import { validatePassword } from './password-hash.ts';

/** What the phase decided: an authenticated user, or httpd's own answer. */
export type AuthenticationResult =
  | { ok: true; user: string; log: LogLine[] }
  /** `challenge`: the answer carries WWW-Authenticate (note_basic_auth_failure). */
  | { ok: false; status: number; challenge: boolean; log: LogLine[]; reason: string };

export type LogLine = Omit<ErrorLogEntry, 'client'>;

export interface AuthenticationRequest {
  /** r->uri, as the log lines print it. */
  uri: string;
  /** The Authorization request header, if any. */
  authorization: string | undefined;
  /** Module source names loaded ("mod_auth_basic.c"). */
  modules: ReadonlySet<string>;
  /** Reads a file the config names; null when it cannot be opened. */
  readFile: (path: string) => string | null;
}

type ProviderResult = 'granted' | 'denied' | 'user-not-found' | 'general-error';

/** ap_auth_type(): AuthType "None" counts as none. */
export function effectiveAuthType(authn: AuthnState): string | null {
  const type = authn.authType;
  return type === null || type.toLowerCase() === 'none' ? null : type;
}

/** The WWW-Authenticate value note_basic_auth_failure() sets. */
export function basicChallenge(authn: AuthnState): string {
  return `Basic realm="${authn.authName ?? ''}"`;
}

/** Run the check_user_id hooks in httpd's order. */
export function authenticate(authn: AuthnState, request: AuthenticationRequest): AuthenticationResult {
  const authType = effectiveAuthType(authn);
  if (request.modules.has('mod_auth_basic.c') && authType !== null && authType.toLowerCase() === 'basic') {
    const basic = authenticateBasic(authn, request);
    if (basic !== 'declined') return basic;
  }
  if (request.modules.has('mod_authn_core.c')) {
    if (authType !== null) {
      const message = `AuthType ${authType} configured without corresponding module`;
      return fail(500, false, [{ module: 'authn_core', level: 'error', code: 'AH01796', message }], message);
    }
    // authenticate_no_user says OK without setting a user; the core refuses that.
    const message = `No authentication done but request not allowed without authentication for ${request.uri}. Authentication not configured?`;
    return fail(500, false, [{ module: 'core', level: 'error', code: 'AH00027', message }], 'a Require needs an authenticated user, but no AuthType is set');
  }
  // No module answered: decl_die() for the "check user" phase.
  const message = `configuration error:  couldn't check user: ${request.uri}`;
  return fail(500, false, [{ module: 'core', level: 'crit', code: 'AH00025', message }], 'a Require needs an authenticated user, but no authentication module is loaded');
}

function fail(status: number, challenge: boolean, log: LogLine[], reason: string): AuthenticationResult {
  return { ok: false, status, challenge, log, reason };
}

function authenticateBasic(authn: AuthnState, request: AuthenticationRequest): AuthenticationResult | 'declined' {
  const log = (code: string, message: string, level: LogLine['level'] = 'error', module = 'auth_basic'): LogLine => ({ module, level, code, message });
  if (authn.authName === null) return fail(500, false, [log('AH01615', `need AuthName: ${request.uri}`)], 'AuthType Basic needs an AuthName');
  const line = request.authorization;
  if (line === undefined) return fail(401, true, [], 'no credentials were sent');
  const space = line.indexOf(' ');
  const scheme = space === -1 ? line : line.slice(0, space);
  if (scheme.toLowerCase() !== 'basic') {
    return fail(401, true, [log('AH01614', `client used wrong authentication scheme: ${request.uri}`)], `the client used the ${scheme} scheme`);
  }
  const decoded = decodeBase64(line.slice(space + 1).replace(/^[ \t]+/, ''));
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);

  const lines: LogLine[] = [];
  let result: ProviderResult = 'user-not-found';
  const providers = authn.basicProviders;
  if (providers === null && !request.modules.has('mod_authn_file.c')) {
    return fail(500, false, [log('AH01616', 'No Authn provider configured')], 'no AuthBasicProvider and no mod_authn_file');
  }
  for (const provider of providers ?? ['file']) {
    result = checkProvider(provider, authn, user, password, request, lines);
    if (result !== 'user-not-found') break;
  }
  if (result === 'granted') return { ok: true, user, log: lines };
  if (!authn.basicAuthoritative && result !== 'denied') return 'declined';
  if (result === 'denied') {
    lines.push(log('AH01617', `user ${user}: authentication failure for "${request.uri}": Password Mismatch`));
    return fail(401, true, lines, `the password of user ${user} does not match`);
  }
  if (result === 'user-not-found') {
    lines.push(log('AH01618', `user ${user} not found: ${request.uri}`));
    return fail(401, true, lines, `user ${user} is not known`);
  }
  return fail(500, false, lines, 'the authentication provider failed');
}

function checkProvider(provider: string, authn: AuthnState, user: string, password: string, request: AuthenticationRequest, log: LogLine[]): ProviderResult {
  if (provider === 'file') return checkFile(authn.userFile, user, password, request, log);
  if (provider === 'anon') return checkAnonymous(authn.anonymous, user, password, log);
  // dbm, dbd, socache, ldap: their stores are not simulated, so no user is found there.
  return 'user-not-found';
}

/** mod_authn_file's check_password: the first "user:hash" line with that user decides. */
function checkFile(path: string | null, user: string, password: string, request: AuthenticationRequest, log: LogLine[]): ProviderResult {
  if (path === null) {
    log.push({ module: 'authn_file', level: 'error', code: 'AH01619', message: 'AuthUserFile not specified in the configuration' });
    return 'general-error';
  }
  const text = request.readFile(path);
  if (text === null) {
    log.push({ module: 'authn_file', level: 'error', code: 'AH01620', message: `Could not open password file: ${path}`, osError: '(2)No such file or directory' });
    return 'general-error';
  }
  for (const rawLine of text.split('\n')) {
    // ap_cfg_getline strips leading and trailing white space.
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (name !== user) continue;
    const rest = colon === -1 ? '' : line.slice(colon + 1);
    const hash = rest.includes(':') ? rest.slice(0, rest.indexOf(':')) : rest;
    return validatePassword(password, hash) ? 'granted' : 'denied';
  }
  return 'user-not-found';
}

/** mod_authn_anon's check_anonymous. */
function checkAnonymous(anon: AnonymousConfig | null, user: string, password: string, log: LogLine[]): ProviderResult {
  if (anon === null || (anon.users.length === 0 && !anon.anyUser)) return 'user-not-found';
  const found = user === '' ? anon.noUserId : anon.anyUser || anon.users.some((name) => name.toLowerCase() === user.toLowerCase());
  if (!found) return 'user-not-found';
  const emailOk = !anon.verifyEmail || (password.includes('@') && password.includes('.'));
  if ((!anon.mustGiveEmail || password !== '') && emailOk) {
    if (anon.logEmail) log.push({ module: 'authn_anon', level: 'info', code: 'AH01672', message: `Anonymous: Passwd <${password}> Accepted` });
    return 'granted';
  }
  return 'denied';
}

const BASE64_VALUES = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((char, index) => [char, index]));

/** apr_base64_decode: decoding stops at the first character outside the alphabet. */
function decodeBase64(text: string): string {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = BASE64_VALUES.get(char);
    if (digit === undefined) break;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
