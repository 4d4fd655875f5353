/**
 * Records real httpd error pages for error-page-cases.ts into fixtures/httpd-error-pages.json:
 *   node test/engine/http/record-httpd-error-pages.ts
 */
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { ERROR_PAGE_CASES, ERROR_PAGE_SETUPS } from './error-page-cases.ts';
import { recordTranscript } from './httpd-transcript.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';
import { freePort, startThrowawayHttpd } from './throwaway-httpd.ts';

/** A backend that accepts and never answers (for 502 on timeout). */
const silent = net.createServer((socket) => socket.on('error', () => undefined));
/** A backend that answers plain HTTP (so a TLS handshake to it fails). */
const plain = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
});
await Promise.all([silent, plain].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
const ports = {
  DEAD: String(await freePort()),
  SILENT: String((silent.address() as net.AddressInfo).port),
  PLAIN: String((plain.address() as net.AddressInfo).port),
};

const transcripts: Record<string, HttpdTranscript & { setup: string }> = {};
try {
  for (const [setupName, setup] of Object.entries(ERROR_PAGE_SETUPS)) {
    const config = setup.config.replace(/DEAD|SILENT|PLAIN/g, (name) => ports[name as keyof typeof ports]);
    const httpd = await startThrowawayHttpd({ modules: setup.modules, extraConfig: `KeepAliveTimeout 1\n${config}`, logLevel: 'info' });
    try {
      for (const [name, testCase] of Object.entries(ERROR_PAGE_CASES)) {
        if (testCase.setup !== setupName) continue;
        transcripts[name] = { setup: setupName, ...(await recordTranscript(httpd, testCase.request, { waitMs: 2500 })) };
        console.log(name, transcripts[name].response?.split('\r\n')[0]);
      }
    } finally {
      await httpd.stop();
    }
  }
} finally {
  silent.close();
  plain.close();
}
const file = new URL('./fixtures/httpd-error-pages.json', import.meta.url);
await writeFile(file, `${JSON.stringify({ httpd: 'Apache/2.4.71 (Debian)', transcripts }, null, 2)}\n`);
