/**
 * One plain HTTP request through the proxy, on a fresh connection, for the page's "send a
 * request" panel. Bounded: 15 s in all, body kept up to 64 KiB; a 101 answer is recorded and the
 * connection cut.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { rawHeaderPairs, readBodyPrefix } from '../server/response-body.ts';
import type { ClientTarget } from './client-target.ts';
import type { HttpResult } from './protocol.ts';

const BODY_LIMIT = 64 * 1024;
/** How long a test GET waits for the rest of a body before showing what it has. */
const BODY_TIMEOUT_MS = 5_000;
const TIMEOUT_MS = 15_000;

export interface PlainRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Send the request to 127.0.0.1:`port`; resolves with the answer or an error text. */
export function sendHttpRequest(target: ClientTarget, port: number, request: PlainRequest, ca: string | undefined): Promise<HttpResult | { error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: HttpResult | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing?.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => settle({ error: `no complete answer within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
    let outgoing: http.ClientRequest | undefined;
    try {
      const options: https.RequestOptions = {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: target.path,
        headers: { Host: target.host, ...request.headers },
        agent: false,
        setHost: false,
        ...(target.tls ? { ca, servername: net.isIP(target.hostname) ? undefined : target.hostname } : {}),
      };
      outgoing = (target.tls ? https : http).request(options, (response) => {
        readBodyPrefix(response, BODY_LIMIT, BODY_TIMEOUT_MS).then((body) => settle({ status: response.statusCode ?? 0, headers: rawHeaderPairs(response.rawHeaders), body }));
      });
      outgoing.on('upgrade', (response: IncomingMessage, socket: net.Socket) => {
        socket.destroy();
        settle({ status: response.statusCode ?? 101, headers: rawHeaderPairs(response.rawHeaders), body: '' });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message }));
      outgoing.end(request.body);
    } catch (error) {
      settle({ error: (error as Error).message });
    }
  });
}
