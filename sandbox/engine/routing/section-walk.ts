/**
 * Which configuration sections apply to a request, in the order httpd merges them:
 * - ap_location_walk() (server/request.c): <Location>/<LocationMatch> in config order (the main
 *   server's, then the vhost's), literal paths by prefix that must end at a "/" boundary unless
 *   the section path ends in "/", wildcard paths by fnmatch with FNM_PATHNAME, regexes unanchored
 *   against r->uri;
 * - proxy_walk() (modules/proxy/mod_proxy.c): <Proxy>/<ProxyMatch> against the URL after
 *   "proxy:" — literal by plain prefix, wildcards by fnmatch without FNM_PATHNAME;
 * - ap_directory_walk(): <Directory>/<DirectoryMatch> against the file path, shortest first.
 */
import { compileHttpdRegex } from '../config/regex.ts';
import type { Section } from '../config/model.ts';

/** apr_fnmatch_test(): the pattern has "*", "?" or a "[...]" class. */
export function hasWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern) || /\[[^\]]*\]/.test(pattern);
}

/** apr_fnmatch() as a RegExp; with `pathname`, wildcards do not cross "/". A malformed class matches nothing. */
export function fnmatchToRegExp(pattern: string, pathname: boolean): RegExp {
  try {
    return buildFnmatchRegExp(pattern, pathname);
  } catch {
    return /(?!)/;
  }
}

function buildFnmatchRegExp(pattern: string, pathname: boolean): RegExp {
  const any = pathname ? '[^/]' : '.';
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*') source += `${any}*`;
    else if (char === '?') source += any;
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(index + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      index = close;
    } else if (char === '\\' && index + 1 < pattern.length) {
      source += pattern[++index].replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    } else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** Named captures of a regex section, set as environment variables by the walks (MATCH_NAME). */
export interface SectionMatch {
  section: Section;
  /** Named groups as httpd exports them: MATCH_<NAME> (upper-cased). */
  env: Record<string, string>;
}

/** The <Location>/<LocationMatch> sections matching r->uri, in merge order. */
export function matchLocations(sections: readonly Section[], uri: string): SectionMatch[] {
  // Location walks always compare against the path with slashes merged.
  const merged = uri.replace(/\/{2,}/g, '/');
  const matches: SectionMatch[] = [];
  for (const section of sections) {
    if (section.kind !== 'Location' && section.kind !== 'LocationMatch') continue;
    if (section.regex) {
      const env = regexMatch(section.match, uri);
      if (env) matches.push({ section, env });
      continue;
    }
    const path = section.match;
    const matched = hasWildcard(path)
      ? fnmatchToRegExp(path, true).test(merged)
      : merged.startsWith(path) &&
        (path.length === 0 || path.endsWith('/') || merged.length === path.length || merged[path.length] === '/');
    if (matched) matches.push({ section, env: {} });
  }
  return matches;
}

/** The <Proxy>/<ProxyMatch> sections matching the proxied URL (filename without "proxy:"). */
export function matchProxySections(sections: readonly Section[], url: string): SectionMatch[] {
  const matches: SectionMatch[] = [];
  for (const section of sections) {
    if (section.kind !== 'Proxy' && section.kind !== 'ProxyMatch') continue;
    const pattern = section.match.replace(/^proxy:/i, '');
    if (section.regex || section.kind === 'ProxyMatch') {
      const env = regexMatch(pattern, url);
      if (env) matches.push({ section, env });
      continue;
    }
    const matched = hasWildcard(pattern) ? fnmatchToRegExp(pattern, false).test(url) : url.startsWith(pattern);
    if (matched) matches.push({ section, env: {} });
  }
  return matches;
}

/**
 * The <Directory>/<DirectoryMatch> sections for a file path, in ap_directory_walk's order:
 * literal and wildcard sections by increasing number of path components, then regexes in
 * config order.
 */
export function matchDirectories(sections: readonly Section[], filename: string): SectionMatch[] {
  const literal: Array<{ section: Section; depth: number; order: number }> = [];
  const regexes: SectionMatch[] = [];
  sections.forEach((section, order) => {
    if (section.kind !== 'Directory' && section.kind !== 'DirectoryMatch') return;
    if (section.regex || section.kind === 'DirectoryMatch') {
      const env = regexMatch(section.match, filename);
      if (env) regexes.push({ section, env });
      return;
    }
    const dir = section.match.endsWith('/') ? section.match : `${section.match}/`;
    const matched = hasWildcard(dir)
      ? fnmatchToRegExp(dir.replace(/\/$/, ''), true).test(parentPathOfDepth(filename, componentCount(dir)))
      : `${filename}/`.startsWith(dir);
    if (matched) literal.push({ section, depth: componentCount(dir), order });
  });
  literal.sort((a, b) => a.depth - b.depth || a.order - b.order);
  return [...literal.map(({ section }) => ({ section, env: {} })), ...regexes];
}

function componentCount(dir: string): number {
  return dir.split('/').filter((part) => part !== '').length;
}

function parentPathOfDepth(filename: string, depth: number): string {
  return '/' + filename.split('/').filter((part) => part !== '').slice(0, depth).join('/');
}

function regexMatch(pattern: string, subject: string): Record<string, string> | null {
  const compiled = compileHttpdRegex(pattern);
  if (!compiled.ok) return null;
  const match = compiled.regex.exec(subject);
  if (!match) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(match.groups ?? {})) {
    if (value !== undefined) env[`MATCH_${name.toUpperCase()}`] = value;
  }
  return env;
}
