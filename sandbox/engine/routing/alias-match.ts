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
 * alias_match_servlet() for `mapping=servlet`, ported step for step: the path is matched segment
 * by segment after removing path parameters (";jsessionid=..."), "." and ".." segments and
 * repeated slashes. Returns the normalised path and how many characters of the ORIGINAL path the
 * prefix consumed (what follows is appended to the target as received), or null.
 */
export function aliasMatchServlet(uri: string, alias: string): { normalized: string; length: number } | null {
  if (uri[0] !== '/' || alias[0] !== '/') return null;
  const at = (text: string, index: number) => (index >= 0 && index < text.length ? text[index] : '');
  const stack: number[] = [];
  const map: string[] = ['/'];
  let uriPos = 1;
  let aliasPos = 1;
  let firstPos = 1;
  let aliasDepth = 0;
  while (uriPos < uri.length) {
    if (uri[uriPos] === ';') {
      do uriPos++;
      while (uriPos < uri.length && uri[uriPos] !== '/');
      continue;
    }
    if (map[map.length - 1] === '/') {
      if (uri[uriPos] === '/') {
        do uriPos++;
        while (uri[uriPos] === '/');
        continue;
      }
      if (uri[uriPos] === '.') {
        const next = at(uri, uriPos + 1);
        if (next === '/' || next === ';' || next === '') {
          uriPos++;
          if (uri[uriPos] === '/') uriPos++;
          continue;
        }
        const after = at(uri, uriPos + 2);
        if (next === '.' && (after === '/' || after === ';' || after === '')) {
          if (map.length === 1) return null;
          do map.pop();
          while (map[map.length - 1] !== '/');
          if (aliasDepth === stack.length) {
            if (aliasPos >= alias.length) aliasPos--;
            while (aliasPos > 0 && alias[aliasPos] === '/') aliasPos--;
            while (aliasPos > 0 && alias[aliasPos - 1] !== '/') aliasPos--;
            aliasDepth--;
          }
          stack.pop();
          uriPos += 2;
          if (uri[uriPos] === '/') uriPos++;
          firstPos = 0;
          continue;
        }
      }
      if (firstPos) while (uri[firstPos] === '/') firstPos++;
      stack.push(firstPos ? firstPos : uriPos);
      if (aliasPos < alias.length) {
        if (alias[aliasPos - 1] !== '/') {
          do aliasPos++;
          while (alias[aliasPos - 1] !== '/' && aliasPos < alias.length);
        }
        while (alias[aliasPos] === '/') aliasPos++;
        if (aliasPos < alias.length) aliasDepth++;
      }
    }
    if (aliasPos < alias.length) {
      const index = aliasDepth - 1;
      if (stack[index]) {
        if (alias[aliasPos] !== uri[uriPos]) stack[index] = 0;
        else if (aliasPos + 1 === alias.length && alias[aliasPos] !== '/') {
          if (at(uri, uriPos + 1) === ';') stack[index] = -(uriPos + 1);
          else if (at(uri, uriPos + 1) !== '/' && at(uri, uriPos + 1) !== '') stack[index] = 0;
        }
      }
      if (alias[aliasPos] !== '/' || uri[uriPos] === '/') aliasPos++;
    }
    if (uri[uriPos] === '/') firstPos = uriPos + 1;
    map.push(uri[uriPos]);
    uriPos++;
  }
  if (aliasPos < alias.length) return null;
  for (let depth = 0; depth < aliasDepth; depth++) if (!stack[depth]) return null;
  if (aliasDepth < stack.length) {
    uriPos = stack[aliasDepth];
    if (aliasDepth) {
      const position = stack[aliasDepth - 1];
      if (position < 0) uriPos = -position;
    }
  }
  if (alias[aliasPos - 1] !== '/' && uri[uriPos - 1] === '/') uriPos--;
  return { normalized: map.join(''), length: uriPos };
}
