/**
 * ap_pregsub() (server/util.c): expand "$0".."$9" in a template from a regex match; a backslash
 * makes the next character literal; a group that did not take part expands to nothing.
 */

/** Expand $N references of `template` from `match` like ap_pregsub(). */
export function pregsub(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let index = 0; index < template.length; index++) {
    const char = template[index];
    const next = template[index + 1];
    if (char === '$' && next !== undefined && next >= '0' && next <= '9') {
      out += match[Number(next)] ?? '';
      index++;
    } else if (char === '\\' && next !== undefined) {
      out += next;
      index++;
    } else {
      out += char;
    }
  }
  return out;
}
