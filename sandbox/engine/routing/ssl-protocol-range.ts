/**
 * The TLS versions an SSLProtocol / SSLProxyProtocol line enables, as ssl_cmd_protocol_parse()
 * builds the set and ssl_init_ctx_protocol() turns it into OpenSSL's minimum and maximum
 * (a gap inside the range is not kept: OpenSSL only has the two bounds).
 */
export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

const VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The lowest and highest version enabled, or null when the words enable none (or are unknown). */
export function tlsProtocolRange(words: string): { min: TlsVersionName; max: TlsVersionName } | null {
  let enabled = new Set<TlsVersionName>();
  for (const written of words.trim().split(/\s+/).filter((word) => word !== '')) {
    const action = written[0] === '+' || written[0] === '-' ? written[0] : '';
    const name = (action ? written.slice(1) : written).toLowerCase();
    // "all" is every TLS version (SSLv3 is no longer part of it); SSLv3 itself cannot be enabled.
    const these = name === 'all' ? VERSIONS : VERSIONS.filter((version) => version.toLowerCase() === name);
    if (action === '-') for (const version of these) enabled.delete(version);
    else if (action === '+') for (const version of these) enabled.add(version);
    else enabled = new Set(these);
  }
  const list = VERSIONS.filter((version) => enabled.has(version));
  return list.length === 0 ? null : { min: list[0], max: list[list.length - 1] };
}
