/**
 * mod_status's page for `SetHandler server-status`, from what the emulator knows: its version and
 * MPM, uptime, requests served, and the worker pool — busy workers are the ones holding requests
 * and WebSocket tunnels, which is what the tuning lesson has learners watch. `?auto` gives the
 * machine-readable form monitoring tools read, in mod_status's field names.
 */

export interface ServerStatusFacts {
  serverName: string;
  banner: string;
  mpm: string;
  startedAtMs: number;
  nowMs: number;
  totalAccesses: number;
  busyWorkers: number;
  workerLimit: number;
}

/** The body and content type of /server-status (HTML) or /server-status?auto (plain text). */
export function renderServerStatus(facts: ServerStatusFacts, auto: boolean): { contentType: string; body: string } {
  const uptime = Math.max(0, Math.floor((facts.nowMs - facts.startedAtMs) / 1000));
  const idle = Math.max(0, facts.workerLimit - facts.busyWorkers);
  const scoreboard = 'W'.repeat(Math.min(facts.busyWorkers, facts.workerLimit)) + '_'.repeat(idle);
  if (auto) {
    const lines = [
      facts.serverName,
      `ServerVersion: ${facts.banner}`,
      `ServerMPM: ${facts.mpm}`,
      `CurrentTime: ${new Date(facts.nowMs).toUTCString()}`,
      `RestartTime: ${new Date(facts.startedAtMs).toUTCString()}`,
      `ServerUptimeSeconds: ${uptime}`,
      `Uptime: ${uptime}`,
      `Total Accesses: ${facts.totalAccesses}`,
      `BusyWorkers: ${facts.busyWorkers}`,
      `IdleWorkers: ${idle}`,
      `Scoreboard: ${scoreboard}`,
    ];
    return { contentType: 'text/plain; charset=ISO-8859-1', body: `${lines.join('\n')}\n` };
  }
  const body =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html><head>\n<title>Apache Status</title>\n</head><body>\n' +
    `<h1>Apache Server Status for ${escapeHtml(facts.serverName)}</h1>\n\n<dl><dt>Server Version: ${escapeHtml(facts.banner)}</dt>\n` +
    `<dt>Server MPM: ${escapeHtml(facts.mpm)}</dt>\n</dl><hr /><dl>\n<dt>Current Time: ${new Date(facts.nowMs).toUTCString()}</dt>\n` +
    `<dt>Server uptime: ${uptime} seconds</dt>\n<dt>Total accesses: ${facts.totalAccesses}</dt>\n` +
    `<dt>${facts.busyWorkers} requests currently being processed, ${idle} idle workers</dt>\n</dl><pre>${scoreboard}</pre>\n` +
    '<p>Scoreboard Key:<br />\n"<b><code>_</code></b>" Waiting for Connection, "<b><code>W</code></b>" Sending Reply</p>\n</body></html>\n';
  return { contentType: 'text/html; charset=ISO-8859-1', body };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
