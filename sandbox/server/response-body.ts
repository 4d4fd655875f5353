/**
 * Reading just enough of an HTTP response for a test client to show or check it: the first bytes
 * of the body (never unbounded, never hanging) and the headers as ordered pairs.
 */
import type { IncomingMessage } from 'node:http';

/** The first `limit` bytes of a response body as UTF-8; gives up after timeoutMs with what has arrived. */
export function readBodyPrefix(response: IncomingMessage, limit: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) finish();
    });
    response.on('end', finish);
    response.on('close', finish);
    response.on('error', finish);
    const timer = setTimeout(finish, timeoutMs);
  });
}

/** Node's rawHeaders (name, value, name, value, …) as ordered [name, value] pairs, case kept. */
export function rawHeaderPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) pairs.push([rawHeaders[index], rawHeaders[index + 1]]);
  return pairs;
}
