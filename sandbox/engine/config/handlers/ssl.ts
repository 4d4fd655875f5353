/**
 * mod_ssl directives the sandbox models (ssl_engine_config.c): SSLEngine, certificate and key
 * files, SSLProtocol, SSLCipherSuite, the SSLProxy* switches, and the session cache; and the
 * argument checks of those it only validates (SSLOptions, SSLRandomSeed, SSLPassPhraseDialog,
 * SSLOpenSSLConfCmd, revocation/OCSP modes, SSLRequire...).
 * File checks need a ConfigFileSystem; without one the files are assumed present.
 */
import type { SplitArguments } from '../argument-splitter.ts';
import { atoi } from '../c-numbers.ts';
import { sourceOf } from '../directive-node.ts';
import type { Setting, SslProxyConfig } from '../model.ts';
import { pathExists, serverRootRelative, startupEvent } from '../parse-state.ts';
import { checkExprSyntax } from '../../routing/ap-expr-syntax.ts';
import { checkCommandContext, GLOBAL_ONLY, logForServer, recordNotSimulated, wordSpan, type CommandContext, type HandlerError, type HandlerTable } from '../process-phase.ts';
import { socacheCreateError } from '../socache-create.ts';

type Result = HandlerError | string | null;

function setting<T>(context: CommandContext, value: T): Setting<T> {
  return { value, source: sourceOf(context.node) };
}

/** SSLProxy* settings go to the <Proxy> section when written there, else to the server. */
function proxyConfig(context: CommandContext): SslProxyConfig {
  return context.path !== null ? context.scope.sslProxy : context.server.server.sslProxy;
}

function sslEngine(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value.toLowerCase();
  if (value === 'optional') {
    // 2.4.64 dropped TLS upgrade (CVE-2025-49812) but still accepts the word: it logs AH10510 with
    // no server, so the notice shows whatever LogLevel says, and leaves SSLEngine as it was.
    const notice = "AH10510: 'SSLEngine optional' is no longer supported";
    context.state.events.push(startupEvent('process', [notice], { bare: false, level: 'notice', module: 'ssl' }));
    return null;
  }
  if (value !== 'on' && value !== 'off') return 'Argument must be On or Off';
  context.server.server.sslEngine = setting(context, value === 'on');
  return null;
}

function certificateFile(key: 'sslCertificateFiles' | 'sslCertificateKeyFiles') {
  return (context: CommandContext, args: SplitArguments): Result => {
    const written = args.words[0].value;
    const isEngineId = /^pkcs11:/i.test(written);
    const path = isEngineId ? written : serverRootRelative(context.state, written);
    const fileSystem = context.state.options.fileSystem;
    if (!isEngineId && fileSystem) {
      const text = fileSystem.readFile(path);
      if (text === null || text === '') return { message: `${context.spec.name}: file '${path}' does not exist or is empty`, span: wordSpan(context, args.words[0]) };
    }
    context.server.server[key].push(setting(context, path));
    return null;
  };
}

/** ssl_cmd_check_file: a server-root-relative path to a regular file that is not empty (the first word, or `word`). */
function checkSslFile(context: CommandContext, args: SplitArguments, word = args.words[0]): HandlerError | null {
  const path = serverRootRelative(context.state, word.value);
  const text = context.state.options.fileSystem?.readFile(path);
  if (text === null || text === '') return { message: `${context.spec.name}: file '${path}' does not exist or is empty`, span: wordSpan(context, word) };
  return null;
}

/** ssl_cmd_check_dir: a server-root-relative path to a directory (the first word, or `word`). */
function checkSslDirectory(context: CommandContext, args: SplitArguments, word = args.words[0]): HandlerError | null {
  const path = serverRootRelative(context.state, word.value);
  const fileSystem = context.state.options.fileSystem;
  if (fileSystem && fileSystem.listDirectory(path) === null) return { message: `${context.spec.name}: directory '${path}' does not exist`, span: wordSpan(context, word) };
  return null;
}

/** File and directory directives the sandbox only checks: httpd refuses a missing path while parsing. */
function pathChecked(check: typeof checkSslFile, perDirectoryRefused = false) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = check(context, args);
    if (error) return error;
    // mod_ssl keeps the client-auth CA per server only, and says so after the path check.
    if (perDirectoryRefused && context.path !== null) return 'Your SSL library does not have support for per-directory CA';
    recordNotSimulated(context, args.words.map((word) => word.value));
    return null;
  };
}

/** Protocol names; mod_ssl compares them case-insensitively. */
const PROTOCOLS = ['sslv3', 'tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3', 'all'];

