/**
 * The V8 flags every `wslab` process starts with: bin.mjs's first line passes them to node
 * (`#!/usr/bin/env -S node …`, so `npx wslab …` gets them), bin.mjs hands them on when it
 * re-runs itself under the bundled Node 22, and the benchmarks start their Node processes with
 * them so they measure what users run. A test keeps the first line and this list the same.
 *
 * --single-threaded-gc: collect garbage on the main thread only. wslab's servers share a small
 * machine with each other and with their clients (two cores in a classroom VM, all busy under
 * load), and each socket read allocates a fresh buffer outside the JS heap, so V8 keeps marking
 * the old generation. Its helper threads then only compete with the servers for the cores. On
 * this two-core machine, with 16 KiB echoes right after a 64-byte burst (`npm run bench`'s order),
 * `wslab proxy --tap` used 20-21 µs of CPU per message with the flag and 30-32 µs without, and
 * `wslab echo` answered 26-28k messages a second against 22-23k. It cannot be set at run time
 * (v8.setFlagsFromString with it aborts the process) and NODE_OPTIONS does not allow it.
 */
export const WSLAB_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
