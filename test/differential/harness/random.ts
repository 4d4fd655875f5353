/**
 * Deterministic randomness for the fuzzers: the same seed gives the same choices everywhere.
 */
import { createHash } from 'node:crypto';

export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, and the same everywhere. */
export function rng(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

/** A 32-bit seed derived from a run seed and a key (a mutant index, a scenario name). */
export function derivedSeed(seed: number, key: string | number): number {
  return createHash('sha256').update(`${seed}:${key}`).digest().readUInt32LE(0);
}