/** ssl_cmd_protocol_parse, shared by SSLProtocol and SSLProxyProtocol; the words are kept as written. */
function parseProtocols(context: CommandContext, args: SplitArguments): Result {
  let anySet = false;
  for (const word of args.words) {
    let name = word.value;
    const action = name[0] === '+' || name[0] === '-' ? name[0] : '';
    if (action) name = name.slice(1);
    const lower = name.toLowerCase();
    if (lower === 'sslv2') {
      if (action === '-') continue;
      return 'SSLProtocol: SSLv2 is no longer supported';
    }
    if (lower === 'sslv3') {
      if (action !== '-') return 'SSLv3 not supported by this version of OpenSSL';
      continue;
    }
    if (!PROTOCOLS.includes(lower)) return { message: `${context.spec.name}: Illegal protocol '${name}'`, span: wordSpan(context, word) };
    if (!action && anySet) {
      const message = `AH02532: ${context.spec.name}: Protocol '${name}' overrides already set parameter(s). Check if a +/- prefix is missing.`;
      logForServer(context, 'ssl', 'warn', message);
    }
    anySet = true;
  }
  return null;
}

function sslProtocol(context: CommandContext, args: SplitArguments): Result {
  const error = parseProtocols(context, args);
  if (error) return error;
  context.server.server.sslProtocol = setting(context, args.raw);
  return null;
}

function sslProxyProtocol(context: CommandContext, args: SplitArguments): Result {
  const error = parseProtocols(context, args);
  if (error) return error;
  proxyConfig(context).protocol = setting(context, args.raw);
  return null;
}

/** SSLRequireSSL: this section refuses requests that did not come over TLS (ssl_hook_Access). */
function requireSsl(context: CommandContext): Result {
  context.scope.sslRequireSSL = setting(context, true);
  return null;
}

/** ssl_cmd_SSLCipherSuite / SSLProxyCipherSuite: an optional protocol, "SSL" or "TLSv1.3" (case-sensitive). */
function cipherProtocolError(context: CommandContext, args: SplitArguments): string | null {
  if (args.words.length < 2) return null;
  const protocol = args.words[0].value;
  if (protocol === 'SSL') return null;
  if (protocol === 'TLSv1.3') return context.spec.name === 'SSLCipherSuite' && context.path !== null ? 'TLSv1.3 ciphers cannot be set inside a directory context' : null;
  return `protocol '${protocol}' not supported`;
}

function sslCipherSuite(context: CommandContext, args: SplitArguments): Result {
  const error = cipherProtocolError(context, args);
  if (error) return error;
  context.server.server.sslCipherSuite = setting(context, args.words.map((word) => word.value).join(' '));
  return null;
}

/** Directives only checked: a passing one is recorded as not simulated. */
function checked(check: (context: CommandContext, args: SplitArguments) => Result) {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = check(context, args);
    if (error === null) recordNotSimulated(context, args.words.map((word) => word.value));
    return error;
  };
}

const SSL_OPTIONS = ['stdenvvars', 'exportcertdata', 'fakebasicauth', 'strictrequire', 'optrenegotiate', 'legacydnstringformat'];

/** ssl_cmd_SSLOptions: each word, after an optional +/-, names an option (case-insensitively). */
const sslOptions = checked((context, args) => {
  for (const word of args.words) {
    const name = word.value[0] === '+' || word.value[0] === '-' ? word.value.slice(1) : word.value;
    if (!SSL_OPTIONS.includes(name.toLowerCase())) return { message: `SSLOptions: Illegal option '${name}'`, span: wordSpan(context, word) };
  }
  return null;
});

/** ssl_cmd_crlcheck_parse / ssl_cmd_ocspcheck_parse: a mode, then only the one "...ok" flag. */
function checkMode(modes: string[], flag: string) {
  return checked((context, args) => {
    const [first, ...rest] = args.words;
    const mode = first?.value ?? '';
    if (!modes.includes(mode.toLowerCase())) return `${context.spec.name}: Invalid argument '${mode}'`;
    const bad = rest.find((word) => word.value.toLowerCase() !== flag);
    return bad ? `${context.spec.name}: Invalid argument '${bad.value}'` : null;
  });
}

/** ssl_cmd_SSLCompression: Debian's OpenSSL has no compression methods, so On is refused. */
const sslCompression = checked((context, args) =>
  args.flag ? 'This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression.' : null,
);

