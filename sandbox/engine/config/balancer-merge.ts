/**
 * How a virtual host's balancers come out of merge_proxy_config() (modules/proxy/mod_proxy.c).
 *
 * While BalancerInherit or ProxyPassInherit is on (both default On; either one is enough),
 * merge_balancers() gives the vhost every balancer of the main server. A balancer the vhost has
 * under the same name — its own <Proxy balancer://…>, or the empty one a vhost ProxyPass naming
 * balancer://… defines — is overwritten by the main server's copy: the main server's members
 * (the same proxy_worker objects, so the same run-time state), with only the balancer settings the
 * vhost set itself kept (sticky session, separator, timeout, maxattempts, nonce, nofailover,
 * scolonpathdelim, forcerecovery, lbmethod, growth, failontimeout) and its failonstatus codes
 * added to the main server's. The vhost's own BalancerMember lines are lost (measured, scenario
 * 300). With both Off the vhost keeps only its own balancers.
 */
import type { BalancerDefinition, ProxyParam, ServerConfig } from './model.ts';

/** The balancers a server uses: the main server's own, or a vhost's after merge_proxy_config(). */
export function serverBalancers(main: ServerConfig, vhost: ServerConfig | null): BalancerDefinition[] {
  if (!vhost) return main.server.balancers;
  const balancerInherit = vhost.server.balancerInherit?.value ?? main.server.balancerInherit?.value ?? true;
  const proxyPassInherit = vhost.server.proxyPassInherit?.value ?? main.server.proxyPassInherit?.value ?? true;
  if (!balancerInherit && !proxyPassInherit) return vhost.server.balancers;
  return mergeBalancers(main.server.balancers, vhost.server.balancers);
}

/** merge_balancers(): base-only balancers first, then the vhost's, same-named ones taken over by the base's. */
export function mergeBalancers(base: readonly BalancerDefinition[], own: readonly BalancerDefinition[]): BalancerDefinition[] {
  const baseOnly = base.filter((balancer) => !own.some((mine) => mine.name === balancer.name));
  const merged = own.map((mine) => {
    const inherited = base.find((balancer) => balancer.name === mine.name);
    if (!inherited) return mine;
    return {
      name: inherited.name,
      // The same array: member run-time state is keyed on it, and httpd shares the workers.
      members: inherited.members,
      params: mergeBalancerParams(inherited.params, mine.params),
      source: inherited.source,
    };
  });
  return [...baseOnly, ...merged];
}

/** The vhost's settings win where it set them; failonstatus codes are the vhost's, then the base's. */
function mergeBalancerParams(base: readonly ProxyParam[], own: readonly ProxyParam[]): ProxyParam[] {
  const failOnStatus = (params: readonly ProxyParam[]) => params.findLast((param) => param.key === 'failonstatus')?.value ?? null;
  const codes = [failOnStatus(own), failOnStatus(base)].filter((value): value is string => value !== null && value !== '');
  const params = [...base, ...own].filter((param) => param.key !== 'failonstatus');
  if (codes.length > 0) params.push({ key: 'failonstatus', value: codes.join(',') });
  return params;
}
