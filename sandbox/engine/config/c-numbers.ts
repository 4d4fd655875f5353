/**
 * C's number parsing as httpd's handlers use it: atoi/atol stop at the first non-digit and give
 * 0 for text that is not a number at all, atof reads the longest numeric prefix. Faithful
 * parsing matters because httpd accepts "Timeout 10s" as 10 and "Timeout abc" as 0.
 */

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/**
 * C strtol(text, &end, 10): leading blanks, optional sign, digits, saturating at
 * LONG_MIN/LONG_MAX on a 64-bit machine. `consumed` is where `end` points: 0 when no digits.
 */
export function strtol(text: string): { value: bigint; consumed: number } {
  const match = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(text);
  if (!match) return { value: 0n, consumed: 0 };
  let value = BigInt(match[1]);
  if (value > LONG_MAX) value = LONG_MAX;
  if (value < LONG_MIN) value = LONG_MIN;
  return { value, consumed: match[0].length };
}

/**
 * C atoi() as glibc has it on a 64-bit machine: strtol's value cast to int, which keeps the low
 * 32 bits: "99999999999" is 1215752191, "2147483648" is -2147483648.
 */
export function atoi(text: string): number {
  return Number(BigInt.asIntN(32, strtol(text).value));
}

/** C atol() (a 64-bit long): strtol's value as a number. */
export function atol(text: string): number {
  return Number(strtol(text).value);
}

/** C atof(): the longest decimal floating-point prefix; 0 when there is none. */
export function atof(text: string): number {
  const match = /^[ \t\n\r\v\f]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(text);
  if (!match) return 0;
  return Number.parseFloat(match[1]);
}
