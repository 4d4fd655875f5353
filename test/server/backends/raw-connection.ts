import net from 'node:net';

/** A raw TCP client for tests: write bytes, then wait until the received bytes satisfy a condition. */
export class RawConnection {
  private readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private waiters: Array<() => boolean> = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connect to a loopback port. */
  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Write text (latin1, so "\r\n" and bytes pass unchanged) or raw bytes. */
  write(data: string | Uint8Array): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Everything received so far. */
  bytes(): Buffer {
    return this.received;
  }

  /** Drop what has been received so far (after reading a handshake, say). */
  consume(length: number): Buffer {
    const head = this.received.subarray(0, length);
    this.received = this.received.subarray(length);
    return head;
  }

  /** Resolve once `done(received)` holds or the peer closes; reject after timeoutMs. */
  waitFor(done: (received: Buffer) => boolean, timeoutMs = 2000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(this.received.toString('latin1'))}`)), timeoutMs);
      const check = () => {
        if (done(this.received) || this.closed) {
          clearTimeout(timer);
          resolve(this.received);
          return true;
        }
        return false;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  /** Wait for a complete HTTP response head and return it as text, leaving the rest buffered. */
  async readHead(): Promise<string> {
    await this.waitFor((received) => received.includes('\r\n\r\n'));
    const end = this.received.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`connection closed before a head: ${JSON.stringify(this.received.toString('latin1'))}`);
    return this.consume(end + 4).toString('latin1');
  }

  /** Wait until the peer closes. */
  async waitClosed(timeoutMs = 2000): Promise<void> {
    await this.waitFor(() => false, timeoutMs);
  }

  /** Send FIN after what was written (a half-close: we can still read). */
  endWriting(): void {
    this.socket.end();
  }

  /** Close our side and release the socket. */
  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    // Each waiter reports whether it is satisfied; the unsatisfied ones keep waiting.
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }
}
