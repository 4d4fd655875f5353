import { describe, expect, it } from 'vitest';
import { renderServerStatus } from '../../../sandbox/server/proxy/status-page.ts';

const facts = {
  serverName: 'localhost',
  banner: 'Apache/2.4.71 (Debian)',
  mpm: 'event',
  startedAtMs: Date.UTC(2026, 10, 24, 15, 0, 0),
  nowMs: Date.UTC(2026, 10, 24, 15, 0, 42),
  totalAccesses: 7,
  busyWorkers: 4,
  workerLimit: 6,
};

describe('renderServerStatus', () => {
  it('gives monitoring tools mod_status field names with ?auto, open tunnels counted as busy workers', () => {
    const page = renderServerStatus(facts, true);
    expect(page.contentType).toBe('text/plain; charset=ISO-8859-1');
    expect(page.body.split('\n')).toEqual([
      'localhost',
      'ServerVersion: Apache/2.4.71 (Debian)',
      'ServerMPM: event',
      'CurrentTime: Tue, 24 Nov 2026 15:00:42 GMT',
      'RestartTime: Tue, 24 Nov 2026 15:00:00 GMT',
      'ServerUptimeSeconds: 42',
      'Uptime: 42',
      'Total Accesses: 7',
      'BusyWorkers: 4',
      'IdleWorkers: 2',
      'Scoreboard: WWWW__',
      '',
    ]);
  });

  it('escapes the server name in the HTML page', () => {
    const page = renderServerStatus({ ...facts, serverName: '<b>x</b>' }, false);
    expect(page.body).toContain('<h1>Apache Server Status for &lt;b&gt;x&lt;/b&gt;</h1>');
    expect(page.body).toContain('<pre>WWWW__</pre>');
  });
});
