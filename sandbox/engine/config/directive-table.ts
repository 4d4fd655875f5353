/**
 * The directive table for editors and lessons: every directive the sandbox knows, with its module,
 * where it may appear (in the manual's words), how it takes arguments, a description in English
 * and Japanese, its manual URL, and whether the sandbox acts on it.
 */
import { DIRECTIVE_DESCRIPTIONS, DIRECTIVE_MANUAL_PAGES } from './directive-docs.ts';
import { ACCESS_CONF, allDirectiveSpecs, OR_ALL, PROXY_CONF, RSRC_CONF, type DirectiveSpec } from './directive-lookup.ts';
import type { ArgsHow } from './directive-specs.ts';
import { KNOWN_MODULES } from './module-registry.ts';

/** Contexts as the httpd manual names them. */
export type DirectiveContext = 'server config' | 'virtual host' | 'directory' | '.htaccess' | 'proxy section';

/** One row of the directive table. */
export interface DirectiveInfo {
  /** Name as httpd spells it; sections keep their "<" ("<Location"). */
  name: string;
  /** Module identifier ("proxy_module"). */
  module: string;
  /** Module source file ("mod_proxy.c"). */
  moduleSource: string;
  contexts: DirectiveContext[];
  argsHow: ArgsHow;
  /** httpd's own help string (what it appends to arity errors). */
  help: string;
  description: { en: string; ja: string | null };
  /** The directive's section of the httpd 2.4 manual; null when the manual has none. */
  manualUrl: string | null;
  /** "simulated": the sandbox acts on it; "validated": checked like httpd, then recorded as not simulated. */
  support: 'simulated' | 'validated';
}

/** Directives httpd refuses inside <VirtualHost> (their handlers check GLOBAL_ONLY). */
const GLOBAL_ONLY_DIRECTIVES = new Set([
  'listen', 'startservers', 'minsparethreads', 'maxsparethreads', 'minspareservers', 'maxspareservers', 'threadlimit',
  'threadsperchild', 'maxrequestworkers', 'maxclients', 'serverlimit', 'maxconnectionsperchild', 'maxrequestsperchild',
  'asyncrequestworkerfactor', 'pidfile', 'user', 'group', 'mutex', 'servertokens', 'sslsessioncache', 'globallog',
  '<virtualhost', 'serverroot', 'defaultruntimedir',
]);

/**
 * Directives whose values change what the emulator does. Everything else in the table is
 * validated exactly like httpd and then recorded as accepted but not simulated (the proxy says
 * so once at startup). Keep this honest: a directive belongs here only if the proxy, routing or
 * logging reads it.
 */
const SIMULATED = new Set([
  '<virtualhost', '<location', '<locationmatch', '<directory', '<directorymatch', '<files', '<filesmatch', '<proxy', '<proxymatch',
  '<ifmodule', '<ifdefine', '<ifversion', '<iffile', '<ifdirective', '<ifsection', '<requireall', '<requireany', '<requirenone',
  '<requirenotall', 'servername', 'serveralias', 'serverroot', 'listen', 'loadmodule', 'include',
  'includeoptional', 'define', 'undefine', 'proxypass', 'proxypassmatch', 'proxypassreverse', 'proxypassreversecookiedomain', 'proxypassreversecookiepath', 'proxyrequests', 'proxypreservehost',
  'proxyaddheaders', 'proxytimeout', 'proxywebsocketfallbacktoproxyhttp', 'proxyset', 'balancermember',
  'proxypassinherit', 'balancerinherit', 'timeout', 'keepalive', 'maxkeepaliverequests', 'keepalivetimeout', 'errorlog', 'errorlogformat', 'customlog',
  'transferlog', 'globallog', 'logformat', 'loglevel', 'bufferedlogs', 'sslengine', 'sslcertificatefile', 'sslcertificatekeyfile',
  'sslproxyengine', 'sslproxyverify', 'sslproxycheckpeername', 'sslproxycheckpeercn', 'sslproxycheckpeerexpire',
  'sslproxycacertificatefile', 'sslproxyprotocol', 'sslrequiressl', 'sslstrictsnivhostcheck', 'sslvhostsnipolicy', 'redirect', 'redirectmatch', 'redirectpermanent',
  'redirecttemp', 'require', 'authmerging', 'authtype', 'authname', 'authbasicprovider', 'authbasicauthoritative',
  'authuserfile', 'anonymous', 'anonymous_nouserid', 'anonymous_mustgiveemail', 'anonymous_verifyemail', 'anonymous_logemail', 'header', 'requestheader', 'rewriteengine', 'rewritecond', 'rewriterule',
  'rewriteoptions', 'rewritebase', 'sethandler', 'traceenable', 'allowencodedslashes', 'mergeslashes', 'proxyvia', 'rewritemap', 'setenvif', 'setenvifnocase', 'setenvifexpr', 'setenv', 'unsetenv',
  'browsermatch', 'browsermatchnocase', 'threadlimit', 'threadsperchild', 'maxrequestworkers', 'maxclients', 'serverlimit', 'servertokens',
  'errordocument', 'proxyerroroverride', 'pidfile', 'limitrequestbody', 'limitrequestline', 'limitrequestfieldsize', 'limitrequestfields',
  'httpprotocoloptions', 'registerhttpmethod',
]);

/** Whether the emulator acts on this directive (section names keep their "<"). */
export function isSimulatedDirective(name: string): boolean {
  return SIMULATED.has(name.toLowerCase());
}

function contextsOf(spec: DirectiveSpec): DirectiveContext[] {
  const contexts: DirectiveContext[] = [];
  const key = spec.name.toLowerCase();
  if (spec.override & RSRC_CONF) {
    contexts.push('server config');
    if (!GLOBAL_ONLY_DIRECTIVES.has(key)) contexts.push('virtual host');
  }
  if (spec.override & (ACCESS_CONF | OR_ALL)) contexts.push('directory');
  if (spec.override & OR_ALL) contexts.push('.htaccess');
  if (spec.override & PROXY_CONF) contexts.push('proxy section');
  return contexts;
}

let table: DirectiveInfo[] | null = null;

/** The directive table, built once. */
export function directiveTable(): DirectiveInfo[] {
  if (table) return table;
  const moduleIds = new Map(KNOWN_MODULES.map((module) => [module.sourceName, module.id]));
  table = allDirectiveSpecs().map((spec) => {
    const key = spec.name.replace(/^</, '').toLowerCase();
    const page = DIRECTIVE_MANUAL_PAGES[key];
    const description = DIRECTIVE_DESCRIPTIONS[key];
    return {
      name: spec.name,
      module: moduleIds.get(spec.module) ?? spec.module,
      moduleSource: spec.module,
      contexts: contextsOf(spec),
      argsHow: spec.argsHow,
      help: spec.help,
      description: description ?? { en: spec.help, ja: null },
      manualUrl: page ? `https://httpd.apache.org/docs/2.4/mod/${page}.html#${key}` : null,
      support: SIMULATED.has(spec.name.toLowerCase()) ? 'simulated' : 'validated',
    };
  });
  return table;
}

/** Look a directive up by name (case-insensitive; "<Location" or "Location" both work for sections). */
export function findDirectiveInfo(name: string): DirectiveInfo[] {
  const wanted = name.toLowerCase();
  return directiveTable().filter((info) => info.name.toLowerCase() === wanted || info.name.toLowerCase() === `<${wanted}`);
}
