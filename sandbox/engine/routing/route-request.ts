/**
 * routeRequest(): one request through httpd 2.4's request-processing phases, up to the point
 * where the proxy would open a backend connection. See index.ts for the order and the httpd
 * functions each step follows.
 */
import { isRegisteredMethod } from '../http/http-methods.ts';
import { coreUpgradeHandlerLog } from './core-upgrade-log.ts';
import type { HttpdConfig, ProxyPassRule, RedirectRule, Section, SetEnvIfEntry } from '../config/model.ts';
import type { ErrorLogEntry } from '../logs/error-log.ts';
import { effectiveRequestBodyLimit } from '../http/request-body-limit.ts';
import { compileHttpdRegex } from '../config/regex.ts';
import { authenticate, basicChallenge, effectiveAuthType } from '../auth/basic-auth.ts';
import { describeRequire, evaluateAuthz, type AuthzResult, type AuthzStep } from './authz.ts';
import { aliasMatch } from './alias-match.ts';
import {
  buildBackendRequestHead,
  chooseSchemeHandler,
  computeTimeouts,
  decideUpgrade,
  parseBackendUrl,
  tlsFailureAfterConnect,
} from './backend-plan.ts';
import { mergeDirectoryScope, type DirectoryState } from './directory-state.ts';
import { applyHeaderOps, type HeaderOpContext } from './header-ops.ts';
import { HeaderTable } from './header-table.ts';
import { parseHostHeader, parseTargetHost } from './host-header.ts';
import { describeProxyPass, translateProxy } from './proxy-translate.ts';
import { pregsub } from './regex-substitute.ts';
import { parseRequestTarget, resolveUri, normalizePath, type ParsedTarget } from './request-uri.ts';
import { applyServerRewrite, lookupVariable } from './rewrite.ts';
import type { ExprLookup } from './ap-expr.ts';
import { matchDirectories, matchLocations, matchProxySections } from './section-walk.ts';
import { applySetEnvIf } from './setenvif.ts';
import { serverAnswersFor, serverView, sslProxyChecks, type ServerView } from './server-view.ts';
import { canonicaliseProxyUrl } from './proxy-canon.ts';
import { canonLog, schemeHandlerLog, upgradeRequiredLog, wstunnelRoleOf } from './wstunnel-log.ts';
import { escapePathForRedirect } from './url-escape.ts';
import { buildVhostTable, selectSniVirtualHost, selectVirtualHost, type VhostTable } from './vhost-select.ts';
import { checkSniAgainstRequest } from './sni-vhost-check.ts';
import { findWorker, workerSettings, type WorkerDefinition } from './workers.ts';
import type {
  BackendPlan,
  ConsideredRule,
  DecisionBase,
  HeaderPair,
  MatchedDirective,
  PreparedProxyRequest,
  ProxyDecision,
  ResponseContext,
  ResponseDecision,
  RouteDecision,
  RouteRequest,
  SelectedServer,
  SslProxyChecks,
} from './types.ts';

/** Knobs that are not part of the config text. */
export interface RouteOptions {
  /** The machine's host name, used when the main server has no ServerName. */
  localHostname?: string;
  /** Reverse DNS of a client address, for Require host; default: loopback is "localhost", others have none. */
  reverseLookup?: (ip: string) => string | null;
  /** Request start, microseconds since the epoch (for %t in header values). */
  requestTimeMicros?: number;
  /** Precomputed vhost chains (buildVhostTable) when routing many requests against one config. */
  vhostTable?: VhostTable;
  /** Reads a file the config names at request time (AuthUserFile); null when it cannot be opened. */
  readFile?: (path: string) => string | null;
}

/** Content handlers the emulator can render, by SetHandler name, with the module that provides each. */
const CONTENT_HANDLER_MODULES: Readonly<Record<string, string>> = { 'server-status': 'mod_status.c', 'balancer-manager': 'mod_proxy_balancer.c' };

/** Decide what httpd does with one request, before any network I/O. */
export function routeRequest(config: HttpdConfig, request: RouteRequest, options: RouteOptions = {}): RouteDecision {
  const router = new RequestRouter(config, request, options);
  return router.route();
}

/** The mutable per-request state (request_rec) while the phases run. */
class RequestRouter {
  private readonly config: HttpdConfig;
  private readonly request: RouteRequest;
  private readonly options: RouteOptions;
  private readonly client: string;
  private readonly log: ErrorLogEntry[] = [];
  private readonly considered: ConsideredRule[] = [];
  private readonly modules: Set<string>;
  private headers: HeaderTable;
  private selected: SelectedServer | null = null;
  private server: ServerView | null = null;
  private hostname: string | null = null;
  private hostPort: number | null = null;
  private uri: string | null = null;
  private args: string | null = null;
  private env: Record<string, string> = {};
  private dir: DirectoryState | null = null;
  private earlyErrorHeaders: HeaderPair[] = [];

  constructor(config: HttpdConfig, request: RouteRequest, options: RouteOptions) {
    this.config = config;
    this.request = request;
    this.options = options;
    this.client = formatClient(request.remoteAddress, request.remotePort);
    this.modules = new Set(config.modules.map((module) => module.sourceName));
    this.headers = new HeaderTable(request.headers);
    this.headers.compress();
  }

  route(): RouteDecision {
    const protoMinor = parseProtocolMinor(this.request.httpVersion);
    const parsed = parseRequestTarget(this.request.target, this.request.secure, this.request.method);

    // ap_update_vhost_given_ip: the connection's address picks the candidate vhosts.
    const table = this.options.vhostTable ?? buildVhostTable(this.config, this.options.localHostname);
    const base = selectVirtualHost(this.config, table, this.request.localAddress, this.request.localPort, null);
    this.useServer(base.index, base.selected);

    if (!parsed) return this.respond(400, 'bad-request', [], null, `the request-target ${this.request.target} cannot be parsed`);
    this.args = parsed.args;

    const headerCheck = this.checkRequestHeaders(parsed, protoMinor, table);
    if (headerCheck) return headerCheck;
    const sniRefusal = this.checkSni(table);
    if (sniRefusal) return sniRefusal;

    // post_read_request: mod_headers' early RequestHeader operations.
    applyHeaderOps(this.currentServer().directory.headerOps, 'RequestHeader', 'early', this.headers, this.headerOpContext());
    // "Header always … early" fills r->err_headers_out now; "Header onsuccess … early" writes to
    // r->headers_out, which the proxied response and httpd's error pages both replace.
    const earlyErrorHeaders = new HeaderTable();
    applyHeaderOps(this.currentServer().directory.headerOps, 'Header', 'early', earlyErrorHeaders, this.headerOpContext(), 'always');
    this.earlyErrorHeaders = earlyErrorHeaders.toPairs();
    // post_read_request: mod_setenvif's server-level lines, while r->uri is still the path as sent.
    this.runSetEnvIf(this.currentServer().setEnvIf, parsed.rawPath);

    // post_read_request: proxy_detect() claims absolute-URI requests for other hosts when ProxyRequests is On.
    const forward = this.detectForwardProxy(parsed);
    if (forward) return this.forwardProxy(parsed, forward, protoMinor);
    // ap_post_read_request: a target no forward proxy claimed may only name http or https.
    if (parsed.scheme !== null && !/^https?$/i.test(parsed.scheme)) {
      return this.respond(400, 'bad-request', [], null, `the request-target names the scheme "${parsed.scheme}"; httpd serves only http and https targets itself`);
    }

    return this.processRequest(parsed, protoMinor);
  }

  /** post_read_request: mod_ssl compares the handshake's vhost (by SNI) with the one Host selected. */
  private checkSni(table: VhostTable): RouteDecision | null {
    const servername = this.request.tlsServerName;
    if (!this.request.secure || servername === undefined) return null;
    const handshake = selectSniVirtualHost(this.config, table, this.request.localAddress, this.request.localPort, servername);
    const refusal = checkSniAgainstRequest(this.config, {
      servername,
      handshakeIndex: handshake.index,
      nameBased: handshake.nameBased,
      requestIndex: this.selected?.virtualHostIndex ?? null,
      hostname: this.hostname,
    });
    if (!refusal) return null;
    this.pushLog('ssl', refusal.level, refusal.code, refusal.message);
    const reason = refusal.status === 421 ? 'misdirected' : refusal.status === 403 ? 'forbidden' : 'bad-request';
    return this.respond(refusal.status, reason, [], null, refusal.explanation);
  }

