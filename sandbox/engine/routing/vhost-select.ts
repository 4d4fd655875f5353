/**
 * Virtual host selection as server/vhost.c does it.
 *
 * At startup ap_fini_vhost_config() groups <VirtualHost> addresses into chains: one per
 * specific IP:port (an IP with no port, or ":*", matches any port), and one per port for the
 * wildcard address ("*" / "_default_"). A chain with a single vhost is IP-based; with two or more
 * it is name-based, its names kept in config order and its first vhost the default.
 *
 * Per connection, ap_update_vhost_given_ip() picks the chain: an exact IP:port chain, else a
 * specific IP with wildcard port, else the wildcard-address chain for the port (exact port
 * before wildcard port), else only the main server. Per request,
 * update_server_from_aliases() walks a name-based chain in order and takes the first vhost whose
 * ServerName or ServerAlias (wildcards via ap_strcasecmp_match) matches the host, else the first
 * whose VirtualHost address text equals it, else keeps the chain's default.
 */
import type { HttpdConfig, ServerConfig, VirtualHostAddress, VirtualHostConfig } from '../config/model.ts';
import type { SelectedServer } from './types.ts';

/** One address of a vhost after name resolution (server_addr_rec). */
interface ServerAddress {
  /** Resolved IP, or "*" for the wildcard address. */
  ip: string;
  /** 0 means any port. */
  port: number;
  /** The address text as written before the port ("*", "127.0.0.1", "localhost"). */
  virthost: string;
}

/** One chain of vhosts sharing an address (ipaddr_chain). */
interface AddressChain {
  address: ServerAddress;
  /** Vhost indexes whose names take part in name matching, in config order. */
  vhosts: number[];
}

/** The chains httpd builds from the config, computed once per config. */
export interface VhostTable {
  specific: AddressChain[];
  wildcard: AddressChain[];
  /** server_hostname of each vhost, and of the main server. */
  names: string[];
  mainName: string;
}

/** Build httpd's vhost address chains (ap_fini_vhost_config). */
export function buildVhostTable(config: HttpdConfig, localHostname = '127.0.0.1'): VhostTable {
  const mainName = config.main.server.serverName?.value.host ?? localHostname;
  const mainPort = config.main.server.serverName?.value.port ?? 0;
  const specific: AddressChain[] = [];
  const wildcard: AddressChain[] = [];

  config.virtualHosts.forEach((vhost, index) => {
    let previous: ServerAddress | null = null;
    for (const written of vhost.addresses) {
      for (const address of resolveAddress(written, mainPort)) {
        if (address.ip === '*') {
          // Two "*" addresses with the same port on one <VirtualHost> line add the names once.
          const duplicate = previous !== null && previous.ip === '*' && previous.port === address.port;
          const chain = wildcard.find((candidate) => candidate.address.port === address.port);
          if (chain) {
            if (!duplicate) chain.vhosts.push(index);
          } else {
            wildcard.push({ address, vhosts: [index] });
          }
        } else {
          const chain = specific.find(
            (candidate) => candidate.address.ip === address.ip && candidate.address.port === address.port,
          );
          if (chain) chain.vhosts.push(index);
          else specific.push({ address, vhosts: [index] });
        }
        previous = address;
      }
    }
  });

  const names = config.virtualHosts.map((vhost) => vhostServerName(vhost, mainName));
  return { specific, wildcard, names, mainName };
}

/** The vhost (or main server) chosen for a request. */
export interface VhostChoice {
  /** Index into config.virtualHosts, or null for the main server. */
  index: number | null;
  selected: SelectedServer;
}

/**
 * Choose the server for a connection's local address and the request's host name
 * (ap_update_vhost_given_ip + ap_update_vhost_from_headers).
 */
export function selectVirtualHost(
  config: HttpdConfig,
  table: VhostTable,
  localAddress: string,
  localPort: number,
  hostname: string | null,
): VhostChoice {
  const local = normaliseIp(localAddress);
  const chain = connectionChain(table, local, localPort);

  if (!chain) {
    return {
      index: null,
      selected: {
        virtualHostIndex: null,
        serverName: table.mainName,
        source: null,
        reason: `no <VirtualHost> listens on ${formatAddress(local, localPort)}, so the main server answers`,
      },
    };
  }

  const first = chain.vhosts[0];
  const chosen = (index: number, reason: string): VhostChoice => ({
    index,
    selected: {
      virtualHostIndex: index,
      serverName: table.names[index],
      source: config.virtualHosts[index].source,
      reason,
    },
  });

  if (chain.vhosts.length === 1) {
    return chosen(first, `the only <VirtualHost> for ${formatAddress(local, localPort)} (IP-based: Host is not consulted)`);
  }
  if (hostname === null || hostname === '') {
    return chosen(first, `no Host name: the first <VirtualHost> for ${formatAddress(local, localPort)} is the default`);
  }

  let byAddress: number | null = null;
  for (const index of chain.vhosts) {
    const match = matchServerNames(config.virtualHosts[index], table.names[index], hostname);
    if (match) return chosen(index, `Host ${hostname} matched ${match}`);
    if (byAddress === null && hostname.toLowerCase() === chain.address.virthost.toLowerCase()) byAddress = index;
  }
  if (byAddress !== null) return chosen(byAddress, `Host ${hostname} matched the <VirtualHost> address`);
  return chosen(
    first,
    `Host ${hostname} matched no ServerName/ServerAlias for ${formatAddress(local, localPort)}: the first <VirtualHost> there is the default`,
  );
}

