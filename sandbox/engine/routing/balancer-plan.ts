/**
 * The request plan for the balancer member a balancer chose: balancer_fixup()
 * (modules/proxy/mod_proxy_balancer.c) replaces "balancer://name" with the member's URL, then the
 * member's scheme canonicalises the path and appends the query; the member's own parameters
 * (upgrade=, timeout=, ...) apply.
 */
import type { ErrorLogEntry } from '../logs/error-log.ts';
import type { BalancerMemberState } from './balancer-runtime.ts';
import type { HeaderPair } from './header-table.ts';
import { canonicaliseProxyUrl } from './proxy-canon.ts';
import { planBackendForUrl } from './route-request.ts';
import type { BackendPlan, ProxyDecision } from './types.ts';

/** Plan the backend request for one chosen member of the decision's balancer. */
export function planBalancerMember(
  decision: ProxyDecision,
  member: BalancerMemberState,
  client: string,
): { ok: true; plan: BackendPlan; log: ErrorLogEntry[] } | { ok: false; status: number; headers: HeaderPair[]; log: ErrorLogEntry[]; reason: string } {
  const suffix = decision.balancer?.pathSuffix ?? '/';
  const raw = `${member.name}${suffix}`;
  const prepared = decision.prepared;
  const canon = canonicaliseProxyUrl(raw, {
    nocanon: false,
    noencode: false,
    keepEncodedSlashes: prepared.keepEncodedSlashes,
    args: decision.args,
    modules: prepared.modules,
    wstunnelClaimsWebSockets: !prepared.wstunnelFallsBack,
    client,
  });
  if (!canon.ok) return { ok: false, status: canon.status, headers: [], log: canon.log, reason: canon.reason };
  const worker = { name: member.name, matchable: false, params: member.params, source: member.source };
  return planBackendForUrl(prepared, canon.url, raw, [], client, worker);
}
