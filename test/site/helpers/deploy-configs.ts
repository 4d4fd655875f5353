/**
 * What each shipped host config (site/public/_headers, site/deploy/vercel.json, nginx.conf,
 * apache-wslab.conf) sends for a URL path, worked out from the file by the host's own rules for
 * matching and merging. Only the subset of each syntax the shipped files use is understood; anything
 * else in a place that could change the answer throws, so a config edit the model cannot follow
 * fails the drift test instead of passing it by accident.
 */

/** Response headers by lower-case name. */
export type HeaderMap = Map<string, string>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- _headers (Netlify and Cloudflare Pages) --------------------------------------------------

export interface HeadersFileRule {
  path: string;
  line: number;
  /** Header lines in order; a name may repeat. */
  set: [name: string, value: string][];
  /** "! Name" lines (Cloudflare's detach). */
  unset: string[];
}

/** Parse a `_headers` file: a path line, then indented "Name: value" or "! Name" lines. */
export function parseHeadersFile(text: string): HeadersFileRule[] {
  const rules: HeadersFileRule[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!/^\s/.test(raw)) {
      if (!line.startsWith('/')) throw new Error(`_headers line ${index + 1}: a rule must start with a path: ${line}`);
      rules.push({ path: line, line: index + 1, set: [], unset: [] });
      return;
    }
    const rule = rules.at(-1);
    if (!rule) throw new Error(`_headers line ${index + 1}: header before any path`);
    const detach = /^!\s*([\w-]+)$/.exec(line);
    if (detach) {
      rule.unset.push(detach[1]);
      return;
    }
    const header = /^([\w-]+)\s*:\s*(.+)$/.exec(line);
    if (!header) throw new Error(`_headers line ${index + 1}: not "Name: value" or "! Name": ${line}`);
    rule.set.push([header[1], header[2].trim()]);
  });
  return rules;
}

