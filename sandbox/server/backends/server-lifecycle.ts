import type { Server, Socket } from 'node:net';
import type { ObservationRecorder } from './observation-recorder.ts';

/** A running backend: where it listens, what it saw, and how to stop it. */
export interface RunningBackend {
  port: number;
  url: string;
  observations: ObservationRecorder;
  close(): Promise<void>;
}

/** IPv6 literals need brackets inside a URL. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Start listening and resolve with the bound port (port 0 picks a free one). */
export function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('BACKEND_NO_ADDRESS: server is not bound to a TCP port'));
        return;
      }
      resolve(address.port);
    });
  });
}

/**
 * Remember every accepted TCP connection so closing can cut them at once.
 * server.close() alone waits for keep-alive and upgraded sockets to end by themselves, which would
 * make a "backend is stopped" scenario hang; closeAllConnections() is newer than the Node that
 * WebContainer runs, so the bookkeeping is done here.
 */
export function trackConnections(server: Server): { destroyAll(): void } {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // TLS servers hand over a TLSSocket on 'secureConnection', but the raw socket underneath came
  // through 'connection' first, and destroying it ends the TLS socket too.
  return {
    destroyAll() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

/** Stop accepting, cut every open connection and resolve once the listener is closed. */
export function closeServer(server: Server, connections: { destroyAll(): void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      connections.destroyAll();
      resolve();
      return;
    }
    server.close(() => resolve());
    connections.destroyAll();
  });
}
