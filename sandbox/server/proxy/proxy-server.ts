/**
 * The emulator's listeners: one socket per Listen line, TLS where the virtual hosts on that
 * address have SSLEngine on (certificate chosen by SNI among them), each accepted connection
 * handed to serveClientConnection with the current generation's runtime. A graceful restart
 * swaps the runtime; connections already open finish on the one they started with.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { HttpdConfig, ListenEntry, VirtualHostConfig } from '../../engine/config/model.ts';
import type { TapListener } from '../../engine/tap-events.ts';
import { endpointsOf, serveClientConnection } from './client-connection.ts';
import type { Endpoints } from './client-connection.ts';
import type { LogSink } from './log-sink.ts';
import { ProxyRuntime } from './proxy-runtime.ts';
import type { BackendResolver } from './proxy-runtime.ts';
import { httpdOsError } from '../os-error.ts';

export interface ProxyServerOptions {
  config: HttpdConfig;
  sink: LogSink;
  tap?: TapListener;
  resolveBackend?: BackendResolver;
  /** Where each Listen really binds; the sandbox maps article ports (80, 443) to free ones. */
  bindAddress?: (listen: ListenEntry) => { host: string | undefined; port: number };
  /** Reads certificate files named by SSLCertificateFile/KeyFile; the sandbox maps paths. */
  readFile?: (path: string) => string;
  pid?: number;
}

export interface BoundListener {
  listen: ListenEntry;
  host: string;
  port: number;
  tls: boolean;
}

export interface RunningProxy {
  listeners: BoundListener[];
  /** The current generation. */
  runtime(): ProxyRuntime;
  /** Graceful restart with a new (already checked) config on the same listeners. */
  reload(config: HttpdConfig): void;
  /** Stop accepting, cut tunnels, close sockets. */
  close(): Promise<void>;
}