/** Cloudflare Pages: a splat matches anything, a :placeholder one segment; anchored at both ends. */
function cloudflarePattern(path: string): RegExp {
  if ((path.match(/\*/g) ?? []).length > 1) throw new Error(`_headers: Cloudflare allows one splat per rule: ${path}`);
  const source = path
    .split(/(\*|:[A-Za-z]\w*)/)
    .map((part) => (part === '*' ? '(.*)' : part.startsWith(':') ? '([^/]+)' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Cloudflare Pages (workers-sdk asset-worker getHeaders): every matching rule in file order; its
 * "! Name" lines delete, then each header is set, or appended with ", " if an earlier rule set it.
 * `defaults` are what the host sends before _headers (Cache-Control: public, max-age=0, must-revalidate).
 */
export function cloudflareHeaders(rules: HeadersFileRule[], urlPath: string, defaults: Record<string, string> = {}): HeaderMap {
  const headers: HeaderMap = new Map(Object.entries(defaults).map(([name, value]) => [name.toLowerCase(), value]));
  const setByRules = new Set<string>();
  for (const rule of rules) {
    if (!cloudflarePattern(rule.path).test(urlPath)) continue;
    for (const name of rule.unset) headers.delete(name.toLowerCase());
    for (const [name, value] of rule.set) {
      const key = name.toLowerCase();
      const previous = headers.get(key);
      headers.set(key, setByRules.has(key) && previous !== undefined ? `${previous}, ${value}` : value);
      setByRules.add(key);
    }
  }
  return headers;
}

/** Netlify (@netlify/headers-parser getForRegExp): `*` alone in a segment is optional and greedy. */
function netlifyPattern(path: string): RegExp {
  const parts = path
    .split('/')
    .map((part) => part.trimEnd())
    .filter(Boolean)
    .map((part) => {
      if (part.startsWith(':')) return '([^/]+)';
      if (part === '*') return '?(.*)';
      if (part.includes('*')) return part.split('*').map(escapeRegExp).join('(.*)');
      return escapeRegExp(part);
    });
  return new RegExp(`^/${parts.join('/')}/?$`, 'iu');
}

/**
 * Netlify: lines without a colon (such as "! Name") are skipped; a name repeated inside one rule is
 * joined with ", "; across matching rules the later rule's value replaces the earlier one.
 */
export function netlifyHeaders(rules: HeadersFileRule[], urlPath: string, defaults: Record<string, string> = {}): HeaderMap {
  const headers: HeaderMap = new Map(Object.entries(defaults).map(([name, value]) => [name.toLowerCase(), value]));
  for (const rule of rules) {
    if (!netlifyPattern(rule.path).test(urlPath)) continue;
    const values = new Map<string, string>();
    for (const [name, value] of rule.set) {
      const key = name.toLowerCase();
      values.set(key, values.has(key) ? `${values.get(key)}, ${value}` : value);
    }
    for (const [key, value] of values) headers.set(key, value);
  }
  return headers;
}

// ---- vercel.json --------------------------------------------------------------------------------

interface VercelConfig {
  headers?: { source: string; headers: { key: string; value: string }[]; has?: unknown; missing?: unknown }[];
}

/** Vercel's path-to-regexp sources, limited to literals and `(.*)` groups. */
function vercelPattern(source: string): RegExp {
  if (/:[A-Za-z]|[?+*](?![)])|\{/.test(source.replace(/\(\.\*\)/g, ''))) {
    throw new Error(`vercel.json: the drift test only models literal paths and (.*) groups: ${source}`);
  }
  const body = source
    .split('(.*)')
    .map(escapeRegExp)
    .join('(.*)');
  return new RegExp(`^${body}$`);
}

/** Vercel: every matching entry in order; a later entry's value for the same key replaces an earlier one. */
export function vercelHeaders(configText: string, urlPath: string): HeaderMap {
  const config = JSON.parse(configText) as VercelConfig;
  const headers: HeaderMap = new Map();
  for (const entry of config.headers ?? []) {
    if (entry.has !== undefined || entry.missing !== undefined) throw new Error('vercel.json: has/missing conditions are not modelled');
    if (!vercelPattern(entry.source).test(urlPath)) continue;
    for (const { key, value } of entry.headers) headers.set(key.toLowerCase(), value);
  }
  return headers;
}

// ---- nginx --------------------------------------------------------------------------------------

export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

/** Tokenise and parse nginx configuration text into directives and blocks. */
export function parseNginx(text: string): NginxDirective[] {
  const tokens: { value: string; quoted: boolean }[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (/\s/.test(char)) {
      index++;
    } else if (char === '#') {
      while (index < text.length && text[index] !== '\n') index++;
    } else if (char === '{' || char === '}' || char === ';') {
      tokens.push({ value: char, quoted: false });
      index++;
    } else if (char === '"' || char === "'") {
      let value = '';
      index++;
      while (index < text.length && text[index] !== char) {
        if (text[index] === '\\') index++;
        value += text[index++];
      }
      index++;
      tokens.push({ value, quoted: true });
    } else {
      let value = '';
      while (index < text.length && !/[\s;{}]/.test(text[index])) value += text[index++];
      // A regex location such as \.(?:mjs|wasm)$ may contain braces only when quoted; none here.
      tokens.push({ value, quoted: false });
    }
  }
  let position = 0;
  const parseBlock = (): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    while (position < tokens.length) {
      const token = tokens[position];
      if (!token.quoted && token.value === '}') {
        position++;
        return directives;
      }
      const name = token.value;
      position++;
      const args: string[] = [];
      while (position < tokens.length && (tokens[position].quoted || !['{', ';', '}'].includes(tokens[position].value))) {
        args.push(tokens[position++].value);
      }
      const end = tokens[position++];
      if (!end) throw new Error(`nginx: "${name}" is not terminated`);
      if (end.value === '{') directives.push({ name, args, block: parseBlock() });
      else if (end.value === ';') directives.push({ name, args });
      else throw new Error(`nginx: unexpected "}" after "${name}"`);
    }
    return directives;
  };
  return parseBlock();
}

/** nginx `map` blocks on one source variable: exact keys first, then regexes in order, then default. */
function evaluateNginxMap(map: NginxDirective, input: string): string {
  let fallback = '';
  const regexes: [RegExp, string][] = [];
  for (const entry of map.block ?? []) {
    const [value] = entry.args;
    if (entry.name === 'default') fallback = value;
    else if (entry.name.startsWith('~*')) regexes.push([new RegExp(entry.name.slice(2), 'i'), value]);
    else if (entry.name.startsWith('~')) regexes.push([new RegExp(entry.name.slice(1)), value]);
    else if (entry.name === input) return value;
    else if (['hostnames', 'volatile', 'include'].includes(entry.name)) throw new Error(`nginx map: ${entry.name} is not modelled`);
  }
  return regexes.find(([pattern]) => pattern.test(input))?.[1] ?? fallback;
}

/**
 * The headers nginx adds for a URI in the first `server` block: the location nginx picks (exact,
 * then the longest prefix, then the first matching regex unless the prefix was ^~), whose own
 * add_header lines replace the server's if it has any. `$variables` are looked up in `map $uri`.
 */
export function nginxHeaders(text: string, urlPath: string): { headers: HeaderMap; missingAlways: string[] } {
  const top = parseNginx(text);
  const server = top.find((directive) => directive.name === 'server');
  if (!server?.block) throw new Error('nginx: no server block');
  const maps = new Map<string, NginxDirective>();
  for (const directive of top.filter((item) => item.name === 'map')) {
    if (directive.args[0] !== '$uri') throw new Error(`nginx: only "map $uri ..." is modelled, not ${directive.args[0]}`);
    maps.set(directive.args[1], directive);
  }
  const locations = server.block.filter((directive) => directive.name === 'location');
  for (const location of locations) {
    if (location.block?.some((directive) => directive.name === 'location')) throw new Error('nginx: nested locations are not modelled');
  }
  const exact = locations.find((location) => location.args[0] === '=' && location.args[1] === urlPath);
  const prefixes = locations
    .filter((location) => location.args.length === 1 || location.args[0] === '^~')
    .map((location) => ({ location, prefix: location.args.at(-1)!, stop: location.args[0] === '^~' }))
    .filter(({ prefix }) => urlPath.startsWith(prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const regex = locations.find((location) => {
    const [modifier, pattern] = location.args;
    if (modifier === '~') return new RegExp(pattern).test(urlPath);
    if (modifier === '~*') return new RegExp(pattern, 'i').test(urlPath);
    return false;
  });
  const chosen = exact ?? (prefixes[0]?.stop ? prefixes[0].location : (regex ?? prefixes[0]?.location));
  const ownHeaders = chosen?.block?.filter((directive) => directive.name === 'add_header') ?? [];
  const addHeaders = ownHeaders.length > 0 ? ownHeaders : server.block.filter((directive) => directive.name === 'add_header');
  const headers: HeaderMap = new Map();
  const missingAlways: string[] = [];
  for (const directive of addHeaders) {
    const [name, rawValue, flag] = directive.args;
    const value = rawValue.startsWith('$') ? evaluateNginxMap(maps.get(rawValue) ?? fail(`nginx: ${rawValue} is not a map on $uri`), urlPath) : rawValue;
    if (/\$/.test(value)) throw new Error(`nginx: variables inside header values are not modelled: ${rawValue}`);
    if (flag !== 'always') missingAlways.push(name);
    // Two add_header lines with one name send the header twice; show that as a joined value.
    const key = name.toLowerCase();
    headers.set(key, headers.has(key) ? `${headers.get(key)}, ${value}` : value);
  }
  return { headers, missingAlways };
}

function fail(message: string): never {
  throw new Error(message);
}

// ---- Apache httpd -------------------------------------------------------------------------------

export interface ApacheDirective {
  name: string;
  args: string[];
  line: number;
  /** For <Section> containers. */
  children?: ApacheDirective[];
}

/** httpd's argument splitting: whitespace-separated words, double or single quotes group. */
function apacheWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) words.push((match[1] ?? match[2] ?? match[3]).replace(/\\(.)/g, '$1'));
  return words;
}

/** Parse httpd configuration text: directives and <Section> containers, continuation lines joined. */
export function parseApache(text: string): ApacheDirective[] {
  const root: ApacheDirective[] = [];
  const stack: { name: string; children: ApacheDirective[] }[] = [{ name: '', children: root }];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const start = index;
    let line = lines[index];
    while (line.endsWith('\\') && index + 1 < lines.length) line = line.slice(0, -1) + lines[++index];
    line = line.trim();
    if (line === '' || line.startsWith('#')) continue;
    const close = /^<\/(\S+)>$/.exec(line);
    if (close) {
      const open = stack.pop();
      if (!open || open.name.toLowerCase() !== close[1].toLowerCase()) throw new Error(`httpd line ${start + 1}: </${close[1]}> closes ${open?.name}`);
      continue;
    }
    const section = /^<(\S+)(.*)>$/.exec(line);
    if (section) {
      const directive: ApacheDirective = { name: section[1], args: apacheWords(section[2]), line: start + 1, children: [] };
      stack.at(-1)!.children.push(directive);
      stack.push({ name: section[1], children: directive.children! });
      continue;
    }
    const [name, ...args] = apacheWords(line);
    stack.at(-1)!.children.push({ name, args, line: start + 1 });
  }
  if (stack.length !== 1) throw new Error(`httpd: <${stack.at(-1)!.name}> is not closed`);
  return root;
}

/** The sections, outermost first, that hold directives applied to a request in the first vhost. */
export function apacheVirtualHost(text: string): ApacheDirective {
  const vhost = parseApache(text).find((directive) => directive.name.toLowerCase() === 'virtualhost');
  if (!vhost) throw new Error('httpd: no <VirtualHost>');
  return vhost;
}

/**
 * The headers mod_headers sets for a URL path in the first <VirtualHost>: its own Header lines,
 * then those of every matching <Location>/<LocationMatch> in order of appearance (sections merge
 * after the server config, and a later "set" replaces an earlier one). Header lines in any other
 * kind of section throw: their merge order is not modelled.
 */
export function apacheHeaders(text: string, urlPath: string): { headers: HeaderMap; notAlways: string[] } {
  const vhost = apacheVirtualHost(text);
  const applied: ApacheDirective[] = [];
  const sections: ApacheDirective[] = [];
  for (const directive of vhost.children ?? []) {
    if (directive.name.toLowerCase() === 'header') applied.push(directive);
    else if (directive.children) {
      const kind = directive.name.toLowerCase();
      const headerLines = directive.children.filter((child) => child.name.toLowerCase() === 'header');
      if (headerLines.length === 0) continue;
      if (kind !== 'location' && kind !== 'locationmatch') {
        throw new Error(`httpd line ${directive.line}: Header inside <${directive.name}> is not modelled by the drift test`);
      }
      sections.push(directive);
    }
  }
  for (const section of sections) {
    const [pattern] = section.args;
    const matches = section.name.toLowerCase() === 'locationmatch' ? new RegExp(pattern).test(urlPath) : urlPath.startsWith(pattern);
    if (matches) applied.push(...section.children!.filter((child) => child.name.toLowerCase() === 'header'));
  }
  const headers: HeaderMap = new Map();
  const notAlways: string[] = [];
  for (const directive of applied) {
    const args = [...directive.args];
    const condition = args[0] === 'always' || args[0] === 'onsuccess' ? args.shift() : undefined;
    const [action, name, value, ...rest] = args;
    if (rest.length > 0) throw new Error(`httpd line ${directive.line}: Header conditions (env=, expr=) are not modelled`);
    if (condition !== 'always') notAlways.push(name);
    const key = name.toLowerCase();
    switch (action.toLowerCase()) {
      case 'set':
        headers.set(key, value);
        break;
      case 'unset':
        headers.delete(key);
        break;
      case 'append':
      case 'merge':
        headers.set(key, headers.has(key) ? `${headers.get(key)}, ${value}` : value);
        break;
      default:
        throw new Error(`httpd line ${directive.line}: Header ${action} is not modelled`);
    }
  }
  return { headers, notAlways };
}

/** `AddType` mappings in the first vhost: extension (with dot, lower case) to media type. */
export function apacheAddTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const directive of apacheVirtualHost(text).children ?? []) {
    if (directive.name.toLowerCase() !== 'addtype') continue;
    const [type, ...extensions] = directive.args;
    for (const extension of extensions) types.set(`.${extension.replace(/^\./, '').toLowerCase()}`, type);
  }
  return types;
}
