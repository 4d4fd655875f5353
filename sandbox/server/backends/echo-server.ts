import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { ObservationRecorder } from './observation-recorder.ts';
import { replyWithObservation } from './plain-http-reply.ts';
import { closeServer, formatHost, listenOn, trackConnections } from './server-lifecycle.ts';
import type { RunningBackend } from './server-lifecycle.ts';

export type { RunningBackend };

export interface EchoServerOptions {
  /** Address to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port to bind; default 0 (a free port). The article's echo server uses 8080. */
  port?: number;
  /** Serve wss:// instead of ws:// with this PEM certificate and key. */
  tls?: { cert: string; key: string };
}

/**
 * Start the article's `ws` echo backend: text comes back as "Echo: <message>", binary comes back
 * unchanged, the first offered subprotocol is accepted, and a request without Upgrade is answered
 * 200 with JSON describing it (httpd forwards such a request as plain HTTP).
 */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<RunningBackend> {
  const host = options.host ?? '127.0.0.1';
  const observations = new ObservationRecorder('echo');
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key })
    : http.createServer();
  const connections = trackConnections(server);
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: chooseFirstProtocol });

  server.on('request', (request, response) => replyWithObservation(request, response, observations.record(request)));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    observations.record(request);
    // A reset before the handshake completes must not become an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    sockets.handleUpgrade(request, socket, head, (client) => echoMessages(client));
  });
  server.on('clientError', (_error: Error, socket: Duplex) => socket.destroy());

  const port = await listenOn(server, host, options.port ?? 0);
  const scheme = options.tls ? 'wss' : 'ws';
  return {
    port,
    url: `${scheme}://${formatHost(host)}:${port}`,
    observations,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await closeServer(server, connections);
    },
  };
}

/** ws calls this with the offered subprotocols in the client's order. */
function chooseFirstProtocol(offered: Set<string>): string | false {
  for (const protocol of offered) return protocol;
  return false;
}

function echoMessages(client: WebSocket): void {
  // A malformed frame from a client ends that client only.
  client.on('error', () => client.terminate());
  client.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) client.send(data, { binary: true });
    else client.send(`Echo: ${rawDataToString(data)}`);
  });
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

