/**
 * Backend sockets that read into a buffer of their own, reused from read to read, instead of a
 * fresh Buffer per read.
 *
 * Why: Node normally hands every socket read over in a newly allocated Buffer whose bytes live
 * outside the V8 heap, and a busy tunnel reads hundreds of megabytes a second; V8 answers that
 * churn of external memory with garbage collections. Node's documented `onread` option of
 * net.connect lets the bytes land in a buffer the socket keeps. (Measured: about 5% less proxy
 * CPU per 16 KiB message. Accepted client sockets have no public `onread`, so only the backend
 * half of the churn goes away.)
 *
 * The buffer is only reused while nobody holds on to it. A consumer says, for each chunk, whether
 * it kept a reference (a write Node could not finish at once queues the chunk itself); the next
 * read then gets a new buffer and the old one belongs to the write.
 *
 * Until a consumer takes over (the tunnel), each read is re-emitted as an ordinary 'data' event
 * and counts as held, so the next read gets a new buffer: code that reads the socket as a stream
 * (the response-head reader, which queues chunks) sees what Node's own reads would give it.
 */
import net from 'node:net';

/** Receives one read; returns true when it still references `chunk` after returning. */
export type ReadConsumer = (chunk: Buffer) => boolean;

/** Large enough that one read carries several 16 KiB WebSocket messages, as Node's own reads do. */
const READ_BUFFER_BYTES = 64 * 1024;

const routings = new WeakMap<net.Socket, { consume: ReadConsumer }>();

/** net.connect, reading into a reused buffer; the socket behaves as usual until `routeReads`. */
export function connectReusingReadBuffer(options: net.TcpNetConnectOpts): net.Socket {
  let buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const routing: { consume: ReadConsumer } = {
    consume: (chunk) => {
      socket.emit('data', chunk);
      return true;
    },
  };
  const socket = net.connect({
    ...options,
    onread: {
      // Called after each read for the buffer the next one goes to.
      buffer: () => buffer,
      callback: (bytesRead: number, into: Uint8Array) => {
        const chunk = Buffer.from(into.buffer, into.byteOffset, bytesRead);
        if (routing.consume(chunk)) buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
        // Keep reading; consumers apply backpressure with pause()/resume() as with 'data'.
        return true;
      },
    },
  });
  routings.set(socket, routing);
  return socket;
}

/**
 * Send the socket's reads to `consume` from now on instead of re-emitting them as 'data'. Does
 * nothing for a socket not made by connectReusingReadBuffer, which keeps emitting 'data'.
 */
export function routeReads(socket: net.Socket, consume: ReadConsumer): void {
  const routing = routings.get(socket);
  if (routing !== undefined) routing.consume = consume;
}