/** A bind failure, worded as httpd's AH00072. */
export class ListenError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** Start listening on every Listen of the config. Rejects with ListenError when a bind fails. */
export async function startProxyServer(options: ProxyServerOptions): Promise<RunningProxy> {
  let runtime = new ProxyRuntime(options);
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const listeners: BoundListener[] = [];
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  // When bindAddress moved a Listen elsewhere (the sandbox binds `Listen 80` to a free port), the
  // connection must still look as if it arrived on the Listen's own address and port: vhost
  // selection, %p and error-page signatures all read it, exactly as they would on the real machine.
  const presented = (raw: net.Socket, listen: ListenEntry): Endpoints => {
    const real = endpointsOf(raw);
    return options.bindAddress ? { ...real, localAddress: listen.address ?? real.localAddress, localPort: listen.port } : real;
  };
  const accept = (socket: net.Socket, isTls: boolean, endpoints: Endpoints, plainOnTlsPort = false, tlsServerName: string | null = null) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void serveClientConnection(socket, runtime, { tls: isTls, plainOnTlsPort, endpoints, tlsServerName }).catch(() => socket.destroy());
  };

  try {
    for (const listen of uniqueListens(options.config.listens)) {
      const tlsHosts = tlsVirtualHostsFor(options.config, listen);
      const bind = options.bindAddress?.(listen) ?? { host: listen.address ?? undefined, port: listen.port };
      let server: net.Server;
      if (tlsHosts.length > 0) {
        const contexts = tlsHosts.map((vhost) => ({ vhost, context: tls.createSecureContext(certificateOf(vhost, readFile)) }));
        const sniCallback = (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) => {
          const match = contexts.find(({ vhost }) => namesOf(vhost).includes(servername.toLowerCase())) ?? contexts[0];
          callback(null, match.context);
        };
        // Sniff the first bytes as OpenSSL does: a TLS record starts with 0x16. Otherwise it reads a
        // 5-byte record header, and only "GET ", "POST ", "HEAD " and "PUT " count as plain HTTP
        // (SSL_R_HTTP_REQUEST), which mod_ssl answers with its "speaking plain HTTP" 400; any other
        // bytes fail the handshake and the connection is closed without an answer (AH02008).
        server = net.createServer({ allowHalfOpen: true }, (raw) => {
          raw.setNoDelay(true);
          raw.once('error', () => raw.destroy());
          let sniffed = Buffer.alloc(0);
          const onFirstBytes = (bytes: Buffer) => {
            sniffed = Buffer.concat([sniffed, bytes]);
            if (sniffed[0] === 0x16) {
              raw.off('data', onFirstBytes);
              raw.off('end', onEndBeforeRecord);
              raw.pause();
              startTls(sniffed);
              return;
            }
            if (sniffed.length < TLS_RECORD_HEADER_LENGTH) return;
            raw.off('data', onFirstBytes);
            raw.off('end', onEndBeforeRecord);
            raw.pause();
            if (!PLAIN_HTTP_PREFIXES.some((prefix) => sniffed.subarray(0, prefix.length).toString('latin1') === prefix)) {
              raw.destroy();
              return;
            }
            raw.unshift(sniffed);
            accept(raw, false, presented(raw, listen), true);
          };
          const onEndBeforeRecord = () => raw.destroy();
          raw.on('data', onFirstBytes);
          raw.once('end', onEndBeforeRecord);
          const startTls = (first: Buffer) => {
            // The byte already read must reach the TLS layer, and a TLSSocket on a net.Socket reads
            // the socket's handle directly, so hand it a stream that replays the byte first.
            const replay = replayingStream(raw, first);
            const secure = new tls.TLSSocket(replay, { isServer: true, secureContext: contexts[0].context, SNICallback: sniCallback, ALPNProtocols: ['http/1.1'] });
            // A failed handshake is the client's problem; httpd logs it at info and carries on.
            secure.once('error', () => secure.destroy());
            // mod_ssl checks each request's Host against the SNI name the handshake used.
            const sniName = (socket: tls.TLSSocket): string | null => (typeof socket.servername === 'string' && socket.servername !== '' ? socket.servername : null);
            secure.once('secure', () => accept(secure, true, presented(raw, listen), false, sniName(secure)));
          };
        });
      } else {
        // Half-open: a client that shuts down its side mid-request still gets httpd's 400.
        server = net.createServer({ allowHalfOpen: true }, (socket) => {
          socket.setNoDelay(true);
          accept(socket, false, presented(socket, listen));
        });
      }
      const port = await bindServer(server, bind.host, bind.port);
      servers.push(server);
      listeners.push({ listen, host: bind.host ?? '0.0.0.0', port, tls: tlsHosts.length > 0 });
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }

  return {
    listeners,
    runtime: () => runtime,
    reload(config: HttpdConfig) {
      runtime.flushLogs();
      runtime = new ProxyRuntime({ ...options, config });
    },
    async close() {
      runtime.closeTunnels();
      runtime.flushLogs();
      const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      // server.close() waits for every open connection, so cut them first (idle keep-alives included).
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** httpd binds each address:port once however often it is listed. */
function uniqueListens(listens: ListenEntry[]): ListenEntry[] {
  const seen = new Set<string>();
  return listens.filter((listen) => {
    const key = `${listen.address ?? '*'}:${listen.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Virtual hosts with SSLEngine on whose addresses cover this Listen. */
function tlsVirtualHostsFor(config: HttpdConfig, listen: ListenEntry): VirtualHostConfig[] {
  return config.virtualHosts.filter(
    (vhost) =>
      vhost.server.sslEngine?.value === true &&
      vhost.addresses.some(
        (address) =>
          (address.port === null || address.port === '*' || address.port === listen.port) &&
          (address.host === '*' || address.host === '_default_' || listen.address === null || address.host === listen.address || (address.host === 'localhost' && listen.address === '127.0.0.1')),
      ),
  );
}

function certificateOf(vhost: VirtualHostConfig, readFile: (path: string) => string): { cert: string; key: string } {
  const certPath = vhost.server.sslCertificateFiles.at(-1)?.value;
  const keyPath = vhost.server.sslCertificateKeyFiles.at(-1)?.value ?? certPath;
  if (!certPath || !keyPath) throw new ListenError(`AH02572: Failed to configure at least one certificate and key for ${namesOf(vhost)[0] ?? 'the virtual host'}:${vhost.addresses[0]?.port ?? 443}`, 'NO_CERT');
  return { cert: readFile(certPath), key: readFile(keyPath) };
}

/** OpenSSL reads a whole record header before it looks at what the client sent. */
const TLS_RECORD_HEADER_LENGTH = 5;
/** What ssl3_get_record takes for an HTTP request on a TLS port (ssl/record/ssl3_record.c). */
const PLAIN_HTTP_PREFIXES = ['GET ', 'POST ', 'HEAD ', 'PUT '];

function namesOf(vhost: VirtualHostConfig): string[] {
  const names = vhost.server.serverName ? [vhost.server.serverName.value.host] : [];
  return [...names, ...vhost.server.serverAliases.map((alias) => alias.value)].map((name) => name.toLowerCase());
}

function bindServer(server: net.Server, host: string | undefined, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const shown = `${host ?? '0.0.0.0'}:${port}`;
      reject(new ListenError(`${httpdOsError(error)}: AH00072: make_sock: could not bind to address ${shown}`, error.code ?? 'LISTEN'));
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: 511 }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** A duplex over `socket` that first yields `first`, then everything the socket reads. */
function replayingStream(socket: net.Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  stream.push(first);
  socket.on('data', (chunk) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return stream;
}
