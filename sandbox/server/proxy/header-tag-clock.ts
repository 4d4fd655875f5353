/**
 * The machine readings mod_headers' %D, %l, %i and %b print, which the pure engine cannot take
 * itself: the current time and the load averages. httpd's %i and %b count idle and busy worker
 * threads from its scoreboard; the emulator has no worker pool, so it reports none idle and the
 * one request in flight as busy.
 */
import os from 'node:os';
import type { HeaderOpContext } from '../../engine/routing/header-ops.ts';

/** %D's "now" and %l/%i/%b's readings, taken when the response head is built. */
export function headerTagReadings(nowMicros: number): Pick<HeaderOpContext, 'nowMicros' | 'load'> {
  const [one, five, fifteen] = os.loadavg();
  return { nowMicros, load: { average: [one, five, fifteen], idle: 0, busy: 1 } };
}
