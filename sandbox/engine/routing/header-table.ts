/**
 * An ordered, case-insensitive header table with the semantics of APR's apr_table_t, which is
 * what httpd keeps request and response headers in. The order of entries is the order httpd
 * writes them on the wire, so every operation here mirrors the APR function it is named after:
 * `set` overwrites the first entry in place and drops the others, `merge` appends ", value" to the
 * first entry, `add` always appends a new entry, `unset` removes every entry of that name.
 */

/** A header as it appears on the wire: name as spelled, value. */
export type HeaderPair = readonly [name: string, value: string];

/** Mutable ordered header list with apr_table_t behaviour. */
export class HeaderTable {
  private entries: Array<[string, string]>;

  constructor(pairs: readonly HeaderPair[] = []) {
    this.entries = pairs.map(([name, value]) => [name, value]);
  }

  /** A copy that can be changed without touching this table (apr_table_copy). */
  copy(): HeaderTable {
    return new HeaderTable(this.entries);
  }

  /** Value of the first entry with this name, or undefined (apr_table_get). */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.entries.find(([entryName]) => entryName.toLowerCase() === key)?.[1];
  }

  /** Every value of this name, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.entries.filter(([entryName]) => entryName.toLowerCase() === key).map(([, value]) => value);
  }

  /** True when at least one entry has this name. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replace the first entry's value in place and drop the rest; append when absent (apr_table_set). */
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    const index = this.entries.findIndex(([entryName]) => entryName.toLowerCase() === key);
    if (index < 0) {
      this.entries.push([name, value]);
      return;
    }
    this.entries[index] = [this.entries[index][0], value];
    this.entries = this.entries.filter(([entryName], position) => position <= index || entryName.toLowerCase() !== key);
  }

  /** Append a new entry even when the name exists (apr_table_add). */
  add(name: string, value: string): void {
    this.entries.push([name, value]);
  }

  /** Append ", value" to the first entry, or add one when absent (apr_table_merge). */
  merge(name: string, value: string): void {
    const key = name.toLowerCase();
    const index = this.entries.findIndex(([entryName]) => entryName.toLowerCase() === key);
    if (index < 0) {
      this.entries.push([name, value]);
      return;
    }
    this.entries[index] = [this.entries[index][0], `${this.entries[index][1]}, ${value}`];
  }

  /** Remove every entry with this name (apr_table_unset). */
  unset(name: string): void {
    const key = name.toLowerCase();
    this.entries = this.entries.filter(([entryName]) => entryName.toLowerCase() !== key);
  }

  /**
   * Fold repeated names into the first occurrence joined by ", " (apr_table_compress with
   * APR_OVERLAP_TABLES_MERGE), as httpd does right after reading the request headers.
   */
  compress(): void {
    const folded: Array<[string, string]> = [];
    const positions = new Map<string, number>();
    for (const [name, value] of this.entries) {
      const key = name.toLowerCase();
      const position = positions.get(key);
      if (position === undefined) {
        positions.set(key, folded.length);
        folded.push([name, value]);
      } else {
        folded[position] = [folded[position][0], `${folded[position][1]}, ${value}`];
      }
    }
    this.entries = folded;
  }

  /** Replace each value with the callback's result; entries for which it returns null are removed. */
  rewriteValues(name: string, rewrite: (value: string) => string | null): void {
    const key = name.toLowerCase();
    const next: Array<[string, string]> = [];
    for (const [entryName, value] of this.entries) {
      if (entryName.toLowerCase() !== key) {
        next.push([entryName, value]);
        continue;
      }
      const replaced = rewrite(value);
      if (replaced !== null) next.push([entryName, replaced]);
    }
    this.entries = next;
  }

  /** The entries in wire order. */
  toPairs(): HeaderPair[] {
    return this.entries.map(([name, value]) => [name, value] as const);
  }
}

/** True when a comma-separated header value lists `token` (ap_find_token: case-insensitive). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const wanted = token.toLowerCase();
  return value.split(/[,;]/).some((part) => part.trim().toLowerCase() === wanted);
}

/**
 * ap_proxy_clear_connection(): drop Proxy-Connection, Connection, and every header Connection
 * names (its tokens, split on "," and ";").
 */
export function clearConnectionHeaders(table: HeaderTable): void {
  table.unset('Proxy-Connection');
  const named = table
    .getAll('Connection')
    .flatMap((value) => value.split(/[,;]/))
    .map((token) => token.trim())
    .filter((token) => token !== '');
  table.unset('Connection');
  for (const name of named) table.unset(name);
}