/** ap_update_vhost_given_ip(): an exact IP:port chain, a specific IP with any port, then the wildcard address. */
function connectionChain(table: VhostTable, local: string, localPort: number): AddressChain | undefined {
  return (
    table.specific.find((candidate) => candidate.address.ip === local && candidate.address.port === localPort) ??
    table.specific.find((candidate) => candidate.address.ip === local && candidate.address.port === 0) ??
    table.wildcard.find((candidate) => candidate.address.port === localPort) ??
    table.wildcard.find((candidate) => candidate.address.port === 0)
  );
}

/** matches_aliases(): ServerName, then exact ServerAlias, then wildcard ServerAlias. */
function matchServerNames(vhost: VirtualHostConfig, serverName: string, hostname: string): string | null {
  const host = hostname.toLowerCase();
  if (host === serverName.toLowerCase()) return `ServerName ${serverName}`;
  const aliases = vhost.server.serverAliases.map((alias) => alias.value);
  const exact = aliases.find((alias) => !isWildcardName(alias) && alias.toLowerCase() === host);
  if (exact) return `ServerAlias ${exact}`;
  const wild = aliases.find((alias) => isWildcardName(alias) && globMatches(alias, host));
  if (wild) return `ServerAlias ${wild}`;
  return null;
}

/** ap_is_matchexp(): a name with "*" or "?" is matched as a pattern. */
function isWildcardName(name: string): boolean {
  return name.includes('*') || name.includes('?');
}

/** ap_strcasecmp_match(): "*" any run, "?" one character, case-insensitive, whole string. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .toLowerCase()
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(text.toLowerCase());
}

/** server_hostname of a vhost: its ServerName, else the main server's (wildcard) or the address's name. */
export function vhostServerName(vhost: ServerConfig & { addresses: VirtualHostAddress[] }, mainName: string): string {
  const written = vhost.server.serverName?.value.host;
  if (written) return written;
  const wildcardAddress = vhost.addresses.some((address) => address.host === '*' || address.host.toLowerCase() === '_default_');
  if (wildcardAddress || vhost.addresses.length === 0) return mainName;
  const first = normaliseIp(vhost.addresses[0].host);
  // Reverse DNS of the loopback addresses gives "localhost"; others are left numeric.
  return first === '127.0.0.1' || first === '::1' ? 'localhost' : first;
}

/** get_addresses(): the wildcard, an IP literal, or "localhost"; other names do not resolve here. */
function resolveAddress(address: VirtualHostAddress, mainPort: number): ServerAddress[] {
  const port = address.port === '*' ? 0 : (address.port ?? mainPort);
  const host = address.host;
  if (host === '*' || host.toLowerCase() === '_default_') return [{ ip: '*', port, virthost: host }];
  if (host.toLowerCase() === 'localhost') {
    return [
      { ip: '127.0.0.1', port, virthost: host },
      { ip: '::1', port, virthost: host },
    ];
  }
  if (isIpLiteral(host)) return [{ ip: normaliseIp(host), port, virthost: host }];
  return [];
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** Compare addresses the way apr_sockaddr_equal does: IPv4-mapped IPv6 equals its IPv4 form. */
export function normaliseIp(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/.exec(bare);
  return mapped ? mapped[1] : bare;
}

function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The vhost mod_ssl's SNI callback switches the handshake to (ssl_find_vhost via
 * ap_vhost_iterate_given_conn): the first vhost of the connection's name-based chain whose
 * ServerName or ServerAlias matches the SNI name, else the connection's default vhost. Unlike
 * request-time selection, the <VirtualHost> address text is not a name here.
 */
export function selectSniVirtualHost(
  config: HttpdConfig,
  table: VhostTable,
  localAddress: string,
  localPort: number,
  servername: string | null,
): { index: number | null; nameBased: boolean } {
  const base = selectVirtualHost(config, table, localAddress, localPort, null);
  const local = normaliseIp(localAddress);
  const chain = connectionChain(table, local, localPort);
  const nameBased = chain !== undefined && chain.vhosts.length > 1;
  if (!nameBased || servername === null || servername === '') return { index: base.index, nameBased };
  const named = chain.vhosts.find((index) => matchServerNames(config.virtualHosts[index], table.names[index], servername) !== null);
  return { index: named ?? base.index, nameBased };
}
