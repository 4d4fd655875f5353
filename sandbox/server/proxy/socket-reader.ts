/**
 * Pull-style reading from a socket: the request flow asks for "the next chunk" instead of
 * juggling 'data' events, so reading a head, then a body, then handing the socket to a tunnel
 * happens in order without losing bytes that arrived early.
 */
import type { Socket } from 'node:net';

export class SocketReader {
  private readonly socket: Socket;
  private readonly queued: Buffer[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private detached = false;

  /** Start buffering the socket's data; the socket is paused whenever nobody is reading. */
  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private readonly onData = (chunk: Buffer) => {
    this.queued.push(chunk);
    // Backpressure: hold the socket until the reader catches up.
    this.socket.pause();
    this.notify();
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };

  private readonly onError = (error: Error) => {
    this.failure = error;
    this.ended = true;
    this.notify();
  };

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** True once the peer has closed and every buffered byte was read. */
  get finished(): boolean {
    return this.ended && this.queued.length === 0;
  }

  /** The next chunk, or null at end of stream / on timeout. `timeoutMs` 0 waits forever. */
  async read(timeoutMs: number): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.queued.shift();
      if (chunk) return chunk;
      if (this.ended || this.detached) return null;
      this.socket.resume();
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = timeoutMs > 0 ? setTimeout(() => resolve(false), timeoutMs) : undefined;
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!arrived) {
        this.wake = null;
        this.socket.pause();
        return null;
      }
    }
  }

  /** What arrived and is not read yet, left in place (what ap_check_pipeline would peek). */
  pending(): Buffer {
    return Buffer.concat(this.queued);
  }

  /** Everything that arrived and is not read yet, taken out of the reader (without waiting). */
  takePending(): Buffer {
    return Buffer.concat(this.queued.splice(0));
  }

  /** Give bytes back (the part of a chunk after a head) so the next read returns them first. */
  unshift(chunk: Buffer): void {
    if (chunk.length > 0) this.queued.unshift(chunk);
  }

  /** Stop reading and return whatever was buffered; the socket's data goes to its next owner. */
  detach(): Buffer {
    this.detached = true;
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.notify();
    const rest = Buffer.concat(this.queued);
    this.queued.length = 0;
    return rest;
  }

  /** The error that ended the stream, if any. */
  get error(): Error | null {
    return this.failure;
  }
}
