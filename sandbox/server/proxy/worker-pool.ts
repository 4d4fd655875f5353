/**
 * httpd's worker threads, as a counted resource. A connection needs a worker while a request is
 * being processed, and an upgraded WebSocket keeps its worker for the tunnel's whole life (every
 * 2.4 MPM, event included). When none is free, httpd stops accepting: new connections sit in the
 * listen backlog, and the parent logs AH00484 once. The emulator accepts the socket (the kernel
 * would have completed the TCP handshake anyway) but does not read from it until a worker frees.
 */

/** A held worker; release it exactly once. */
export interface WorkerLease {
  release(): void;
}

export interface WorkerPoolEvents {
  /** Called the first time the pool is exhausted (httpd reports AH00484 once per generation). */
  onFirstSaturation(): void;
}

/** A counting semaphore with a FIFO queue, matching the order the listen backlog hands out sockets. */
export class WorkerPool {
  readonly limit: number;
  private busy = 0;
  private readonly waiting: Array<(lease: WorkerLease) => void> = [];
  private saturationReported = false;
  private readonly events: WorkerPoolEvents;

  /** Create a pool of `limit` workers. */
  constructor(limit: number, events: WorkerPoolEvents) {
    this.limit = Math.max(1, limit);
    this.events = events;
  }

  /** Workers currently held. */
  get inUse(): number {
    return this.busy;
  }

  /** Connections waiting for a worker. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolve with a lease as soon as a worker is free; `signal` abandons the wait (client went away). */
  acquire(signal?: AbortSignal): Promise<WorkerLease> {
    if (this.busy < this.limit) {
      this.busy += 1;
      return Promise.resolve(this.createLease());
    }
    if (!this.saturationReported) {
      this.saturationReported = true;
      this.events.onFirstSaturation();
    }
    return new Promise((resolve, reject) => {
      const grant = (lease: WorkerLease) => {
        signal?.removeEventListener('abort', abandon);
        resolve(lease);
      };
      const abandon = () => {
        const index = this.waiting.indexOf(grant);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(signal?.reason ?? new Error('abandoned'));
      };
      if (signal?.aborted) {
        abandon();
        return;
      }
      signal?.addEventListener('abort', abandon, { once: true });
      this.waiting.push(grant);
    });
  }

  private createLease(): WorkerLease {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        // Hand the worker straight to the next waiter so the count never dips and races.
        if (next) next(this.createLease());
        else this.busy -= 1;
      },
    };
  }
}
