/** Hex input for binary messages: what the learner types → the protocol's binaryHex. Pure. */

/** "48 65 6c-6C 0x6f" → "48656c6c6f"; null when it is not whole bytes of hex. */
export function normalizeHex(input: string): string | null {
  const compact = input.replace(/0x/gi, '').replace(/[\s:,-]+/g, '');
  if (compact === '' || compact.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(compact)) return null;
  return compact.toLowerCase();
}

/** "48656c6c6f" → "48 65 6c 6c 6f" (at most `maxBytes` bytes, then "…"). */
export function spacedHex(hex: string, maxBytes = 64): string {
  const pairs = hex.match(/../g) ?? [];
  return pairs.slice(0, maxBytes).join(' ') + (pairs.length > maxBytes ? ' …' : '');
}
