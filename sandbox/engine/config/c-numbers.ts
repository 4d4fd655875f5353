/**
 * C's number parsing as httpd's handlers use it: atoi/atol stop at the first non-digit and give
 * 0 for text that is not a number at all, atof reads the longest numeric prefix. Faithful
 * parsing matters because httpd accepts "Timeout 10s" as 10 and "Timeout abc" as 0.
 */

/** C atoi()/atol(): leading blanks, optional sign, digits; 0 when there are none. */
export function atoi(text: string): number {
  const match = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(text);
  if (!match) return 0;
  const value = Number.parseInt(match[1], 10);
  return Math.max(-2147483648, Math.min(2147483647, value));
}

/** C atof(): the longest decimal floating-point prefix; 0 when there is none. */
export function atof(text: string): number {
  const match = /^[ \t\n\r\v\f]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(text);
  if (!match) return 0;
  return Number.parseFloat(match[1]);
}
