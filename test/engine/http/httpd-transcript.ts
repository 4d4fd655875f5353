import net from 'node:net';
import type { ThrowawayHttpd } from './throwaway-httpd.ts';

/** What httpd did with one raw request: its answer (Date masked) and its error-log lines. */
export interface HttpdTranscript {
  /** Everything httpd sent, latin1; null when it answered nothing before closing or timing out. */
  response: string | null;
  /** Whether httpd was still holding the connection open, silent, when we gave up. */
  stillWaiting: boolean;
  /** Error-log lines without timestamp, pid and client, as httpd escaped them; long lines shortened by shortenLogLine. */
  log: string[];
}

/** Log lines longer than this keep their start and their length, so fixtures stay small. */
const LONG_LOG_LINE = 200;

/** Shorten a long log line to "<first 200 characters>…[<length> chars]". */
export function shortenLogLine(line: string): string {
  return line.length > LONG_LOG_LINE ? `${line.slice(0, LONG_LOG_LINE)}…[${line.length} chars]` : line;
}

/** Send `request`, optionally half-close, collect httpd's answer and the log lines it caused. */
export async function recordTranscript(
  httpd: ThrowawayHttpd,
  request: string,
  options: { halfClose?: boolean; waitMs?: number } = {},
): Promise<HttpdTranscript> {
  const before = (await httpd.errorLog()).length;
  const { data, closed } = await new Promise<{ data: string; closed: boolean }>((resolve) => {
    let data = '';
    const socket = net.connect(httpd.port, '127.0.0.1', () => {
      const bytes = Buffer.from(request, 'latin1');
      if (options.halfClose) socket.end(bytes);
      else socket.write(bytes);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closed: false });
    }, options.waitMs ?? 2000);
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closed: true });
    });
    socket.on('error', () => undefined);
  });
  // The log line for a request can land just after the response.
  await new Promise((resolve) => setTimeout(resolve, 80));
  const log = (await httpd.errorLog())
    .slice(before)
    .split('\n')
    .filter((line) => line !== '')
    .map(stripLogPrefix)
    .filter((line) => !IGNORED_LOG.test(line))
    .map(shortenLogLine);
  return {
    response: data === '' ? null : data.replace(/^Date: .*$/m, 'Date: <date>'),
    stillWaiting: !closed,
    log,
  };
}

/** Lines httpd writes for reasons unrelated to the request under test (serving the docroot, worker spares). */
const IGNORED_LOG = /AH01628|AH00128|AH00129|AH10159|AH00127/;

/** "[time] [core:info] [pid 1:tid 2] protocol.c(1): (28)x: [client a:b] AH1: m" → "[core:info] protocol.c(1): (28)x: AH1: m" */
export function stripLogPrefix(line: string): string {
  return line
    .replace(/^\[[^\]]+\] /, '')
    .replace(/\[pid \d+:tid \d+\] /, '')
    .replace(/\[client [^\]]+\] /, '');
}
