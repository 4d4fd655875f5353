/**
 * Routing: what httpd 2.4 does with one request before any network I/O, and the pieces the proxy
 * needs at connect time. Pure TypeScript over the config model; no I/O.
 *
 * Order of evaluation in routeRequest(), following httpd's request cycle:
 *  1. ap_read_request() (server/protocol.c): split the request-target (ap_parse_uri), fold
 *     repeated headers (apr_table_compress), check Content-Length / Transfer-Encoding.
 *  2. Virtual host (server/vhost.c): ap_update_vhost_given_ip() picks the address chain from the
 *     connection's local address; ap_update_vhost_from_headers_ex() checks the Host (fix_hostname)
 *     and walks a name-based chain (ServerName, ServerAlias with wildcards, the first vhost as
 *     default); ap_check_request_header() answers 400 for HTTP/1.1 without a host, 417 for an
 *     unknown Expect.
 *  3. post_read_request: mod_headers' "early" RequestHeader operations.
 *  4. ap_process_request_internal() (server/request.c): ap_normalize_path() (400 AH10244), the
 *     location walk, pre_translate_name (ProxyPass ... mapping=encoded), ap_unescape_url_ex()
 *     (404 for %2F / %00), the location walk again.
 *  5. translate_name, first OK wins: mod_rewrite's hook_uri2file() (server-context RewriteRule;
 *     [P] hands the URL to mod_proxy), then mod_proxy's proxy_trans() / ap_proxy_trans_match()
 *     (the <Location> ProxyPass of the most specific matching section, then server-level
 *     ProxyPass / ProxyPassMatch in order, the main server's first; "!" stops the walk;
 *     mod_proxy_wstunnel's check_trans may skip a ws:// rule), then mod_alias's
 *     translate_alias_redir() (Redirect), then the core's DocumentRoot mapping.
 *  6. map_to_storage: proxy_walk() merges <Proxy> sections for proxied requests,
 *     ap_directory_walk() <Directory> sections otherwise; the location walk runs once more.
 *  7. Access: mod_authz_core's apply_authz_sections() over the merged config (403 AH01630
 *     naming r->filename, e.g. "proxy:ws://127.0.0.1:8080/").
 *  8. fixups: proxy_fixup() → ap_proxy_canon_url() (the scheme's canon handler), mod_alias'
 *     fixup_redir() (a Redirect inside the <Location>), mod_headers' RequestHeader.
 *  9. proxy_handler(): Max-Forwards, balancer (proxy_balancer_pre_request) or worker
 *     (ap_proxy_get_worker_ex, longest name), the scheme handler (mod_proxy_wstunnel first, then
 *     mod_proxy_http; 500 AH01144 when none takes the scheme), the upgrade decision
 *     (ap_proxy_worker_can_upgrade) and the backend request head (ap_proxy_create_hdrbrgd).
 *     Nothing proxied and no file: 404 (AH00128).
 *
 * At connect time the proxy uses balancer-runtime.ts (member choice, error state, AH00959 /
 * AH01170), planBalancerMember() for the chosen member, and response-head.ts for the answer.
 */
export { routeRequest, planBackendForUrl, type RouteOptions } from './route-request.ts';
export { planBalancerMember } from './balancer-plan.ts';
export { frameChunkedBody, PREFETCH_LIMIT_BYTES } from './backend-plan.ts';
export {
  createBalancerState,
  chooseMember,
  markMemberFailed,
  markMemberInErrorAfter500,
  memberRequestFinished,
  releaseMember,
  isUsable,
  type StickyRequest,
  type BalancerState,
  type BalancerMemberState,
  type MemberChoice,
} from './balancer-runtime.ts';
export { connectFailureLog, dnsFailureLog, type ConnectFailure } from './connect-failure-log.ts';
export { acquireWorker, initialWorkerHealth, markWorkerFailed, workerKey, workerStatusFlags, type WorkerHealth } from './worker-state.ts';
export {
  buildClientResponseHead,
  reverseMapLocation,
  type BackendResponseHead,
  type ClientResponseHead,
  type ResponseOptions,
} from './response-head.ts';
export { buildVhostTable, selectVirtualHost, type VhostTable, type VhostChoice } from './vhost-select.ts';
export { HeaderTable, hasToken, type HeaderPair } from './header-table.ts';
export type {
  BackendPlan,
  BackendRequestHead,
  BalancerTarget,
  ConsideredRule,
  DecisionBase,
  MatchedDirective,
  PreparedProxyRequest,
  ProxyDecision,
  ProxyModuleName,
  ProxyTimeouts,
  ResponseContext,
  ResponseDecision,
  RouteDecision,
  RouteRequest,
  SelectedServer,
  UpgradeDecision,
  WorkerSettings,
} from './types.ts';
