/**
 * Records how a real httpd answers each case in request-head-cases.ts and writes
 * fixtures/httpd-request-head.json. Run it again after upgrading httpd:
 *   node test/engine/http/record-httpd-request-head.ts
 */
import { writeFile } from 'node:fs/promises';
import { REQUEST_HEAD_CASES } from './request-head-cases.ts';
import { recordTranscript } from './httpd-transcript.ts';
import type { HttpdTranscript } from './httpd-transcript.ts';
import { startThrowawayHttpd } from './throwaway-httpd.ts';

/** The config the fixture was recorded with: defaults except a short keep-alive and no signature. */
export const REQUEST_HEAD_RECORDING_CONFIG = 'ServerSignature Off\nKeepAliveTimeout 1';

const httpd = await startThrowawayHttpd({ extraConfig: REQUEST_HEAD_RECORDING_CONFIG, logLevel: 'debug' });
const transcripts: Record<string, HttpdTranscript> = {};
try {
  for (const [name, testCase] of Object.entries(REQUEST_HEAD_CASES)) {
    transcripts[name] = await recordTranscript(httpd, testCase.request, { halfClose: testCase.halfClose });
    console.log(name, transcripts[name].response?.split('\r\n')[0] ?? '(no answer)');
  }
} finally {
  await httpd.stop();
}
const file = new URL('./fixtures/httpd-request-head.json', import.meta.url);
await writeFile(file, `${JSON.stringify({ httpd: 'Apache/2.4.71 (Debian)', config: REQUEST_HEAD_RECORDING_CONFIG, transcripts }, null, 2)}\n`);