/** ssl_cmd_SSLRandomSeed: startup|connect, then builtin or a path that must exist, then a byte count. */
const sslRandomSeed = checked((context, args) => {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const [where, source, bytes] = args.words.map((word) => word.value);
  if (!['startup', 'connect'].includes(where.toLowerCase())) return `SSLRandomSeed: invalid context: \`${where}'`;
  const builtin = source.toLowerCase() === 'builtin';
  if (source.length > 4 && source.startsWith('egd:')) {
    return `Invalid SSLRandomSeed entropy source \`${source}': This version of OpenSSL does not support the Entropy Gathering Daemon (EGD).`;
  }
  if (!builtin) {
    const prefixed = source.length > 5 && (source.startsWith('file:') || source.startsWith('exec:'));
    const path = serverRootRelative(context.state, prefixed ? source.slice(5) : source);
    const fileSystem = context.state.options.fileSystem;
    if (fileSystem && !pathExists(fileSystem, path)) return `SSLRandomSeed: source path '${path}' does not exist`;
  }
  if (bytes !== undefined) {
    if (builtin) return 'SSLRandomSeed: byte specification not allowed for builtin seed source';
    if (atoi(bytes) < 0) return 'SSLRandomSeed: invalid number of bytes specified';
  }
  return null;
});

/** ssl_cmd_SSLPassPhraseDialog: builtin, exec:PATH (which must exist) or |PROGRAM. */
const sslPassPhraseDialog = checked((context, args) => {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const value = args.words[0].value;
  if (value.toLowerCase() === 'builtin') return null;
  if (value.length > 5 && value.startsWith('exec:')) {
    const path = serverRootRelative(context.state, value.slice(5));
    const fileSystem = context.state.options.fileSystem;
    return fileSystem && !pathExists(fileSystem, path) ? `SSLPassPhraseDialog: file '${path}' does not exist` : null;
  }
  return value.length > 1 && value[0] === '|' ? null : 'SSLPassPhraseDialog: Invalid argument';
});

/** ssl_cmd_SSLRenegBufferSize: atoi, refused below 0. */
const sslRenegBufferSize = checked((context, args) => (atoi(args.words[0].value) < 0 ? `Invalid size for SSLRenegBufferSize: ${args.words[0].value}` : null));

/**
 * The SSL_CONF commands OpenSSL 3.0 accepts in a server's file context (SSL_CONF_FLAG_FILE |
 * SERVER | CERTIFICATE), case-insensitively, with the value type mod_ssl checks: a file, a
 * directory, or anything else (strings and stores). Measured with Debian's OpenSSL 3.0.19.
 */
const OPENSSL_CONF_COMMANDS: Record<string, 'file' | 'dir' | 'string'> = Object.fromEntries([
  ...['SignatureAlgorithms', 'ClientSignatureAlgorithms', 'Curves', 'Groups', 'ECDHParameters', 'CipherString', 'Ciphersuites', 'Protocol', 'MinProtocol', 'MaxProtocol', 'Options', 'VerifyMode', 'ChainCAStore', 'VerifyCAStore', 'RequestCAStore', 'ClientCAStore', 'RecordPadding', 'NumTickets'].map((name) => [name.toLowerCase(), 'string']),
  ...['Certificate', 'PrivateKey', 'ServerInfoFile', 'ChainCAFile', 'VerifyCAFile', 'RequestCAFile', 'ClientCAFile', 'DHParameters'].map((name) => [name.toLowerCase(), 'file']),
  ...['ChainCAPath', 'VerifyCAPath', 'RequestCAPath', 'ClientCAPath'].map((name) => [name.toLowerCase(), 'dir']),
]);

/** ssl_cmd_SSLOpenSSLConfCmd: the command must be one OpenSSL knows; file and directory values must exist. */
const openSslConfCmd = checked((context, args) => {
  const [command, value] = args.words;
  const type = Object.hasOwn(OPENSSL_CONF_COMMANDS, command.value.toLowerCase()) ? OPENSSL_CONF_COMMANDS[command.value.toLowerCase()] : undefined;
  if (type === undefined) return { message: `'${command.value}': invalid OpenSSL configuration command`, span: wordSpan(context, command) };
  if (type === 'file') return checkSslFile(context, args, value);
  if (type === 'dir') return checkSslDirectory(context, args, value);
  return null;
});

/** SSLRequire: a boolean ap_expr (in ssl_expr compatibility mode). */
const sslRequire = checked((context, args) => {
  const error = checkExprSyntax(args.raw);
  return error ? `SSLRequire: ${error}` : null;
});

