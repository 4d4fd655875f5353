import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTapLineWriter } from '../../sandbox/cli/tap-line-writer.ts';
import type { TapEvent } from '../../sandbox/engine/tap-events.ts';

const event = (connection: number): TapEvent => ({ type: 'connection-close', reason: 'client-closed', connection, time: 1000 + connection });
const line = (connection: number) => `${JSON.stringify(event(connection))}\n`;

describe('createTapLineWriter', () => {
  let clock = 0;
  let writes: string[] = [];
  const writer = (options: { intervalMs?: number; maxPendingChars?: number } = {}) =>
    createTapLineWriter({ write: (text) => writes.push(text), now: () => clock, ...options });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    clock = 0;
    writes = [];
  });
  afterEach(() => vi.useRealTimers());

  /** Move both the writer's clock and the fake timers. */
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('writes the first events after a quiet spell at the end of the loop turn, in one write', () => {
    const tap = writer();
    tap.event(event(1));
    tap.event(event(2));
    expect(writes).toEqual([]);
    vi.runOnlyPendingTimers();
    expect(writes).toEqual([line(1) + line(2)]);
  });

  it('under steady traffic writes at most once per interval, and nothing is lost or reordered', () => {
    const tap = writer({ intervalMs: 10 });
    for (let index = 0; index < 100; index++) {
      tap.event(event(index));
      advance(1);
    }
    advance(20);
    // 100 ms of events, one per millisecond: the first at once, then one write per 10 ms.
    expect(writes.length).toBeGreaterThanOrEqual(10);
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(writes.join('')).toBe(Array.from({ length: 100 }, (_, index) => line(index)).join(''));
  });

  it('is late by no more than the interval', () => {
    const tap = writer({ intervalMs: 10 });
    tap.event(event(1));
    vi.runOnlyPendingTimers();
    advance(3);
    tap.event(event(2));
    advance(6);
    expect(writes).toEqual([line(1)]);
    advance(1);
    expect(writes).toEqual([line(1), line(2)]);
  });

  it('writes at once when the pending text reaches its limit', () => {
    const tap = writer({ maxPendingChars: line(1).length * 3 });
    tap.event(event(1));
    tap.event(event(2));
    expect(writes).toEqual([]);
    tap.event(event(3));
    expect(writes).toEqual([line(1) + line(2) + line(3)]);
    // The scheduled write finds nothing left and writes nothing.
    vi.runAllTimers();
    expect(writes).toHaveLength(1);
  });

  it('flush() writes what is waiting and cancels the scheduled write', () => {
    const tap = writer();
    tap.event(event(1));
    tap.flush();
    expect(writes).toEqual([line(1)]);
    expect(vi.getTimerCount()).toBe(0);
    tap.flush();
    expect(writes).toHaveLength(1);
  });
});
