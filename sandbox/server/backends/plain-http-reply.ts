import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendObservation } from '../../engine/probe.ts';

/**
 * Read the request body to its end, then answer 200 with JSON describing what arrived.
 * The body is read first so a keep-alive connection stays in step for the next request.
 */
export function replyWithObservation(request: IncomingMessage, response: ServerResponse, observation: BackendObservation): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('error', () => response.destroy());
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    sendJson(response, 200, { ...observation, body });
  });
}

/** Send a JSON body with an exact Content-Length. */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
  });
  response.end(payload);
}
