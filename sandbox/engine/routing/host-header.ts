/**
 * The Host header as routing needs it. The check itself is httpd's fix_hostname(), implemented
 * once in engine/http/host-header.ts (which the request-head reader also uses); this adapter only
 * reshapes its answer for the router: the normalised name and port, or the AH code that refuses it.
 */
import { checkHost } from '../http/host-header.ts';

/** A host name httpd accepted, or why it refused it. */
export type HostParse =
  | { ok: true; hostname: string; port: number | null; ipv6: boolean }
  | { ok: false; message: string; code: string };

/** Parse and check a Host header value like fix_hostname(). */
export function parseHostHeader(value: string): HostParse {
  const checked = checkHost(value);
  if (checked.ok) return { ok: true, hostname: checked.hostname ?? '', port: checked.port ?? null, ipv6: checked.ipv6 };
  // The last line is the one that names the refusal (AH00550, or AH02416 on its own).
  const refusal = checked.log[checked.log.length - 1];
  return { ok: false, message: refusal.message, code: refusal.code };
}

/**
 * fix_hostname() on r->hostname taken from an absolute-form target: apr_uri_parse already split
 * off the port and the IPv6 brackets. An empty host ("http:///x") stays an empty, present name.
 */
export function parseTargetHost(hostname: string): HostParse {
  const checked = checkHost(hostname, true);
  if (checked.ok) return { ok: true, hostname: checked.hostname ?? '', port: null, ipv6: checked.ipv6 };
  const refusal = checked.log[checked.log.length - 1];
  return { ok: false, message: refusal.message, code: refusal.code };
}
