/**
 * The workshop load test in its --short form (10 learners at once against a real `wslab serve`):
 * every learner must finish the basic-vhost exercise, and the lesson page must keep being served
 * meanwhile. The full run (50 learners) is `node sandbox/loadtest/workshop-load.ts`.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, percentiles, runWorkshopLoad } from '../../sandbox/loadtest/workshop-load.ts';
import { builtSite } from '../site/helpers/test-site-build.ts';

describe('workshop load test (--short)', () => {
  it('10 learners at once all pass the basic-vhost exercise while pages keep being served', { timeout: 900_000 }, async () => {
    // The tests' own build, not dist/ (site.test.ts rebuilds dist/ while other files run).
    const report = await runWorkshopLoad({ learners: 10, siteDir: await builtSite(), log: () => undefined });
    console.log(formatReport(report));
    expect(report.failures).toEqual([]);
    expect(report.succeeded).toBe(10);
    expect(report.runTo101Ms.count).toBe(10);
    expect(report.pageMs.count).toBeGreaterThan(0);
    expect(report.pageFailures).toBe(0);
    expect(report.memory.sandboxes).toBe(10);
    expect(report.memory.totalBytes).toBeGreaterThan(0);
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentiles([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p95: 5, max: 5 });
    expect(percentiles(Array.from({ length: 100 }, (_, index) => index + 1))).toMatchObject({ p50: 50, p95: 95 });
  });
});
