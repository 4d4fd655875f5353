/**
 * `wslab proxy --tap` prints each tap event as a JSON line on stdout. A busy tunnel makes two
 * frame events per echoed message, a quarter of a million a second in `npm run bench`. Written
 * one by one, or even once per event-loop turn, that is tens of thousands of writes a second, and
 * on a pipe (`wslab proxy --tap FILE | jq`) as many wake-ups of the reader, which shares the
 * cores with the proxy. So lines are gathered and written:
 * - at the end of the current event-loop turn, when the last write was at least `intervalMs` ago,
 *   so a learner watching a quiet proxy sees each event at once;
 * - otherwise when `intervalMs` has passed since the last write, so under load there are at most
 *   1000 / intervalMs writes a second, each late by at most `intervalMs`;
 * - at once when `maxPendingChars` are waiting, and on `flush()` (the process is exiting).
 * Timestamps are taken when an event happens, so gathering never changes what a line says.
 */
import type { TapEvent } from '../engine/tap-events.ts';
import { tapEventJson } from '../engine/tap-event-json.ts';

export interface TapLineWriterOptions {
  write(text: string): void;
  /** Least time between two writes while events keep coming (default 10 ms). */
  intervalMs?: number;
  /** Write at once when this many characters are waiting (default 65,536). */
  maxPendingChars?: number;
  now?: () => number;
}

export interface TapLineWriter {
  event(event: TapEvent): void;
  /** Write what is waiting now. */
  flush(): void;
}

export function createTapLineWriter(options: TapLineWriterOptions): TapLineWriter {
  const intervalMs = options.intervalMs ?? 10;
  const maxPendingChars = options.maxPendingChars ?? 65_536;
  const now = options.now ?? (() => performance.now());
  let pending = '';
  let lastWriteAt = -Infinity;
  let scheduled: { cancel(): void } | null = null;

  const flush = () => {
    scheduled?.cancel();
    scheduled = null;
    if (pending === '') return;
    const text = pending;
    pending = '';
    lastWriteAt = now();
    options.write(text);
  };

  const schedule = () => {
    const wait = lastWriteAt + intervalMs - now();
    if (wait <= 0) {
      const immediate = setImmediate(flush);
      scheduled = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(flush, wait);
      scheduled = { cancel: () => clearTimeout(timer) };
    }
  };

  return {
    event(event) {
      pending += `${tapEventJson(event)}\n`;
      if (pending.length >= maxPendingChars) flush();
      else if (scheduled === null) schedule();
    },
    flush,
  };
}