/** SSLCACertificateFile/Path: checked like the other paths, and kept for the SNI compatibility check. */
function clientCaLocation(check: typeof checkSslFile, key: 'sslCaCertificateFile' | 'sslCaCertificatePath') {
  return (context: CommandContext, args: SplitArguments): Result => {
    const error = check(context, args);
    if (error) return error;
    if (context.path !== null) return 'Your SSL library does not have support for per-directory CA';
    context.server.server[key] = setting(context, serverRootRelative(context.state, args.words[0].value));
    return null;
  };
}

/** ssl_cmd_verify_parse: strcEQ, so the words are compared case-insensitively. */
const CLIENT_VERIFY_MODES: Record<string, string> = { none: 'none', off: 'none', optional: 'optional', require: 'require', on: 'require', optional_no_ca: 'optional_no_ca' };

/** SSLVerifyClient: the server's is compared by the SNI check; a section's asks for a client certificate after the handshake (ssl_hook_Access). */
function verifyClient(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value;
  const lower = value.toLowerCase();
  const mode = Object.hasOwn(CLIENT_VERIFY_MODES, lower) ? CLIENT_VERIFY_MODES[lower] : undefined;
  if (mode === undefined) return `${context.spec.name}: Invalid argument '${value}'`;
  if (context.path === null) context.server.server.sslVerifyClient = setting(context, mode);
  else context.scope.sslVerifyClient = setting(context, mode);
  return null;
}

function verifyDepth(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value;
  const depth = atoi(value);
  if (depth < 0) return `${context.spec.name}: Invalid argument '${value}'`;
  if (context.path === null) context.server.server.sslVerifyDepth = setting(context, depth);
  return null;
}

function strictSniVhostCheck(context: CommandContext, args: SplitArguments): Result {
  context.server.server.sslStrictSniVhostCheck = setting(context, args.flag === true);
  return null;
}

/** The policies 2.4.64 added (ssl_cmd_SSLVHostSNIPolicy). */
const SNI_POLICIES = ['strict', 'secure', 'authonly', 'insecure'];

function vhostSniPolicy(context: CommandContext, args: SplitArguments): Result {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const value = args.words[0].value;
  if (!SNI_POLICIES.includes(value.toLowerCase())) return `Invalid SSLVhostSNIPolicy argument '${value}'`;
  context.state.config.global.sslVhostSniPolicy = setting(context, value.toLowerCase());
  return null;
}

function proxyFlag(key: 'engine' | 'checkPeerName' | 'checkPeerCN' | 'checkPeerExpire') {
  return (context: CommandContext, args: SplitArguments): Result => {
    proxyConfig(context)[key] = setting(context, args.flag === true);
    return null;
  };
}

/** SSLProxyCACertificateFile: checked while parsing, then read when connecting to a backend. */
function proxyCaFile(context: CommandContext, args: SplitArguments): Result {
  const error = checkSslFile(context, args);
  if (error) return error;
  proxyConfig(context).caCertificateFile = setting(context, serverRootRelative(context.state, args.words[0].value));
  return null;
}

function proxyVerify(context: CommandContext, args: SplitArguments): Result {
  const value = args.words[0].value;
  if (!['none', 'off', 'optional', 'require', 'on', 'optional_no_ca'].includes(value.toLowerCase())) {
    return { message: `${context.spec.name}: Invalid argument '${value}'`, span: wordSpan(context, args.words[0]) };
  }
  proxyConfig(context).verify = setting(context, value);
  return null;
}

/** socache providers and the modules that register them. */
const SOCACHE_PROVIDERS: Array<[name: string, module: string]> = [
  ['shmcb', 'socache_shmcb_module'],
  // mod_socache_shmcb also registers itself as "default".
  ['default', 'socache_shmcb_module'],
  ['dbm', 'socache_dbm_module'],
  ['memcache', 'socache_memcache_module'],
  ['redis', 'socache_redis_module'],
  ['dc', 'socache_dc_module'],
];

/** ssl_cmd_SSLStaplingCache: a socache provider, as for SSLSessionCache (no "none" here). */
const staplingCache = checked((context, args) => {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const value = args.words[0].value;
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  const loaded = SOCACHE_PROVIDERS.filter(([, module]) => context.state.loadedIds.has(module));
  if (loaded.some(([provider]) => provider === name)) {
    const createError = socacheCreateError(name, colon === -1 ? null : value.slice(colon + 1));
    return createError && `SSLStaplingCache: ${createError}`;
  }
  // In httpd's hash order, which changes from run to run; this is one of them.
  const known = loaded.map(([provider]) => provider).join(',');
  return `SSLStaplingCache: '${name}' stapling cache not supported (known names: ${known}) Maybe you need to load the appropriate socache module (mod_socache_${name}?)`;
});

