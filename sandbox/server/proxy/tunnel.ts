/**
 * The upgraded connection: after the 101, httpd relays bytes both ways until either side closes
 * or nothing moves for the idle timeout (the larger of Timeout and the backend timeout). The tap
 * parses frames from a copy of each chunk; the chunk itself is written on unchanged.
 */
import type { Socket } from 'node:net';
import type { TapEvent } from '../../engine/tap-events.ts';
import { WebSocketFrameParser } from '../../engine/websocket/frame-parser.ts';
import { routeReads } from './reused-read-buffer.ts';

export interface TunnelOptions {
  client: Socket;
  backend: Socket;
  /** Bytes the backend sent after its 101 head, already read; they belong to the client. */
  backendLeftover?: Uint8Array;
  /** Bytes the client sent after its request head, already read; they belong to the backend. */
  clientLeftover?: Uint8Array;
  idleTimeoutMs: number;
  perMessageDeflate: boolean;
  /**
   * Parse frames for the tap. Decided once, when the tunnel starts: the parser must see a
   * direction from its first byte, and a tunnel nobody watches (`wslab proxy` without --tap)
   * should cost no more than relaying bytes.
   */
  observeFrames: boolean;
  emit(event: DistributiveOmit<TapEvent, 'connection' | 'time'>): void;
  /** Called once when the tunnel is fully closed. */
  onClose(summary: TunnelSummary): void;
  /** Called for each read from either side while the tunnel runs (mod_proxy_wstunnel's trace lines). */
  onRead?(direction: 'client->backend' | 'backend->client'): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface TunnelSummary {
  reason: 'client-closed' | 'backend-closed' | 'idle-timeout' | 'error' | 'shutdown';
  durationMs: number;
  bytesFromClient: number;
  bytesFromBackend: number;
}

/** A running tunnel; `shutdown` cuts it (graceful stop, sandbox reset). */
export interface Tunnel {
  shutdown(): void;
}

/** Relay an upgraded connection until it ends. */
export function startTunnel(options: TunnelOptions): Tunnel {
  const { client, backend } = options;
  const startedAt = performance.now();
  let bytesFromClient = 0;
  let bytesFromBackend = 0;
  let finished = false;
  const clientFrames = new WebSocketFrameParser({ sender: 'client', perMessageDeflate: options.perMessageDeflate });
  const backendFrames = new WebSocketFrameParser({ sender: 'server', perMessageDeflate: options.perMessageDeflate });

  const observe = (parser: WebSocketFrameParser, direction: 'client->backend' | 'backend->client', chunk: Uint8Array) => {
    if (!options.observeFrames) return;
    for (const output of parser.push(chunk)) {
      if (output.type === 'frame') options.emit({ type: 'frame', direction, frame: output.frame });
      else options.emit({ type: 'frame-error', direction, code: output.code, message: output.message });
    }
  };

  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  // One timer per tunnel, pushed back on traffic with refresh() instead of a new timer per chunk.
  const armIdleTimer = () => {
    if (idleTimer !== undefined) idleTimer.refresh();
    // mod_proxy_wstunnel without mod_proxy_http polls with no timeout at all: Infinity means never.
    else if (Number.isFinite(options.idleTimeoutMs)) idleTimer = setTimeout(() => finish('idle-timeout'), options.idleTimeoutMs);
  };

  const finish = (reason: TunnelSummary['reason']) => {
    if (finished) return;
    finished = true;
    clearTimeout(idleTimer);
    if (reason === 'client-closed' || reason === 'backend-closed') {
      // Let what is already queued (typically the peer's close frame) reach the other side first.
      client.end();
      backend.end();
      setTimeout(() => {
        client.destroy();
        backend.destroy();
      }, 1000).unref?.();
    } else {
      // On timeout or error httpd closes both sockets without a close frame: the client sees 1006.
      client.destroy();
      backend.destroy();
    }
    options.onClose({ reason, durationMs: performance.now() - startedAt, bytesFromClient, bytesFromBackend });
  };

  const relay = (from: Socket, to: Socket, parser: WebSocketFrameParser, direction: 'client->backend' | 'backend->client') => {
    /** Relay one read; true when the write still holds `chunk` (so a reused read buffer must not be). */
    const forward = (chunk: Buffer): boolean => {
      // Bytes still in flight when the tunnel ended belong to nobody: no relay, no timer, no tap.
      if (finished) return false;
      if (direction === 'client->backend') bytesFromClient += chunk.length;
      else bytesFromBackend += chunk.length;
      armIdleTimer();
      options.onRead?.(direction);
      const flowing = to.write(chunk);
      // What Node could not hand to the kernel at once stays queued, this chunk included.
      const held = to.writableLength > 0;
      if (!flowing) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      observe(parser, direction, chunk);
      return held;
    };
    // Both: where the runtime ignores net.connect's onread (WebContainer's emulated net, say), the
    // socket emits 'data' as usual and the routing never fires; where it honours it, no 'data'.
    routeReads(from, forward);
    from.on('data', forward);
  };

  relay(client, backend, clientFrames, 'client->backend');
  relay(backend, client, backendFrames, 'backend->client');
  // A half-close ends the tunnel: httpd's proxy_tunnel stops when either side reaches EOF.
  client.on('end', () => finish('client-closed'));
  backend.on('end', () => finish('backend-closed'));
  client.on('close', () => finish('client-closed'));
  backend.on('close', () => finish('backend-closed'));
  client.on('error', () => finish('error'));
  backend.on('error', () => finish('error'));

  if (options.clientLeftover && options.clientLeftover.length > 0) {
    bytesFromClient += options.clientLeftover.length;
    backend.write(options.clientLeftover);
    observe(clientFrames, 'client->backend', options.clientLeftover);
  }
  if (options.backendLeftover && options.backendLeftover.length > 0) {
    bytesFromBackend += options.backendLeftover.length;
    client.write(options.backendLeftover);
    observe(backendFrames, 'backend->client', options.backendLeftover);
  }
  armIdleTimer();
  client.resume();
  backend.resume();
  // A client that hung up while its request waited for a worker (its FIN was read with the head)
  // ends the tunnel at once, so the worker is free again as in httpd. In a microtask: onClose
  // must not run before the caller has the Tunnel this function returns.
  if (client.readableEnded) queueMicrotask(() => finish('client-closed'));
  return { shutdown: () => finish('shutdown') };
}
