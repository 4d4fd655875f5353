/**
 * Records how a real httpd's mod_proxy_http treats each backend response in
 * response-head-cases.ts into fixtures/httpd-response-head.json:
 *   node test/engine/http/record-httpd-response-head.ts
 */
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { recordTranscript } from './httpd-transcript.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';
import { RESPONSE_HEAD_CASES } from './response-head-cases.ts';
import { startThrowawayHttpd } from './throwaway-httpd.ts';

const backend = net.createServer((socket) => {
  socket.on('error', () => undefined);
  let request = '';
  socket.on('data', (chunk: Buffer) => {
    request += chunk.toString('latin1');
    if (!request.includes('\r\n\r\n')) return;
    const name = /^GET \/([^ ]*) /.exec(request)?.[1] ?? '';
    socket.end(Buffer.from(RESPONSE_HEAD_CASES[name] ?? 'HTTP/1.1 500 Unknown case\r\n\r\n', 'latin1'));
  });
});
await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
const port = (backend.address() as net.AddressInfo).port;

const transcripts: Record<string, HttpdTranscript> = {};
const httpd = await startThrowawayHttpd({ modules: ['proxy', 'proxy_http'], extraConfig: `ProxyPass /r/ http://127.0.0.1:${port}/`, logLevel: 'debug' });
try {
  for (const name of Object.keys(RESPONSE_HEAD_CASES)) {
    transcripts[name] = await recordTranscript(httpd, `GET /r/${name} HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n`);
    // Keep only what concerns reading the response; connection bookkeeping is noise here.
    transcripts[name].log = transcripts[name].log
      .filter((line) => /\[proxy(_http)?:(error|warn|info|debug)\]/.test(line))
      .filter((line) => /AH0(0898|1102|1103|1105|1106|1107|1100|1098|1099)|AH10124|AH10404/.test(line))
      .map((line) => line.replace(/:\d{4,5}\b/g, ':PORT'));
    console.log(name, transcripts[name].response?.split('\r\n')[0], transcripts[name].log);
  }
} finally {
  await httpd.stop();
  backend.close();
}
await writeFile(new URL('./fixtures/httpd-response-head.json', import.meta.url), `${JSON.stringify({ httpd: 'Apache/2.4.71 (Debian)', transcripts }, null, 2)}\n`);