  /** proxy_detect(): the absolute-form target names another server, and this one is a forward proxy. */
  private detectForwardProxy(parsed: ParsedTarget): string | null {
    if (!this.modules.has('mod_proxy.c') || !this.currentServer().proxyRequests || !parsed.absolute) return null;
    const { scheme, host, port } = parsed.absolute;
    const ownScheme = this.request.secure ? 'https' : 'http';
    const ownPort = port ?? (this.request.secure ? 443 : 80);
    const local = host !== '' && scheme === ownScheme && serverAnswersFor(this.currentServer(), host.toLowerCase(), ownPort);
    return local ? null : `proxy:${parsed.unparsedUri}`;
  }

  /** A forward-proxy request: no translation, <Proxy> sections, access, then the scheme handler. */
  private forwardProxy(parsed: ParsedTarget, filename: string, protoMinor: number): RouteDecision {
    const server = this.currentServer();
    this.uri = parsed.unparsedUri;
    const matched: MatchedDirective | null = null;
    if (normalizePath(parsed.rawPath, server.mergeSlashes) === null) {
      this.pushLog('core', 'error', 'AH10244', `invalid URI path (${parsed.unparsedUri})`);
      return this.respond(400, 'bad-request', [], null, `the path ${parsed.rawPath} is invalid`);
    }
    let dir = server.directory;
    dir = this.proxyWalk(dir, filename);
    dir = this.walkLocations(dir, this.uri, server.sections);
    this.dir = dir;
    this.considered.push({
      directive: 'ProxyRequests',
      text: 'ProxyRequests On',
      source: server.proxyRequestsSource ?? { file: this.config.file, line: 0 },
      result: 'matched',
      note: `${parsed.unparsedUri} names another server, so httpd forwards it as a forward proxy`,
    });
    const denied = this.checkAccess(dir, filename, matched);
    if (denied) return denied;
    const canon = canonicaliseProxyUrl(filename.slice(6), {
      nocanon: false,
      noencode: false,
      forward: true,
      args: this.args,
      modules: this.modules,
      wstunnelClaimsWebSockets: this.wstunnelClaimsWebSockets(dir),
      client: this.client,
    });
    if (!canon.ok) {
      this.log.push(...canon.log);
      return this.respond(canon.status, canon.status === 400 ? 'bad-request' : 'forbidden', [], matched, canon.reason);
    }
    this.runEnvFixup(dir);
    applyHeaderOps(dir.headerOps, 'RequestHeader', 'late', this.headers, this.headerOpContext());
    // The forward worker never keeps backend connections, and X-Forwarded-* are reverse-proxy only.
    const prepared = { ...this.prepare(dir, protoMinor, this.uri), addForwardedHeaders: false, backendKeepAlive: false };
    const plan = planBackendForUrl(prepared, canon.url, filename.slice(6), server.workers, this.client);
    if (!plan.ok) {
      this.log.push(...plan.log);
      return this.respond(plan.status, plan.status === 426 ? 'upgrade-required' : 'no-handler', plan.headers, matched, plan.reason);
    }
    this.log.push(...plan.log);
    return {
      ...this.decisionBase(matched, `ProxyRequests On: forwarding ${parsed.unparsedUri} as a forward proxy via mod_${plan.plan.module}`),
      kind: 'proxy',
      filename,
      backend: plan.plan,
      balancer: null,
      prepared,
    };
  }

  /** ap_read_request's header checks and ap_check_request_header(). */
  private checkRequestHeaders(parsed: ParsedTarget, protoMinor: number, table: VhostTable): ResponseDecision | null {
    const contentLength = this.headers.get('Content-Length');
    if (contentLength !== undefined && !/^\d+$/.test(contentLength)) {
      this.pushLog('core', 'debug', 'AH10242', `client sent invalid Content-Length (${contentLength}): ${parsed.rawPath}`);
      return this.respond(400, 'bad-request', [], null, `Content-Length "${contentLength}" is not a number`);
    }
    const transferEncoding = this.headers.get('Transfer-Encoding');
    if (transferEncoding !== undefined) {
      const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
      if (codings[codings.length - 1] !== 'chunked') {
        this.pushLog('core', 'debug', 'AH02539', `client sent unknown Transfer-Encoding (${transferEncoding}): ${parsed.rawPath}`);
        return this.respond(400, 'bad-request', [], null, `Transfer-Encoding "${transferEncoding}" does not end in chunked`);
      }
      this.headers.unset('Content-Length');
    }

    // ap_update_vhost_from_headers: fix_hostname() on the absolute-form target's host, else on Host.
    const hostHeader = this.headers.get('Host');
    const host = parsed.hostname !== null ? parseTargetHost(parsed.hostname) : hostHeader !== undefined ? parseHostHeader(hostHeader) : null;
    if (host !== null) {
      if (!host.ok) {
        this.pushLog('core', 'debug', host.code, host.message);
        return this.respond(400, 'bad-request', [], null, host.message);
      }
      if (parsed.hostname !== null) {
        // r->hostname from the target, even when empty ("http:///x"), with the target's port.
        this.hostname = host.hostname;
        this.hostPort = parsed.port;
        if (hostHeader !== undefined) {
          // construct_host_header(): the normalised host and the port as written replace Host.
          const port = parsed.portText !== null ? `:${parsed.portText}` : '';
          this.headers.set('Host', `${host.ipv6 ? `[${host.hostname}]` : host.hostname}${port}`);
        }
      } else {
        this.hostname = host.hostname === '' ? null : host.hostname;
        this.hostPort = host.port;
      }
    }

    const named = selectVirtualHost(this.config, table, this.request.localAddress, this.request.localPort, this.hostname);
    this.useServer(named.index, named.selected);

    if ((this.hostname === null && protoMinor >= 1) || (protoMinor === 1 && hostHeader === undefined && parsed.hostname === null)) {
      this.pushLog('core', 'debug', 'AH00569', `client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): ${parsed.rawPath}`);
      return this.respond(400, 'bad-request', [], null, 'an HTTP/1.1 request must carry a Host header');
    }
    const expect = this.headers.get('Expect');
    if (expect !== undefined && expect !== '' && expect.toLowerCase() !== '100-continue') {
      this.pushLog('core', 'info', 'AH00570', `client sent an unrecognized expectation value of Expect: ${expect}`);
      return this.respond(417, 'expectation-failed', [], null, `Expect: ${expect} is not understood`);
    }
    return null;
  }

