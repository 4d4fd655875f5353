import { describe, expect, it } from 'vitest';
import { acquireWorker, initialWorkerHealth, markWorkerFailed, workerKey, workerStatusFlags } from '../../../sandbox/engine/routing/worker-state.ts';
import { workerSettings, type WorkerDefinition } from '../../../sandbox/engine/routing/workers.ts';

const target = { proxyFunction: 'ws', host: '127.0.0.1', port: 8080 };

function worker(params: Record<string, string>) {
  const definition: WorkerDefinition = {
    name: 'ws://127.0.0.1:8080/',
    matchable: false,
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    source: { file: 'httpd.conf', line: 3 },
  };
  return workerSettings(definition, 'ws://127.0.0.1:8080/');
}

describe('status= flags', () => {
  it('a worker outside a balancer ignores errors unless status=-I', () => {
    expect(workerStatusFlags(null).ignoreErrors).toBe(true);
    expect(workerStatusFlags('-I').ignoreErrors).toBe(false);
    expect(workerStatusFlags(null, true).ignoreErrors).toBe(false);
  });

  it('"+" and "-" apply to every letter that follows', () => {
    expect(workerStatusFlags('+E-I')).toEqual({ ignoreErrors: false, disabled: false, stopped: false, inError: true });
    expect(workerStatusFlags('DS')).toMatchObject({ disabled: true, stopped: true });
  });
});

describe('worker error state', () => {
  it('a worker that ignores errors is never disabled: every request tries the backend', () => {
    const settings = worker({ retry: '60' });
    const health = initialWorkerHealth(settings);
    expect(markWorkerFailed(settings, health, target, 1000)).toEqual([]);
    expect(acquireWorker(settings, health, target, 1001)).toBeNull();
  });

  it('status=-I: AH00959 on a failed connect, then 503 AH00940 until retry= has passed', () => {
    const settings = worker({ status: '-I', retry: '1' });
    const health = initialWorkerHealth(settings);
    const disabling = markWorkerFailed(settings, health, target, 10_000);
    expect(disabling.map((entry) => [entry.code, entry.message])).toEqual([['AH00959', 'ap_proxy_connect_backend disabling worker for (127.0.0.1:8080) for 1s']]);
    const refused = acquireWorker(settings, health, target, 10_500);
    expect(refused?.status).toBe(503);
    expect(refused?.log.map((entry) => [entry.code, entry.message])).toEqual([['AH00940', 'ws: disabled connection for (127.0.0.1:8080)']]);
    // Exactly retry= later is still too soon (now > error_time + retry).
    expect(acquireWorker(settings, health, target, 11_000)).not.toBeNull();
    expect(acquireWorker(settings, health, target, 11_001)).toBeNull();
  });

  it('retry=0 retries on the very next request', () => {
    const settings = worker({ status: '-I', retry: '0' });
    const health = initialWorkerHealth(settings);
    expect(markWorkerFailed(settings, health, target, 5000)[0].message).toMatch(/for 0s$/);
    expect(acquireWorker(settings, health, target, 5001)).toBeNull();
  });

  it('status=+E starts in error at time 0, so the first request retries it', () => {
    const settings = worker({ status: '+E-I' });
    const health = initialWorkerHealth(settings);
    expect(health.errorSinceMs).toBe(0);
    expect(acquireWorker(settings, health, target, Date.now())).toBeNull();
  });

  it('a disabled or stopped worker answers 503 AH00940 and is never retried', () => {
    for (const status of ['+D', '+S']) {
      const settings = worker({ status });
      expect(acquireWorker(settings, initialWorkerHealth(settings), target, Date.now())?.log[0].code).toBe('AH00940');
    }
  });

  it('workers are told apart by name and defining directive', () => {
    expect(workerKey(worker({}))).toBe('ws://127.0.0.1:8080/@httpd.conf:3');
    expect(workerKey({ name: 'ws://127.0.0.1:8080/', source: null })).toBe('ws://127.0.0.1:8080/@default');
  });
});
