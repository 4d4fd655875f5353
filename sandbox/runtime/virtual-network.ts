/**
 * The article's addresses inside the sandbox. Configs say `Listen 80`, `ws://localhost:8080/` and
 * `http://localhost:3000/`; the sandbox binds every Listen to a free loopback port, sends the
 * backend addresses to the backends it runs, and keeps the proxy away from everything else:
 *
 *  - localhost / 127.0.0.0/8 / ::1 on port 8080 -> the echo backend, 3000 -> the app backend;
 *  - the same hosts on any other port -> a connection refused, as on the article's machine where
 *    nothing listens there (the lessons' "second chat server on 8081 is down");
 *  - any other host -> blocked: the proxy answers 503 and logs why, and never resolves or
 *    connects to it.
 *
 * The proxy presents each connection as arriving on its Listen's own port (startProxyServer does
 * that whenever bindAddress moves a listener), so <VirtualHost *:80> matches as on a real machine.
 */
import net from 'node:net';
import type { ListenEntry } from '../engine/config/model.ts';
import type { BackendName } from '../engine/probe.ts';
import type { BackendResolver } from '../server/proxy/proxy-runtime.ts';
import { VIRTUAL_PORTS } from './protocol.ts';

const LOOPBACK = '127.0.0.1';

/** Port 0: connecting to it is refused at once, and nothing can ever listen there. */
const REFUSING_PORT = 0;

/** True for the names and addresses that mean "this machine". */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === 'ip6-localhost' || bare === 'ip6-loopback' || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** Where the backends really listen (null: stopped and never started). */
export type BackendPorts = Record<BackendName, number | null>;

/** The resolver handed to the proxy: article backends to real ports, nothing else reachable. */
export function createBackendResolver(ports: () => BackendPorts): BackendResolver {
  return (host, port) => {
    if (!isLoopbackHost(host)) {
      return { blocked: `the sandbox only reaches its own backends (localhost:${VIRTUAL_PORTS.echo} and localhost:${VIRTUAL_PORTS.app}), not ${host}` };
    }
    const current = ports();
    if (port === VIRTUAL_PORTS.echo && current.echo !== null) return { host: LOOPBACK, port: current.echo };
    if (port === VIRTUAL_PORTS.app && current.app !== null) return { host: LOOPBACK, port: current.app };
    return { host: LOOPBACK, port: REFUSING_PORT };
  };
}

/** Every Listen binds a free loopback port; the map says which virtual port got which real one. */
export class ListenerMap {
  private readonly realByVirtual = new Map<number, number>();

  /** For startProxyServer's bindAddress. */
  bindAddress = (_listen: ListenEntry): { host: string; port: number } => ({ host: LOOPBACK, port: 0 });

  /** Record the listeners of a started proxy (replacing the previous proxy's). */
  update(listeners: ReadonlyArray<{ listen: ListenEntry; port: number }>): void {
    this.realByVirtual.clear();
    for (const listener of listeners) {
      if (!this.realByVirtual.has(listener.listen.port)) this.realByVirtual.set(listener.listen.port, listener.port);
    }
  }

  clear(): void {
    this.update([]);
  }

  realPort(virtualPort: number): number | undefined {
    return this.realByVirtual.get(virtualPort);
  }

  virtualPorts(): number[] {
    return [...this.realByVirtual.keys()];
  }
}

/**
 * Error-log lines name the address mod_proxy connected to ("attempt to connect to
 * 127.0.0.1:41234 (localhost:8080) failed"); the page should see the article's port, as on a real
 * machine. Rewrites "HOST:REAL (NAME:VIRTUAL)" to "HOST:VIRTUAL (NAME:VIRTUAL)" for loopback hosts.
 */
export function presentBackendAddresses(line: string): string {
  return line.replace(/(\b127\.\d+\.\d+\.\d+|\[?::1\]?):(\d+) \(([^():\s]+):(\d+)\)/g, (whole, address: string, real: string, name: string, virtual: string) =>
    real === virtual || !isLoopbackHost(name) ? whole : `${address}:${virtual} (${name}:${virtual})`,
  );
}