  /** ap_process_request_internal(), then the handler. */
  private processRequest(parsed: ParsedTarget, protoMinor: number): RouteDecision {
    const server = this.currentServer();
    const normalized = normalizePath(parsed.rawPath, server.mergeSlashes);
    if (normalized === null) {
      this.pushLog('core', 'error', 'AH10244', `invalid URI path (${parsed.unparsedUri})`);
      return this.respond(400, 'bad-request', [], null, `the path ${parsed.rawPath} is invalid (bad %-escape or ".." above the root)`);
    }

    // Early location walk and pre_translate_name: ProxyPass ... mapping=encoded sees the encoded path.
    this.uri = normalized;
    this.dir = this.walkLocations(server.directory, normalized, server.sections);
    const encodedPass = this.translateWithProxyPass(parsed, server, this.dir, normalized, 'pre-translate', protoMinor);
    if (encodedPass) return encodedPass;
    // "Throw away pre_trans only merging": until the location walk after unescaping, the request
    // has the server's own per-directory config (a %2F 404 gets no <Location>'s "Header always").
    this.dir = null;

    const resolved = resolveUri(parsed, { mergeSlashes: server.mergeSlashes, allowEncodedSlashes: server.allowEncodedSlashes, client: this.client });
    if (!resolved.ok) {
      this.log.push(...resolved.log);
      const reason =
        resolved.status === 400
          ? `the path ${parsed.rawPath} has a bad %-escape`
          : server.allowEncodedSlashes === 'off'
            ? `the path ${parsed.rawPath} encodes "/" or NUL (AllowEncodedSlashes is Off in this server)`
            : `the path ${parsed.rawPath} encodes NUL (%00), which httpd never accepts`;
      return this.respond(resolved.status, resolved.status === 400 ? 'bad-request' : 'not-found', [], null, reason);
    }
    this.uri = resolved.uri;
    this.dir = this.walkLocations(server.directory, resolved.uri, server.sections);

    // translate_name: mod_rewrite first.
    if (this.dir.rewrite.engine && server.rewriteRules.length > 0) {
      const rewritten = applyServerRewrite(server.rewriteRules, this.rewriteRequest(protoMinor));
      this.considered.push(...rewritten.considered);
      this.log.push(...rewritten.log);
      const outcome = rewritten.outcome;
      const matched: MatchedDirective | null =
        outcome.kind === 'none' ? null : { directive: 'RewriteRule', text: describeRewrite(outcome.rule), source: outcome.rule.source };
      switch (outcome.kind) {
        case 'proxy': {
          if (!this.modules.has('mod_proxy.c')) {
            this.pushLog('rewrite', 'error', 'AH00669', `attempt to make remote request from mod_rewrite without proxy enabled: proxy:${outcome.url}`);
            return this.respond(403, 'forbidden', [], matched, '[P] needs mod_proxy, which is not loaded');
          }
          this.args = outcome.args;
          const filename = `proxy:${outcome.url}${outcome.noEscape && outcome.args !== null ? `?${outcome.args}` : ''}`;
          return this.proxyTranslated(filename, null, { nocanon: outcome.noEscape, noencode: false }, protoMinor, matched);
        }
        case 'redirect':
          return this.respond(outcome.status, 'redirect', [['Location', outcome.location]], matched, `the RewriteRule redirects to ${outcome.location}`);
        case 'status':
          return this.respond(outcome.status, outcome.status === 403 ? 'forbidden' : outcome.status === 410 ? 'gone' : 'rewrite-status', [], matched, `the RewriteRule answers ${outcome.status}`);
        case 'local':
          this.args = outcome.args;
          return this.serveLocally(`${server.documentRoot}${outcome.path}`, matched, `the RewriteRule rewrote the path to ${outcome.path}, which httpd serves from the filesystem: no ProxyPass is consulted`);
        case 'pass-through':
          this.uri = outcome.uri;
          this.args = outcome.args;
          break;
        case 'none':
          break;
      }
    }

    // translate_name: mod_proxy.
    if (this.modules.has('mod_proxy.c')) {
      const translation = this.translateWithProxyPass(parsed, server, this.dir, this.uri, 'translate', protoMinor);
      if (translation) return translation;
    }

    // translate_name: mod_alias redirects.
    if (this.modules.has('mod_alias.c')) {
      const redirect = this.tryRedirects(this.dir.redirects.filter((rule) => rule.inSection), server.redirects);
      if (redirect) return redirect;
    }

    return this.serveLocally(null, null, null);
  }

  /** A request mod_proxy claimed: map_to_storage, access checks, fixups, handler. */
  private proxyTranslated(
    filename: string,
    rule: ProxyPassRule | null,
    flags: { nocanon: boolean; noencode: boolean },
    protoMinor: number,
    matchedByRewrite: MatchedDirective | null = null,
  ): RouteDecision {
    const server = this.currentServer();
    const uri = this.uri ?? '/';
    const matched: MatchedDirective | null =
      matchedByRewrite ?? (rule ? { directive: rule.directive, text: describeProxyPass(rule), source: rule.source } : null);

    // map_to_storage: proxy_walk merges <Proxy> sections, then the location walk runs again.
    let dir = server.directory;
    dir = this.proxyWalk(dir, filename);
    dir = this.walkLocations(dir, uri, server.sections);
    this.dir = dir;

    const denied = this.checkAccess(dir, filename, matched);
    if (denied) return denied;

    // fixups: mod_rewrite's per-directory rules run first and may re-target the request.
    const perDir = this.applyPerDirectoryRewrite(dir, filename, protoMinor);
    if (perDir) {
      if (perDir.kind === 'respond') return perDir.decision;
      return this.proxyFixupsAndHandler(perDir.filename, null, perDir.flags, protoMinor, perDir.matched, dir);
    }
    return this.proxyFixupsAndHandler(filename, rule, flags, protoMinor, matched, dir);
  }

