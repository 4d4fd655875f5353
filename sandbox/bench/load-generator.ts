/**
 * The throughput benchmark's clients: N WebSockets (the `ws` library, as a browser-less client
 * would use), each keeping a window of messages outstanding and sending the next one as each echo
 * comes back. Counting starts after a warm-up and stops after a fixed time; every reply is
 * checked for the echo server's answer so a proxy that garbles or drops data cannot look fast.
 */
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { sleep } from './bench-support.ts';

export type MessageKind = 'small-text' | 'binary-16k';

export const MESSAGE_KINDS: Record<MessageKind, { label: string; bytes: number; binary: boolean }> = {
  'small-text': { label: '64 B text', bytes: 64, binary: false },
  'binary-16k': { label: '16 KiB binary', bytes: 16 * 1024, binary: true },
};

export interface LoadOptions {
  url: string;
  kind: MessageKind;
  clients: number;
  window: number;
  warmupMs: number;
  measureMs: number;
  /** Called at the start and the end of the counted interval (CPU readings of other processes). */
  onMark?: (mark: 'start' | 'end') => void;
}

export interface LoadResult {
  /** Echo replies received in the counted interval. */
  messages: number;
  /** Payload bytes of those replies (one direction). */
  bytes: number;
  seconds: number;
  /** CPU seconds this process (the clients) used in the counted interval. */
  clientCpuSeconds: number;
}

/** Open `count` WebSockets to `url`; rejects if any does not open within `timeoutMs`. */
export async function openClients(url: string, count: number, timeoutMs = 10_000): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const socket = new WebSocket(url, { perMessageDeflate: false });
        sockets.push(socket);
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`WebSocket to ${url} did not open within ${timeoutMs} ms`)), timeoutMs);
          socket.once('open', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
          socket.once('unexpected-response', (_request, response) => {
            clearTimeout(timer);
            reject(new Error(`${url} answered ${response.statusCode} instead of 101`));
          });
        });
      }),
    );
  } catch (error) {
    for (const socket of sockets) socket.terminate();
    throw error;
  }
  return sockets;
}

/** Close sockets politely, terminating any that have not finished closing after `graceMs`. */
export async function closeClients(sockets: WebSocket[], graceMs = 1_000): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, graceMs);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(1000);
        }),
    ),
  );
}

/** Run one measured phase: warm-up, counted interval, drain, close. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const spec = MESSAGE_KINDS[options.kind];
  const payload: string | Buffer = spec.binary ? Buffer.alloc(spec.bytes, 0xa5) : 'x'.repeat(spec.bytes);
  const expectedLength = spec.binary ? spec.bytes : spec.bytes + 'Echo: '.length;
  const sockets = await openClients(options.url, options.clients);

  let counting = false;
  let stopping = false;
  let messages = 0;
  let bytes = 0;
  let outstanding = 0;
  let failure: Error | null = null;
  let drained: (() => void) | null = null;

  for (const socket of sockets) {
    let checked = false;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      outstanding -= 1;
      const length = Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : (data as Buffer).byteLength;
      if (!checked || length !== expectedLength || isBinary !== spec.binary) {
        checked = true;
        const ok = isBinary === spec.binary && length === expectedLength && (spec.binary || String(data).startsWith('Echo: x'));
        if (!ok && failure === null) failure = new Error(`unexpected echo through ${options.url}: ${isBinary ? 'binary' : 'text'} of ${length} bytes, wanted ${expectedLength}`);
      }
      if (counting) {
        messages += 1;
        bytes += length;
      }
      if (!stopping && failure === null) {
        outstanding += 1;
        socket.send(payload, { binary: spec.binary });
      } else if (outstanding === 0) drained?.();
    });
    socket.on('error', (error) => {
      if (failure === null) failure = error;
    });
    socket.on('close', (code) => {
      if (!stopping && failure === null) failure = new Error(`connection through ${options.url} closed during the run (code ${code})`);
    });
  }

  try {
    for (const socket of sockets) {
      for (let index = 0; index < options.window; index++) {
        outstanding += 1;
        socket.send(payload, { binary: spec.binary });
      }
    }
    await sleep(options.warmupMs);
    options.onMark?.('start');
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    counting = true;
    await sleep(options.measureMs);
    counting = false;
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    options.onMark?.('end');
    stopping = true;
    // Let the messages in flight come back so the proxy is idle before the next phase.
    if (outstanding > 0) await Promise.race([new Promise<void>((resolve) => (drained = resolve)), sleep(2_000)]);
    if (failure !== null) throw failure;
    if (messages === 0) throw new Error(`no echo came back through ${options.url}`);
    return { messages, bytes, seconds, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    stopping = true;
    await closeClients(sockets);
  }
}
