/**
 * Machine-specific values (ports, temp paths) differ between the httpd run and the wslab run, so
 * outcomes are rewritten to the names the config uses (`${ECHO_PORT}`, `${WORKDIR}`) before they
 * are compared, and expectations written with those names are expanded before they are checked.
 */

/** Variable name → the value it has in one run. */
export type Variables = Record<string, string>;

/** Replace every occurrence of a variable's value with `${NAME}`, in every string inside `value`. */
export function toPlaceholders<T>(value: T, variables: Variables): T {
  const rules = placeholderRules(variables);
  return mapStrings(value, (text) => rules.reduce((result, [pattern, name]) => result.replace(pattern, `\${${name}}`), text));
}

/** Replace every `${NAME}` with the variable's value, in every string inside `value`. */
export function fromPlaceholders<T>(value: T, variables: Variables): T {
  return mapStrings(value, (text) => text.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => variables[name] ?? whole));
}

function placeholderRules(variables: Variables): [RegExp, string][] {
  return (
    Object.entries(variables)
      .filter(([, value]) => value.length > 0)
      // Longest first, so CERT_DIR (inside WORKDIR) wins over WORKDIR.
      .sort(([, a], [, b]) => b.length - a.length)
      .map(([name, value]): [RegExp, string] => {
        const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // A port must not match inside a longer number (port 8080 in 18080).
        const pattern = /^\d+$/.test(value) ? `(?<!\\d)${escaped}(?!\\d)` : escaped;
        return [new RegExp(pattern, 'g'), name];
      })
  );
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)])) as T;
  }
  return value;
}