  /** fixups after mod_rewrite (proxy_fixup, mod_alias, mod_headers) and proxy_handler. */
  private proxyFixupsAndHandler(
    filename: string,
    rule: ProxyPassRule | null,
    flags: { nocanon: boolean; noencode: boolean },
    protoMinor: number,
    matched: MatchedDirective | null,
    dir: DirectoryState,
  ): RouteDecision {
    const server = this.currentServer();
    const uri = this.uri ?? '/';
    // proxy_fixup canonicalises the URL; then mod_alias' per-directory Redirect.
    const canon = canonicaliseProxyUrl(filename.slice(6), {
      ...flags,
      keepEncodedSlashes: server.allowEncodedSlashes === 'nodecode',
      args: this.args,
      modules: this.modules,
      wstunnelClaimsWebSockets: this.wstunnelClaimsWebSockets(dir),
      client: this.client,
    });
    if (!canon.ok) {
      this.log.push(...canon.log);
      return this.respond(canon.status, canon.status === 400 ? 'bad-request' : 'forbidden', [], matched, canon.reason);
    }
    const redirect = this.tryRedirects(dir.redirects.filter((entry) => entry.inSection), []);
    if (redirect) return redirect;

    this.runEnvFixup(dir);
    applyHeaderOps(dir.headerOps, 'RequestHeader', 'late', this.headers, this.headerOpContext());

    // proxy_handler: Max-Forwards, then balancer or worker, then the scheme handler.
    const maxForwards = this.headers.get('Max-Forwards');
    if (maxForwards !== undefined) {
      const value = /^\d+$/.test(maxForwards) ? Number(maxForwards) : NaN;
      if (!Number.isFinite(value)) {
        this.pushLog('proxy', 'warn', 'AH10188', `Max-Forwards value '${maxForwards}' could not be parsed`);
        this.pushLog('proxy', 'error', 'AH00898', `Max-Forwards request header could not be parsed returned by ${uri}`);
        return this.respond(400, 'bad-request', [], matched, 'Max-Forwards request header could not be parsed');
      }
      if (value === 0) {
        // The hop limit is reached here: OPTIONS and TRACE are answered by httpd itself.
        if (this.request.method === 'OPTIONS' || this.request.method === 'TRACE') {
          return this.respond(200, 'answered-locally', [], matched, `Max-Forwards: 0 makes httpd answer the ${this.request.method} itself`);
        }
        this.pushLog('proxy', 'error', 'AH00898', `Max-Forwards has reached zero - proxy loop? returned by ${uri}`);
        return this.respond(400, 'bad-request', [], matched, 'Max-Forwards has reached zero - proxy loop?');
      }
      this.headers.set('Max-Forwards', String(Math.max(value - 1, 0)));
    }
    // proxy_handler refuses TRACE under TraceEnable off. Its body check (AH01140) looks at a body
    // not yet read, so a TRACE with a body is proxied (measured).
    if (this.request.method === 'TRACE' && this.currentServer().traceEnable === 'off') {
      this.pushLog('proxy', 'error', 'AH01139', 'TRACE forbidden by server configuration');
      return this.respond(405, 'forbidden', [['Allow', '']], matched, 'TraceEnable off: mod_proxy refuses TRACE with 405');
    }

    const prepared = this.prepare(dir, protoMinor, uri);
    const url = canon.url;
    const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
    const base = this.decisionBase(matched, '');
    if (scheme === 'balancer' && this.modules.has('mod_proxy_balancer.c')) {
      const name = url.replace(/^(balancer:\/\/[^/?#]*).*$/i, '$1').toLowerCase();
      const definition = server.balancers.find((balancer) => balancer.name.toLowerCase() === name);
      if (definition) {
        const lbmethod = [...definition.params, ...(rule?.params ?? [])].findLast((param) => param.key === 'lbmethod')?.value ?? 'byrequests';
        return {
          ...base,
          kind: 'proxy',
          filename,
          backend: null,
          balancer: { name: definition.name, pathSuffix: url.slice(name.length), lbmethod, source: definition.source },
          prepared,
          explanation: `${matched ? describeMatched(matched) : 'the request'} sends it to ${definition.name}; a member (lbmethod=${lbmethod}) is chosen when connecting`,
        };
      }
    }
    const plan = planBackendForUrl(prepared, url, filename.slice(6), server.workers, this.client);
    if (!plan.ok) {
      this.log.push(...plan.log);
      return this.respond(plan.status, plan.status === 426 ? 'upgrade-required' : 'no-handler', plan.headers, matched, plan.reason);
    }
    this.log.push(...plan.log);
    return {
      ...this.decisionBase(matched, explainPlan(matched, plan.plan)),
      kind: 'proxy',
      filename,
      canonicalFilename: `proxy:${url}`,
      backend: plan.plan,
      balancer: null,
      prepared,
    };
  }

  /**
   * The access, check_user_id and auth_checker phases (ap_process_request_internal): mod_authz_core
   * first decides without a user; only AUTHZ_DENIED_NO_USER leads to authentication (mod_auth_basic)
   * and a second authorization with the user. 403 with AH01630 names r->filename.
   */
  private checkAccess(dir: DirectoryState, filename: string, matched: MatchedDirective | null): ResponseDecision | null {
    // header_parser runs right before the access checks: mod_setenvif's per-directory lines.
    this.runSetEnvIf(dir.setEnvIf, this.uri ?? '/', filename);
    const authType = effectiveAuthType(dir.authn);
    if (dir.authz === null && authType !== null) {
      this.pushLog('authz_core', 'error', 'AH01627', 'AuthType configured with no corresponding authorization directives');
      return this.respond(500, 'server-error', [], matched, `AuthType ${authType} is set, but no Require applies`);
    }
    // access_checker_ex: mod_ssl's ssl_hook_Access refuses a plain request under SSLRequireSSL first.
    if (dir.sslRequired && !this.request.secure && this.modules.has('mod_ssl.c')) {
      this.pushLog('ssl', 'error', 'AH02219', `access to ${filename} failed, reason: SSL connection required`);
      return this.respond(403, 'forbidden', [], matched, 'SSLRequireSSL: the request did not come over TLS');
    }
    const clientCertificate = this.postHandshakeClientCertificate(dir);
    if (clientCertificate) return this.respond(403, 'forbidden', [], matched, clientCertificate);
    if (dir.authz === null) {
      this.pushLog('authz_core', 'debug', 'AH01628', 'authorization result: granted (no directives)', 'mod_authz_core.c(843)');
      return null;
    }
    const before = this.authorize(dir, filename, null);
    if (before.result === 'granted') return null;
    if (before.result !== 'denied-no-user') return this.denyAccess(before.steps, filename, matched);

    const authentication = authenticate(dir.authn, {
      uri: this.uri ?? '/',
      authorization: this.headers.get('Authorization'),
      modules: this.modules,
      readFile: this.options.readFile ?? (() => null),
    });
    for (const line of authentication.log) this.log.push({ ...line, client: this.client });
    const challenge: HeaderPair[] = [['WWW-Authenticate', basicChallenge(dir.authn)]];
    if (!authentication.ok) {
      const reason = authentication.status === 401 ? 'unauthorized' : 'server-error';
      return this.respond(authentication.status, reason, authentication.challenge ? challenge : [], matched, `authentication: ${authentication.reason}`);
    }
    const after = this.authorize(dir, filename, authentication.user);
    if (after.result === 'granted') return null;
    if (after.result === 'denied-no-user') {
      this.pushLog('authz_core', 'error', 'AH01629', `authorization failure (no authenticated user): ${this.uri}`);
    } else {
      this.pushLog('authz_core', 'error', 'AH01631', `user ${authentication.user}: authorization failure for "${this.uri}": `);
    }
    const denier = after.steps.find((step) => step.result === 'denied');
    return this.respond(
      401,
      'unauthorized',
      challenge,
      denier ? { directive: 'Require', text: describeRequire(denier.rule), source: denier.rule.source } : matched,
      `user ${authentication.user} is authenticated but not authorized${denier ? `: ${describeRequire(denier.rule)} (${denier.note})` : ''}`,
    );
  }

  /** One apply_authz_sections() pass, recorded for the explanation. */
  private authorize(dir: DirectoryState, filename: string, user: string | null): { result: AuthzResult; steps: AuthzStep[] } {
    const { result, steps } = evaluateAuthz(dir.authz, {
      method: this.request.method,
      clientIp: this.request.remoteAddress,
      localIp: this.request.localAddress,
      env: this.env,
      clientHostname: (this.options.reverseLookup ?? defaultReverseLookup)(this.request.remoteAddress),
      expr: this.exprLookup(filename),
      user,
      secure: this.request.secure,
      uri: this.uri ?? '/',
      log: (module, level, code, message, origin) => this.pushLog(module, level, code, message, origin),
    });
    for (const step of steps) {
      this.considered.push({
        directive: 'Require',
        text: describeRequire(step.rule),
        source: step.rule.source,
        result: step.result === 'granted' ? 'matched' : 'no-match',
        note: `${step.result}: ${step.note}`,
      });
    }
    return { result, steps };
  }

  private denyAccess(steps: AuthzStep[], filename: string, matched: MatchedDirective | null): ResponseDecision {
    this.pushLog('authz_core', 'error', 'AH01630', `client denied by server configuration: ${filename}`);
    const denier = steps.find((step) => step.result === 'denied') ?? steps[steps.length - 1];
    return this.respond(
      403,
      'forbidden',
      [],
      denier ? { directive: 'Require', text: describeRequire(denier.rule), source: denier.rule.source } : matched,
      `access denied for ${this.request.remoteAddress}${denier ? `: ${describeRequire(denier.rule)} (${denier.note})` : ''}`,
    );
  }

  /** mod_alias: a <Location> Redirect (the URL only), then the server's Redirect lines in order. */
  private tryRedirects(sectionRedirects: RedirectRule[], serverRedirects: RedirectRule[]): ResponseDecision | null {
    const uri = this.uri ?? '/';
    for (const rule of sectionRedirects) {
      this.considered.push({ directive: rule.directive, text: describeRedirect(rule), source: rule.source, result: 'matched', note: `the <Location> for ${rule.path} redirects everything under it` });
      return this.redirectTo(rule, rule.target === null ? null : escapeRedirectTarget(rule.target));
    }
    for (const rule of serverRedirects) {
      let target: string | null | undefined;
      if (rule.regex) {
        const compiled = compileHttpdRegex(rule.path);
        const match = compiled.ok ? compiled.regex.exec(uri) : null;
        if (match) target = rule.target === null ? null : escapeRedirectTarget(pregsub(rule.target, match));
      } else {
        const consumed = aliasMatch(uri, rule.path);
        if (consumed > 0) target = rule.target === null ? null : rule.target + escapePathForRedirect(uri.slice(consumed));
      }
      if (target === undefined) {
        this.considered.push({ directive: rule.directive, text: describeRedirect(rule), source: rule.source, result: 'no-match', note: `${uri} does not match ${rule.path}` });
        continue;
      }
      this.considered.push({ directive: rule.directive, text: describeRedirect(rule), source: rule.source, result: 'matched', note: `${uri} matches ${rule.path}` });
      return this.redirectTo(rule, target);
    }
    return null;
  }

  private redirectTo(rule: RedirectRule, target: string | null): ResponseDecision {
    const matched = { directive: rule.directive, text: describeRedirect(rule), source: rule.source };
    if (rule.status < 300 || rule.status > 399 || target === null) {
      return this.respond(rule.status, rule.status === 410 ? 'gone' : 'redirect', [], matched, `${describeRedirect(rule)} answers ${rule.status}`);
    }
    let location = target.startsWith('/') ? this.constructUrl(target) : target;
    if (this.args !== null && !location.includes('?')) location += `?${this.args}`;
    return this.respond(rule.status, 'redirect', [['Location', location]], matched, `${describeRedirect(rule)} sends the client to ${location}`);
  }

  /** Nothing proxied: the core maps the path to DocumentRoot, checks access, and finds no file. */
  private serveLocally(filenameOverride: string | null, matched: MatchedDirective | null, why: string | null): RouteDecision {
    const server = this.currentServer();
    const uri = this.uri ?? '/';
    // http_send_options (map_to_storage, before any access check): "OPTIONS *" is a bare pong.
    if (this.request.method === 'OPTIONS' && uri === '*') {
      return this.respond(200, 'answered-locally', [], matched, 'OPTIONS * is answered by httpd itself: 200 with an empty body and no Allow header');
    }
    // ap_send_http_trace (map_to_storage too): a TRACE nothing proxied is echoed back.
    if (this.request.method === 'TRACE') {
      if (this.currentServer().traceEnable === 'off') {
        this.pushLog('core', 'debug', 'AH00669', 'TRACE denied by server configuration');
        return this.respond(405, 'forbidden', [['Allow', '']], matched, 'TraceEnable off: httpd refuses TRACE with 405');
      }
      return this.respond(200, 'trace', [], matched, 'httpd echoes a TRACE back as message/http (TraceEnable on by default)');
    }
    const fullPath = filenameOverride ?? `${server.documentRoot}${uri}`;
    // directory_walk stops at the first path component that does not exist; only DocumentRoot does.
    const firstSegment = filenameOverride ? fullPath : firstComponentPath(server.documentRoot, uri);
    let dir = server.directory;
    for (const { section } of matchDirectories(server.sections, firstSegment)) dir = mergeDirectoryScope(dir, section.settings, section.source, section.match);
    dir = this.walkLocations(dir, uri, server.sections);
    this.dir = dir;
    const denied = this.checkAccess(dir, firstSegment, matched);
    if (denied) return denied;
    const perDir = this.applyPerDirectoryRewrite(dir, fullPath, 1);
    if (perDir) {
      if (perDir.kind === 'respond') return perDir.decision;
      return this.proxyFixupsAndHandler(perDir.filename, null, perDir.flags, parseProtocolMinor(this.request.httpVersion), perDir.matched, dir);
    }
    if (this.modules.has('mod_alias.c')) {
      const redirect = this.tryRedirects(dir.redirects.filter((rule) => rule.inSection), []);
      if (redirect) return redirect;
    }
    // The handler phase: core_upgrade_handler runs first, then the section's handler or the default one.
    this.log.push(...coreUpgradeHandlerLog(this.headers.toPairs(), server.serverHostname, [], this.client));
    // A handler set for the section answers instead of the (absent) file, when its module is loaded.
    const handlerModule = dir.handler ? CONTENT_HANDLER_MODULES[dir.handler.toLowerCase()] : undefined;
    if (dir.handler && handlerModule && this.modules.has(handlerModule) && this.handlerTakes(dir.handler.toLowerCase())) {
      const decision = this.respond(200, 'handler', [], matched, `SetHandler ${dir.handler} answers ${uri} (no ProxyPass claimed it)`);
      return { ...decision, handler: dir.handler.toLowerCase() };
    }
    // core's default_handler first reads and discards the request body under LimitRequestBody
    // (ap_discard_request_body: over it, 413 instead), then answers by method: only GET (and HEAD)
    // and POST look for a file, OPTIONS is answered with the methods allowed, any other method
    // the registry knows gets 405, an unknown one 501. Its own log lines come after that read.
    const local = (decision: ResponseDecision, thenLog: ErrorLogEntry[] = []): ResponseDecision => ({
      ...decision,
      ...(filenameOverride ? {} : { localFilename: firstSegment }),
      discardBodyFirst: { limitBytes: effectiveRequestBodyLimit(dir.limitRequestBody), thenLog },
    });
    const coreLine = (level: ErrorLogEntry['level'], code: string, message: string): ErrorLogEntry => ({ module: 'core', level, code, message, client: this.client });
    const allow = `GET,POST,OPTIONS,HEAD${server.traceEnable === 'off' ? '' : ',TRACE'}`;
    const method = this.request.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      if (!isRegisteredMethod(method, this.config.global.registeredMethods)) {
        return local(
          this.respond(501, 'method-not-allowed', [['Allow', allow]], matched, `httpd does not know the method ${method}: its default handler answers 501`),
          [coreLine('error', 'AH00135', `Invalid method in request ${requestLineOf(this.request)}`)],
        );
      }
      if (method === 'OPTIONS') {
        return local(this.respond(200, 'answered-locally', [['Allow', allow]], matched, `no ProxyPass claims ${uri}, so httpd's default handler answers the OPTIONS itself: 200 with an Allow header`));
      }
      return local(this.respond(405, 'method-not-allowed', [['Allow', allow]], matched, `no ProxyPass claims ${uri}, and httpd's default handler serves files only to GET, HEAD and POST: 405`));
    }
    const notFound = this.respond(404, 'not-found', [], matched, why ?? explainNoMatch(uri, this.considered, server.proxyPass));
    // The DocumentRoot itself is a directory httpd will not serve (no mod_dir index here).
    if (!filenameOverride && uri.split('/').every((part) => part === '')) {
      return local(notFound, [coreLine('info', 'AH00129', `Attempt to serve directory: ${firstSegment}`)]);
    }
    return local(notFound, [coreLine('info', 'AH00128', `File does not exist: ${fullPath}`)]);
  }

  /**
   * mod_rewrite's hook_fixup(): RewriteRules of the merged <Location> (per-directory context).
   * Returns null when they leave the request alone.
   */
  private applyPerDirectoryRewrite(
    dir: DirectoryState,
    filename: string,
    protoMinor: number,
  ):
    | { kind: 'proxy'; filename: string; flags: { nocanon: boolean; noencode: boolean }; matched: MatchedDirective }
    | { kind: 'respond'; decision: ResponseDecision }
    | null {
    if (!this.modules.has('mod_rewrite.c') || !dir.rewrite.engine || dir.rewrite.directory === null || dir.rewrite.rules.length === 0) return null;
    const proxied = filename.startsWith('proxy:');
    const result = applyServerRewrite(dir.rewrite.rules, this.rewriteRequest(protoMinor), {
      directory: dir.rewrite.directory,
      filename,
      proxied,
    });
    this.considered.push(...result.considered);
    this.log.push(...result.log);
    const outcome = result.outcome;
    if (outcome.kind === 'none') return null;
    const matched: MatchedDirective = { directive: 'RewriteRule', text: describeRewrite(outcome.rule), source: outcome.rule.source };
    switch (outcome.kind) {
      case 'proxy':
        this.args = outcome.args;
        return {
          kind: 'proxy',
          filename: `proxy:${outcome.url}${outcome.noEscape && outcome.args !== null ? `?${outcome.args}` : ''}`,
          flags: { nocanon: outcome.noEscape, noencode: false },
          matched,
        };
      case 'redirect':
        return { kind: 'respond', decision: this.respond(outcome.status, 'redirect', [['Location', outcome.location]], matched, `the RewriteRule redirects to ${outcome.location}`) };
      case 'status':
        return {
          kind: 'respond',
          decision: this.respond(outcome.status, outcome.status === 403 ? 'forbidden' : outcome.status === 410 ? 'gone' : 'rewrite-status', [], matched, `the RewriteRule answers ${outcome.status}`),
        };
      case 'local':
      case 'pass-through':
        // An internal redirect to the new path; the sandbox serves no files, so it ends in 404.
        this.pushLog('core', 'info', 'AH00128', `File does not exist: ${outcome.kind === 'local' ? outcome.path : outcome.uri}`);
        return {
          kind: 'respond',
          decision: this.respond(404, 'not-found', [], matched, `the RewriteRule in the <Location> rewrote the path to a local file, which the sandbox does not have`),
        };
    }
  }

  /**
   * proxy_walk: every <Proxy>/<ProxyMatch> section matching the URL, merged in order. A section
   * with SSLProxy* lines also brings its whole post-config proxy TLS context (see sslProxyInEffect).
   */
  private proxyWalk(base: DirectoryState, filename: string): DirectoryState {
    const server = this.currentServer();
    let dir = base;
    for (const { section, env } of matchProxySections(server.sections, filename.slice(6))) {
      dir = mergeDirectoryScope(dir, section.settings, section.source, section.match);
      if (Object.values(section.settings.sslProxy).some((setting) => setting !== null)) {
        dir = { ...dir, sslProxySection: { settings: section.settings.sslProxy, inMain: server.sections.indexOf(section) < server.mainSectionCount } };
      }
      Object.assign(this.env, env);
    }
    return dir;
  }

  /** The location walk over a base config: every matching <Location>, merged in order. */
  private walkLocations(base: DirectoryState, uri: string, sections: Section[]): DirectoryState {
    let dir = base;
    for (const { section, env } of matchLocations(sections, uri)) {
      dir = mergeDirectoryScope(dir, section.settings, section.source, section.match);
      Object.assign(this.env, env);
    }
    return dir;
  }

  private wstunnelClaimsWebSockets(dir: DirectoryState | null): boolean {
    if (!this.modules.has('mod_proxy_wstunnel.c')) return false;
    return !(this.modules.has('mod_proxy_http.c') && (dir?.websocketFallbackToProxyHttp ?? true));
  }

  private prepare(dir: DirectoryState, protoMinor: number, uri: string): PreparedProxyRequest {
    const server = this.currentServer();
    const expect = this.headers.get('Expect');
    return {
      method: this.request.method,
      uri,
      backendKeepAlive: !(this.headers.has('Content-Length') && this.headers.has('Transfer-Encoding')),
      protoMinor,
      force10: this.env['force-proxy-request-1.0'] !== undefined,
      noKeepAlive: this.env['proxy-nokeepalive'] !== undefined,
      headers: this.headers.toPairs(),
      remoteAddress: this.request.remoteAddress,
      serverHostname: server.serverHostname,
      preserveHost: dir.preserveHost,
      addForwardedHeaders: dir.addHeaders,
      // r->expecting_100 and dconf->forward_100_continue (Proxy100Continue).
      expecting100: expect !== undefined && expect.toLowerCase() === '100-continue' && dir.forward100Continue,
      wstunnelFallsBack: !this.wstunnelClaimsWebSockets(dir),
      keepEncodedSlashes: server.allowEncodedSlashes === 'nodecode',
      modules: this.modules,
      ...this.sslProxyInEffect(dir),
      sslLoaded: this.modules.has('mod_ssl.c'),
      serverTimeout: server.timeout,
      proxyTimeout: server.proxyTimeout,
      proxyTimeoutSet: server.proxyTimeoutSet,
      localPort: this.request.localPort,
      via: this.currentServer().proxyVia,
      viaText: this.viaText(server.serverHostname, server.serverNamePort, protoMinor),
    };
  }

  /**
   * ssl_hook_Access_modern on a TLS 1.3 connection: a section's SSLVerifyClient stricter than the
   * verify mode the handshake ran with needs post-handshake authentication, which clients that did
   * not offer it (browsers, Node) cannot do: 403 with AH10158. Returns the reason, or null.
   * (TLS 1.2's renegotiation is not modelled.)
   */
  private postHandshakeClientCertificate(dir: DirectoryState): string | null {
    if (!this.request.secure || this.request.tlsProtocol !== 'TLSv1.3' || !this.modules.has('mod_ssl.c')) return null;
    const perDir = dir.sslVerifyClient;
    const server = this.currentServer().sslVerifyClient;
    if (perDir === null && server === null) return null;
    // SSL_VERIFY_PEER (1) for optional modes, plus FAIL_IF_NO_PEER_CERT (2) for require.
    const bits = (mode: string | null) => (mode === 'require' ? 3 : mode === 'optional' || mode === 'optional_no_ca' ? 1 : 0);
    const needed = bits(perDir) | bits(server);
    const inPlace = bits(server);
    if (needed === 0 || (needed & ~inPlace) === 0) return null;
    this.pushLog('ssl', 'error', 'AH10158', 'cannot perform post-handshake authentication');
    return `SSLVerifyClient ${perDir} here needs a client certificate after the TLS 1.3 handshake, which the client cannot send`;
  }

  /**
   * SSLProxyEngine and the handshake checks the backend connection uses (dc->proxy_enabled and
   * dc->proxy). A <Proxy> section with SSLProxy* lines was merged at post-config with the server
   * that defined it (ssl_proxy_section_post_config), and the request uses the last such section's
   * context whole; without one, the server's settings apply.
   */
  private sslProxyInEffect(dir: DirectoryState): { sslProxyEngine: boolean; sslProxy: SslProxyChecks } {
    const server = this.currentServer();
    const section = dir.sslProxySection;
    if (section === null) return { sslProxyEngine: dir.sslProxyEngine ?? server.sslProxyEngine, sslProxy: server.sslProxy };
    const base = section.inMain ? server.mainSslProxy : server.sslProxy;
    const own = sslProxyChecks(section.settings);
    return {
      sslProxyEngine: section.settings.engine?.value ?? (section.inMain ? server.mainSslProxyEngine : server.sslProxyEngine),
      sslProxy: {
        verify: own.verify ?? base.verify,
        checkPeerName: own.checkPeerName ?? base.checkPeerName,
        checkPeerCN: own.checkPeerCN ?? base.checkPeerCN,
        checkPeerExpire: own.checkPeerExpire ?? base.checkPeerExpire,
        caCertificateFile: own.caCertificateFile ?? base.caCertificateFile,
        protocol: own.protocol ?? base.protocol,
      },
    };
  }

  /**
   * What ProxyVia adds: the server's own name (never the client's Host) and the port
   * ap_get_server_port gives (the Host's, else ServerName's, else the scheme's default, which is left out).
   */
  private viaText(serverHostname: string, serverNamePort: number | null, protoMinor: number): string {
    const defaultPort = this.request.secure ? 443 : 80;
    const port = this.hostPort ?? serverNamePort ?? defaultPort;
    const portText = port === defaultPort ? '' : `:${port}`;
    const name = `1.${protoMinor} ${serverHostname}${portText}`;
    return this.currentServer().proxyVia === 'full' ? `${name} (${HTTPD_BASE_VERSION})` : name;
  }

  /**
   * One pass of mod_proxy's ProxyPass matching: 'pre-translate' sees the still-encoded path (for
   * mapping=encoded), 'translate' the decoded one. Returns the proxy decision when a rule matched.
   */
  private translateWithProxyPass(
    parsed: ParsedTarget,
    server: ReturnType<RequestRouter['currentServer']>,
    dir: DirectoryState,
    uri: string,
    phase: 'pre-translate' | 'translate',
    protoMinor: number,
  ): RouteDecision | null {
    const translation = translateProxy({
      uri,
      unparsedUri: parsed.unparsedUri,
      sectionRule: dir.proxyAlias,
      serverRules: server.proxyPass,
      hasUpgradeHeader: this.headers.has('Upgrade'),
      wstunnelClaimsWebSockets: this.wstunnelClaimsWebSockets(dir),
      phase,
      client: this.client,
    });
    this.considered.push(...translation.considered);
    this.log.push(...translation.log);
    if (translation.kind !== 'matched') return null;
    // mapping=servlet: later <Location> walks see the normalised path.
    if (translation.servletUri !== null) this.uri = translation.servletUri;
    return this.proxyTranslated(translation.filename, translation.rule, { nocanon: translation.nocanon, noencode: phase === 'pre-translate' }, protoMinor);
  }

  /** mod_setenvif's match_headers() over this request's environment. */
  private runSetEnvIf(entries: readonly SetEnvIfEntry[], uri: string, filename = ''): void {
    if (entries.length === 0) return;
    const protoMinor = parseProtocolMinor(this.request.httpVersion);
    applySetEnvIf(
      entries,
      {
        headers: this.headers,
        remoteAddress: this.request.remoteAddress,
        localAddress: this.request.localAddress,
        // REMOTE_NAME under HostnameLookups Off (the default): no lookup, so the IP.
        remoteHost: this.request.remoteAddress,
        uri,
        method: this.request.method,
        protocol: `HTTP/1.${protoMinor}`,
        expr: this.exprLookup(filename),
      },
      this.env,
    );
  }

  /** ap_expr's view of the request: %{VARS} as mod_rewrite reads them, http()/req() for headers. */
  private exprLookup(filename: string): ExprLookup {
    const request = this.rewriteRequest(parseProtocolMinor(this.request.httpVersion));
    return {
      clientIp: this.request.remoteAddress,
      variable: (name) => lookupVariable(name, request, filename),
      call: (func, arg) => {
        if (func === 'http' || func === 'req' || func === 'req_novary') return request.headers.get(arg) ?? '';
        if (func === 'env' || func === 'reqenv') return this.env[arg] ?? '';
        if (func === 'toupper') return arg.toUpperCase();
        if (func === 'tolower') return arg.toLowerCase();
        return null;
      },
    };
  }

  private rewriteRequest(protoMinor: number) {
    const server = this.currentServer();
    return {
      method: this.request.method,
      uri: this.uri ?? '/',
      args: this.args,
      theRequest: `${this.request.method} ${this.request.target} HTTP/1.${protoMinor}`,
      protocol: `HTTP/1.${protoMinor}`,
      headers: this.headers,
      remoteAddress: this.request.remoteAddress,
      remotePort: this.request.remotePort,
      localAddress: this.request.localAddress,
      localPort: this.request.localPort,
      secure: this.request.secure,
      serverName: this.serverNameForUrl(),
      serverPort: this.serverPort(),
      serverAdmin: server.serverAdmin,
      documentRoot: server.documentRoot,
      env: this.env,
      maps: server.rewriteMaps,
      client: this.client,
      isThisServer: (host: string, port: number) => serverAnswersFor(server, host, port),
    };
  }

  /**
   * Whether a content handler answers this request, with what it logs first. balancer_handler()
   * (mod_proxy_balancer) takes only GET and POST, and it ignores the page's parameters, logging
   * AH10187, unless the Referer names this server — its parameter table always counts as present,
   * so a plain GET without a Referer logs it too.
   */
  private handlerTakes(handler: string): boolean {
    // r->method_number: HEAD is M_GET. mod_status serves M_GET only, the balancer-manager M_GET and M_POST.
    const method = this.request.method;
    const get = method === 'GET' || method === 'HEAD';
    if (handler === 'server-status') return get;
    if (handler !== 'balancer-manager') return true;
    if (!get && method !== 'POST') return false;
    const referer = this.headers.get('Referer');
    const refererHost = referer === undefined ? null : /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(referer)?.[1] ?? null;
    if (refererHost === null || refererHost.toLowerCase() !== this.serverNameForUrl().toLowerCase()) {
      this.pushLog('proxy_balancer', 'error', 'AH10187', `ignoring params in balancer-manager cross-site access ${referer ?? '(null)'}: ${this.serverNameForUrl()}`);
    }
    return true;
  }

  /** ap_get_server_name() with UseCanonicalName Off: the client's host name when it gave one. */
  private serverNameForUrl(): string {
    return this.hostname ?? this.currentServer().serverHostname;
  }

  /** ap_get_server_port() with UseCanonicalName Off: the Host port, else the connection's. */
  private serverPort(): number {
    return this.hostPort ?? this.request.localPort;
  }

  /** ap_construct_url() */
  private constructUrl(path: string): string {
    const scheme = this.request.secure ? 'https' : 'http';
    const port = this.serverPort();
    const defaultPort = this.request.secure ? 443 : 80;
    return `${scheme}://${bracket(this.serverNameForUrl())}${port === defaultPort ? '' : `:${port}`}${path}`;
  }

  /**
   * mod_env's fixup (APR_HOOK_MIDDLE, so before mod_headers' at APR_HOOK_LAST): the merged
   * SetEnv variables overwrite r->subprocess_env; UnsetEnv only cancels an inherited SetEnv.
   */
  private runEnvFixup(dir: DirectoryState): void {
    const vars = new Map<string, string>();
    for (const op of dir.envOps) {
      if (op.action === 'set') vars.set(op.name, op.value);
      else vars.delete(op.name);
    }
    for (const [name, value] of vars) this.env[name] = value;
  }

  private headerOpContext(): HeaderOpContext {
    return { env: this.env, requestTimeMicros: this.options.requestTimeMicros ?? 0, expr: this.exprLookup(''), requestHeaders: this.headers.toPairs(), sslVar: this.sslVariable };
  }

  /**
   * ap_ssl_var_lookup() as mod_ssl's ssl_var_lookup() answers it (names without case): a few
   * request variables, then HTTPS and the connection's SSL_* ones (unset on a plain connection).
   * Without mod_ssl every variable is unset.
   */
  private readonly sslVariable = (name: string): string | null => {
    if (!this.modules.has('mod_ssl.c')) return null;
    const upper = name.toUpperCase();
    const secure = this.request.secure;
    const headerNames: Record<string, string> = {
      HTTP_USER_AGENT: 'User-Agent',
      HTTP_REFERER: 'Referer',
      HTTP_COOKIE: 'Cookie',
      HTTP_FORWARDED: 'Forwarded',
      HTTP_HOST: 'Host',
      HTTP_PROXY_CONNECTION: 'Proxy-Connection',
      HTTP_ACCEPT: 'Accept',
    };
    if (Object.hasOwn(headerNames, upper)) return this.headers.get(headerNames[upper]) ?? null;
    if (upper.startsWith('HTTP:') && upper.length > 5) return this.headers.get(name.slice(5)) ?? null;
    switch (upper) {
      case 'REQUEST_METHOD':
        return this.request.method;
      case 'REQUEST_SCHEME':
        return secure ? 'https' : 'http';
      case 'REQUEST_URI':
        return this.uri ?? null;
      case 'REMOTE_ADDR':
        return this.request.remoteAddress;
      case 'QUERY_STRING':
        return this.args;
      case 'HTTPS':
        return secure ? 'on' : 'off';
      case 'SSL_PROTOCOL':
        return secure ? (this.request.tlsProtocol ?? null) : null;
      case 'SSL_TLS_SNI':
        return secure ? (this.request.tlsServerName ?? null) : null;
      default:
        return null;
    }
  };

  private useServer(index: number | null, selected: SelectedServer): void {
    this.selected = selected;
    this.server = serverView(this.config, index, this.options.localHostname ?? '127.0.0.1');
    this.selected = { ...selected, serverName: this.server.serverHostname };
  }

  private currentServer(): ServerView {
    if (!this.server) throw new Error('routing invariant: a server is chosen before any phase runs');
    return this.server;
  }

  private pushLog(module: string, level: ErrorLogEntry['level'], code: string, message: string, origin?: string): void {
    this.log.push({ module, level, code, message, client: this.client, ...(origin ? { origin } : {}) });
  }

  private responseContext(): ResponseContext {
    return {
      sslVar: this.sslVariable,
      headerOps: (this.dir ?? this.server?.directory)?.headerOps ?? [],
      env: this.env,
      requestHeaders: this.headers.toPairs(),
      expr: this.exprLookup(''),
      earlyErrorHeaders: this.earlyErrorHeaders,
      logLevel: this.dir?.logLevel ?? null,
      errorDocuments: (this.dir ?? this.server?.directory)?.errorDocuments ?? {},
      proxyErrorOverride: (this.dir ?? this.server?.directory)?.proxyErrorOverride,
      proxyPassReverse: this.dir?.proxyPassReverse ?? [],
      balancers: this.server?.balancers ?? [],
      serverName: this.serverNameForUrl(),
      scheme: this.request.secure ? 'https' : 'http',
      port: this.serverPort(),
    };
  }

  private decisionBase(matched: MatchedDirective | null, explanation: string): DecisionBase {
    return {
      server: this.selected,
      uri: this.uri,
      args: this.args,
      considered: [...this.considered],
      matched,
      explanation,
      log: [...this.log],
      responseContext: this.responseContext(),
    };
  }

  private respond(
    status: number,
    reason: ResponseDecision['reason'],
    headers: HeaderPair[],
    matched: MatchedDirective | null,
    explanation: string,
  ): ResponseDecision {
    return { ...this.decisionBase(matched, explanation), kind: 'respond', status, headers, reason };
  }
}

/**
 * Plan one backend URL: scheme handler, upgrade, request head, timeouts. Used for ProxyPass
 * targets and for the member a balancer picked. `url` is canonical; `urlBeforeCanon` is what the
 * canon handlers were given.
 */
export function planBackendForUrl(
  prepared: PreparedProxyRequest,
  url: string,
  urlBeforeCanon: string,
  workers: readonly WorkerDefinition[],
  client: string,
  memberWorker: WorkerDefinition | null = null,
):
  | { ok: true; plan: BackendPlan; log: ErrorLogEntry[] }
  | { ok: false; status: number; headers: HeaderPair[]; log: ErrorLogEntry[]; reason: string } {
  const schemeEnd = url.indexOf(':');
  const scheme = schemeEnd > 0 ? url.slice(0, schemeEnd).toLowerCase() : '';
  const handler = chooseSchemeHandler(scheme, prepared);
  // mod_proxy_wstunnel's hooks run first whatever the scheme; proxy-debug-log.ts adds them for
  // requests that reach a backend, these are for the ones its handler or no handler refuses.
  const wstunnel = wstunnelRoleOf(prepared);
  const wstunnelLinesBefore = (): ErrorLogEntry[] => [...canonLog(wstunnel, urlBeforeCanon, client), ...schemeHandlerLog(wstunnel, url, client)];
  const noHandler = (reason: string) => ({
    ok: false as const,
    status: 500,
    headers: [] as HeaderPair[],
    reason,
    log: [
      ...wstunnelLinesBefore(),
      {
        module: 'proxy',
        level: 'warn' as const,
        code: 'AH01144',
        message: `No protocol handler was valid for the URL ${prepared.uri} (scheme '${scheme}'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.`,
        client,
      },
    ],
  });
  if (handler.module === null) return noHandler(handler.reason);
  const parsed = parseBackendUrl(url);
  if (!parsed) return noHandler(`the target URL ${url} has no host`);

  const worker = workerSettings(memberWorker ?? findWorker(workers, url), url);
  const clientUpgrade = new HeaderTable(prepared.headers).get('Upgrade') ?? null;
  const upgrade = decideUpgrade(handler.module, parsed.scheme, clientUpgrade, worker, prepared.force10);
  if (handler.module === 'proxy_wstunnel' && !upgrade.forwarded) {
    const expected = worker.upgrade || 'WebSocket';
    return {
      ok: false,
      status: 426,
      headers: [
        ['Connection', 'Upgrade'],
        ['Upgrade', expected],
      ],
      reason: `mod_proxy_wstunnel answers 426: it needs "Upgrade: ${expected}" and got ${clientUpgrade === null ? 'none' : `"${clientUpgrade}"`}`,
      log: [...wstunnelLinesBefore(), ...upgradeRequiredLog(url, clientUpgrade, expected, client)],
    };
  }
  // The default reverse worker and disablereuse=On workers close the backend connection after
  // each request (ap_proxy_connection_reusable), so mod_proxy_http sends "Connection: close".
  // force-proxy-request-1.0 and proxy-nokeepalive set p_conn->close in ap_proxy_create_hdrbrgd.
  const reusable = prepared.backendKeepAlive && !worker.isDefault && !worker.disableReuse && !prepared.force10 && !prepared.noKeepAlive;
  const head = buildBackendRequestHead({ ...prepared, backendKeepAlive: reusable }, parsed, handler.module, upgrade, client);
  const plan: BackendPlan = {
    module: handler.module,
    responseVia: handler.module === 'proxy_http' && (prepared.via === 'on' || prepared.via === 'full') ? prepared.viaText : null,
    url,
    urlBeforeCanon,
    scheme: parsed.scheme,
    host: parsed.host,
    port: parsed.port,
    tls: parsed.scheme === 'https' || parsed.scheme === 'wss',
    worker,
    upgrade,
    request: { requestLine: head.requestLine, headers: head.headers, bodyFraming: head.bodyFraming },
    timeouts: computeTimeouts(prepared, worker, handler.module),
    afterConnectFailure: tlsFailureAfterConnect(prepared, handler.module, parsed),
  };
  return { ok: true, plan, log: head.log };
}

function explainPlan(matched: MatchedDirective | null, plan: BackendPlan): string {
  const via = matched ? `${describeMatched(matched)} proxies` : 'proxied';
  const upgrade = plan.upgrade.forwarded ? 'the WebSocket upgrade is forwarded' : plan.upgrade.reason;
  return `${via} to ${plan.url} via mod_${plan.module}; ${upgrade}`;
}

function describeMatched(matched: MatchedDirective): string {
  return `${matched.text} (${matched.source.file}:${matched.source.line})`;
}

/** "no ProxyPass matched /wsx; closest: ProxyPass /ws on line 12" */
function explainNoMatch(uri: string, considered: ConsideredRule[], serverRules: ProxyPassRule[]): string {
  const proxyRules = considered.filter((entry) => entry.directive === 'ProxyPass' || entry.directive === 'ProxyPassMatch');
  const excluded = proxyRules.find((entry) => entry.result === 'excluded');
  if (excluded) return `${excluded.text} on line ${excluded.source.line} excludes ${uri} from proxying, and nothing else serves it: 404`;
  if (proxyRules.length === 0 && serverRules.length === 0) return `no ProxyPass applies to ${uri}, and the sandbox serves no files: 404`;
  let closest: ConsideredRule | null = null;
  let best = -1;
  for (const entry of proxyRules) {
    const prefix = entry.text.split(' ')[1] ?? '';
    let common = 0;
    while (common < prefix.length && common < uri.length && prefix[common] === uri[common]) common++;
    if (common > best) {
      best = common;
      closest = entry;
    }
  }
  return closest
    ? `no ProxyPass matched ${uri}; closest: ${closest.text} on line ${closest.source.line} (${closest.note}): 404`
    : `no ProxyPass matched ${uri}: 404`;
}

function describeRewrite(rule: { pattern: string; substitution: string; flags: { raw: string[] } }): string {
  return `RewriteRule ${rule.pattern} ${rule.substitution}${rule.flags.raw.length ? ` [${rule.flags.raw.join(',')}]` : ''}`;
}

function describeRedirect(rule: RedirectRule): string {
  const target = rule.target ?? '';
  return `${rule.directive} ${rule.status} ${rule.inSection ? '' : `${rule.path} `}${target}`.replace(/\s+/g, ' ').trim();
}

/** Redirect targets are escaped except for the query and fragment (try_alias_list, try_redirect). */
function escapeRedirectTarget(target: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(.*)$/s.exec(target);
  if (!match) return target;
  return `${match[1] ?? ''}${escapePathForRedirect(match[2])}${match[3]}`;
}

/** r->the_request as a log message quotes it. */
function requestLineOf(request: RouteRequest): string {
  return `${request.method} ${request.target} ${/^HTTP\//i.test(request.httpVersion) ? request.httpVersion : `HTTP/${request.httpVersion}`}`;
}

/** r->filename after directory_walk: DocumentRoot plus the first path component (which does not exist). */
function firstComponentPath(documentRoot: string, uri: string): string {
  const first = uri.split('/').filter((part) => part !== '')[0];
  return first === undefined ? `${documentRoot}/` : `${documentRoot}/${first}`;
}

function parseProtocolMinor(version: string): number {
  const match = /(\d+)\.(\d+)\s*$/.exec(version);
  if (!match) return 1;
  return Number(match[1]) > 1 ? 1 : Number(match[2]);
}

function defaultReverseLookup(ip: string): string | null {
  return ip === '127.0.0.1' || ip === '::1' ? 'localhost' : null;
}

function formatClient(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** AP_SERVER_BASEVERSION, what ProxyVia Full names: no platform, whatever ServerTokens says. */
const HTTPD_BASE_VERSION = 'Apache/2.4.71';

