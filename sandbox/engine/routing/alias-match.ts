/**
 * Prefix matching of URL-paths as mod_proxy's alias_match() (modules/proxy/mod_proxy.c) and
 * mod_alias's alias_matches() do it: any run of "/" in the prefix matches any run of "/" in the
 * path (at least one), other characters compare literally, and a prefix that does not end in "/"
 * must end at a path-segment boundary of the path. The result is how many characters of the path
 * were consumed (0 for no match), which can exceed the prefix length when slashes were doubled.
 *
 * This is the trailing-slash trap: "/ws" consumes only "/ws" of "/ws/chat", so
 * `ProxyPass /ws ws://h/` sends "ws://h/" + "/chat" = "//chat"; "/wsx" does not match at all.
 */

/** Number of characters of `uri` matched by the prefix `alias`, or 0. */
export function aliasMatch(uri: string, alias: string): number {
  let aliasIndex = 0;
  let uriIndex = 0;
  while (aliasIndex < alias.length && uriIndex < uri.length) {
    if (alias[aliasIndex] === '/') {
      if (uri[uriIndex] !== '/') return 0;
      while (alias[aliasIndex] === '/') aliasIndex++;
      while (uri[uriIndex] === '/') uriIndex++;
    } else if (uri[uriIndex++] !== alias[aliasIndex++]) {
      return 0;
    }
  }
  // The path ended before the prefix did ("/" against "/examples").
  if (uriIndex >= uri.length && aliasIndex < alias.length) return 0;
  const lastAliasChar = alias[aliasIndex - 1];
  if (lastAliasChar !== '/' && uriIndex < uri.length && uri[uriIndex] !== '/') return 0;
  return uriIndex;
}

/**
 * alias_match_servlet() for `mapping=servlet`: matches segment by segment after removing path
 * parameters (";jsessionid=..."), "." and ".." segments and repeated slashes. Returns the
 * normalised path and how many characters of it the prefix consumed, or null.
 */
export function aliasMatchServlet(uri: string, alias: string): { normalized: string; length: number } | null {
  if (!uri.startsWith('/') || !alias.startsWith('/')) return null;
  // Normalise the path the servlet way, remembering where each segment starts.
  const segments: string[] = [];
  for (const raw of uri.slice(1).split('/')) {
    const segment = raw.replace(/;.*$/, '');
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  const trailingSlash = uri.endsWith('/') && segments.length > 0;
  const normalized = '/' + segments.join('/') + (trailingSlash ? '/' : '');
  const aliasSegments = alias.split('/').filter((segment) => segment !== '');
  if (aliasSegments.length > segments.length) return null;
  for (let index = 0; index < aliasSegments.length; index++) {
    if (aliasSegments[index] !== segments[index]) return null;
  }
  let length = 1 + segments.slice(0, aliasSegments.length).join('/').length;
  if (aliasSegments.length === 0) length = 1;
  // A prefix ending in "/" also consumes the slash after its last segment.
  if (alias.endsWith('/') && aliasSegments.length > 0 && normalized[length] === '/') length++;
  return { normalized, length };
}
