/**
 * HTTP Basic authentication settings: AuthType and AuthName (mod_authn_core), AuthBasicProvider
 * and AuthBasicAuthoritative (mod_auth_basic), AuthUserFile (mod_authn_file) and the Anonymous
 * directives (mod_authn_anon). They are stored per scope; routing merges and applies them.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { sourceOf } from '../directive-node.ts';
import type { AnonymousConfig, AuthnConfig, Setting } from '../model.ts';
import { serverRootRelative } from '../parse-state.ts';
import { recordNotSimulated, type CommandContext, type HandlerError, type HandlerTable } from '../process-phase.ts';
import { stringExprError } from './string-expr.ts';

type Result = HandlerError | string | null;

/** Authn providers and the module that registers each (ap_register_auth_provider). */
const AUTHN_PROVIDERS: Record<string, string> = {
  file: 'authn_file_module',
  anon: 'authn_anon_module',
  dbm: 'authn_dbm_module',
  dbd: 'authn_dbd_module',
  socache: 'authn_socache_module',
  ldap: 'authnz_ldap_module',
};

function authnOf(context: CommandContext): AuthnConfig {
  context.scope.authn ??= { authType: null, authName: null, basicProviders: null, basicAuthoritative: null, userFile: null, anonymous: null };
  return context.scope.authn;
}

function anonymousOf(context: CommandContext): AnonymousConfig {
  const authn = authnOf(context);
  authn.anonymous ??= { users: [], anyUser: false, noUserId: false, mustGiveEmail: true, verifyEmail: false, logEmail: true };
  return authn.anonymous;
}

function setting<T>(context: CommandContext, value: T): Setting<T> {
  return { value, source: sourceOf(context.node) };
}

/** set_authtype / set_authname: the value is a string ap_expr, parsed when the config is read. */
function authType(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value;
  const exprError = stringExprError(value, (error) => `Cannot parse expression '${value}' in AuthType: ${error}`);
  if (exprError) return exprError;
  authnOf(context).authType = setting(context, value);
  return null;
}

function authName(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value;
  const exprError = stringExprError(value, (error) => `Cannot parse expression '${value}' in AuthName: ${error}`);
  if (exprError) return exprError;
  authnOf(context).authName = setting(context, value);
  return null;
}

/** add_basic_fake: "off", or a user name expression and an optional password expression. */
function authBasicFake(context: CommandContext, args: SplitArguments): Result {
  const [user, pass = 'password'] = args.words.map((word) => word.value);
  if (user.toLowerCase() !== 'off') {
    const userError = stringExprError(user, (error) => `Could not parse fake username expression '${user}': ${error}`);
    if (userError) return userError;
    const passError = stringExprError(pass, (error) => `Could not parse fake password expression associated to user '${user}': ${error}`);
    if (passError) return passError;
  }
  recordNotSimulated(context, args.words.map((word) => word.value));
  return null;
}

/** add_authn_provider (ITERATE): each provider is looked up while the config is read. */
function authBasicProvider(context: CommandContext, args: SplitArguments): Result {
  const authn = authnOf(context);
  for (const { value: name } of args.words) {
    const module = AUTHN_PROVIDERS[name];
    if (module === undefined || !context.state.loadedIds.has(module)) return `Unknown Authn provider: ${name}`;
    authn.basicProviders = setting(context, [...(authn.basicProviders?.value ?? []), name]);
  }
  return null;
}

function authBasicAuthoritative(context: CommandContext, args: SplitArguments): Result {
  authnOf(context).basicAuthoritative = setting(context, args.flag ?? true);
  return null;
}

function authUserFile(context: CommandContext, args: SplitArguments): Result {
  authnOf(context).userFile = setting(context, serverRootRelative(context.state, args.words[0].value));
  return null;
}

/** anon_set_string_slots (ITERATE): "*" admits any user ID and stops further names being recorded. */
function anonymous(context: CommandContext, args: SplitArguments): Result {
  const anon = anonymousOf(context);
  for (const { value: name } of args.words) {
    if (name === '') return 'Anonymous string cannot be empty, use Anonymous_NoUserId';
    if (anon.anyUser) continue;
    if (name === '*') anon.anyUser = true;
    else anon.users.push(name);
  }
  return null;
}

function anonymousFlag(field: 'noUserId' | 'mustGiveEmail' | 'verifyEmail' | 'logEmail') {
  return (context: CommandContext, args: SplitArguments): Result => {
    anonymousOf(context)[field] = args.flag ?? false;
    return null;
  };
}

export const authnHandlers: HandlerTable = {
  authtype: authType,
  authname: authName,
  authbasicprovider: authBasicProvider,
  authbasicauthoritative: authBasicAuthoritative,
  authbasicfake: authBasicFake,
  authuserfile: authUserFile,
  anonymous,
  anonymous_nouserid: anonymousFlag('noUserId'),
  anonymous_mustgiveemail: anonymousFlag('mustGiveEmail'),
  anonymous_verifyemail: anonymousFlag('verifyEmail'),
  anonymous_logemail: anonymousFlag('logEmail'),
};