function sessionCache(context: CommandContext, args: SplitArguments): Result {
  const contextError = checkCommandContext(context, GLOBAL_ONLY);
  if (contextError) return contextError;
  const value = args.words[0].value;
  if (value !== 'none' && value !== 'nonenotnull') {
    const colon = value.indexOf(':');
    const name = colon === -1 ? value : value.slice(0, colon);
    const loaded = SOCACHE_PROVIDERS.filter(([, module]) => context.state.loadedIds.has(module));
    if (!loaded.some(([provider]) => provider === name)) {
      // httpd lists the names in hash order, which changes from run to run; this is one of them.
      const known = loaded.map(([provider]) => provider).join(',');
      return `SSLSessionCache: '${name}' session cache not supported (known names: ${known}). Maybe you need to load the appropriate socache module (mod_socache_${name}?).`;
    }
    const createError = socacheCreateError(name, colon === -1 ? null : value.slice(colon + 1));
    if (createError) return `SSLSessionCache: ${createError}`;
  }
  context.state.config.global.sslSessionCache = setting(context, value);
  return null;
}

function sessionCacheTimeout(context: CommandContext, args: SplitArguments): Result {
  const seconds = atoi(args.words[0].value);
  if (seconds < 0) return 'SSLSessionCacheTimeout: Invalid argument';
  if (!context.virtualHost) context.state.config.global.sslSessionCacheTimeout = setting(context, seconds);
  return null;
}

/** Handlers for mod_ssl. */
export const sslHandlers: HandlerTable = {
  sslengine: sslEngine,
  sslcertificatefile: certificateFile('sslCertificateFiles'),
  sslcertificatekeyfile: certificateFile('sslCertificateKeyFiles'),
  sslprotocol: sslProtocol,
  sslciphersuite: sslCipherSuite,
  sslproxyengine: proxyFlag('engine'),
  sslproxycheckpeername: proxyFlag('checkPeerName'),
  sslproxycheckpeercn: proxyFlag('checkPeerCN'),
  sslproxycheckpeerexpire: proxyFlag('checkPeerExpire'),
  sslproxyverify: proxyVerify,
  sslproxyprotocol: sslProxyProtocol,
  sslrequiressl: requireSsl,
  sslcertificatechainfile: pathChecked(checkSslFile),
  sslsessionticketkeyfile: pathChecked(checkSslFile),
  sslcacertificatefile: clientCaLocation(checkSslFile, 'sslCaCertificateFile'),
  sslcacertificatepath: clientCaLocation(checkSslDirectory, 'sslCaCertificatePath'),
  sslverifyclient: verifyClient,
  sslverifydepth: verifyDepth,
  sslstrictsnivhostcheck: strictSniVhostCheck,
  sslvhostsnipolicy: vhostSniPolicy,
  sslcadnrequestfile: pathChecked(checkSslFile),
  sslcadnrequestpath: pathChecked(checkSslDirectory),
  sslcarevocationfile: pathChecked(checkSslFile),
  sslcarevocationpath: pathChecked(checkSslDirectory),
  sslproxycacertificatefile: proxyCaFile,
  sslproxycacertificatepath: pathChecked(checkSslDirectory),
  sslproxycarevocationfile: pathChecked(checkSslFile),
  sslproxycarevocationpath: pathChecked(checkSslDirectory),
  sslproxymachinecertificatefile: pathChecked(checkSslFile),
  sslproxymachinecertificatepath: pathChecked(checkSslDirectory),
  sslproxymachinecertificatechainfile: pathChecked(checkSslFile),
  sslocsprespondercertificatefile: pathChecked(checkSslFile),
  sslsessioncache: sessionCache,
  sslsessioncachetimeout: sessionCacheTimeout,
  sslproxyciphersuite: checked(cipherProtocolError),
  ssloptions: sslOptions,
  sslcarevocationcheck: checkMode(['none', 'leaf', 'chain'], 'no_crl_for_cert_ok'),
  sslproxycarevocationcheck: checkMode(['none', 'leaf', 'chain'], 'no_crl_for_cert_ok'),
  sslocspenable: checkMode(['off', 'leaf', 'on'], 'no_ocsp_for_cert_ok'),
  sslcompression: sslCompression,
  sslrandomseed: sslRandomSeed,
  sslpassphrasedialog: sslPassPhraseDialog,
  sslrenegbuffersize: sslRenegBufferSize,
  sslrequire: sslRequire,
  sslstaplingcache: staplingCache,
  sslsrpverifierfile: pathChecked(checkSslFile),
  sslopensslconfcmd: openSslConfCmd,
};
