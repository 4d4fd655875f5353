/**
 * The page's side of the sandbox protocol, shared by both runtimes: request/reply matching,
 * event listeners, status, timeouts. A runtime subclass only moves lines: it calls
 * `receiveText()` with what arrives and implements `sendLine()`. Runs in the page: no node:*.
 */
import type { BackendStates, CheckResult, ConfigResult, HttpResult, SandboxMessage, SandboxRequest } from '../protocol.ts';

export type RuntimeName = 'local' | 'webcontainer';

/** booting: starting up; ready: requests go through; failed: it will not work (see `reason`); closed: close() was called. */
export type SandboxStatus = 'booting' | 'ready' | 'failed' | 'closed';

export type RequestType = SandboxRequest['type'];
/** A request as the page writes it: the connection adds the id. */
export type RequestBody = SandboxRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** What a successful reply carries, per request type. */
export interface ResultMap {
  'apply-config': ConfigResult;
  backend: BackendStates;
  'run-checks': CheckResult[];
  'http-request': HttpResult;
  'client-open': undefined;
  'client-open-many': undefined;
  'client-send': undefined;
  'client-close': undefined;
  ping: undefined;
}

export type ReplyOf<T extends RequestType> =
  | { type: 'reply'; id: number; ok: true; result: ResultMap[T] }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Every message that is not a reply: ready, tap, backend-state, backend-observation, client-event, notice. */
export type SandboxEvent = Exclude<SandboxMessage, { type: 'reply' }>;

export interface RequestOptions {
  /** Give up after this long (the promise then resolves with ok: false). Default by type. */
  timeoutMs?: number;
}

/** One sandbox, whichever runtime runs it. */
export interface SandboxConnection {
  readonly runtime: RuntimeName;
  readonly status: SandboxStatus;
  /** Why the sandbox failed or closed, in words for the learner; null while booting or ready. */
  readonly reason: string | null;
  /** Resolves once ready; rejects with an Error whose message is the reason when it fails first. */
  readonly ready: Promise<void>;
  /**
   * Send a request; resolves with its reply. Never rejects: a timeout, a refused request or a
   * lost connection is a reply with ok: false and an error text. Requests made while booting are
   * sent once ready.
   */
  request<B extends RequestBody>(body: B, options?: RequestOptions): Promise<ReplyOf<B['type']>>;
  /** Every event from the sandbox, in order. Returns an unsubscribe function. */
  onMessage(listener: (event: SandboxEvent) => void): () => void;
  /** Called on every status change (and once at once with the current status). */
  onStatus(listener: (status: SandboxStatus, reason: string | null) => void): () => void;
  /** Stop the sandbox (kills the process, closes the socket). */
  close(): void;
}

const DEFAULT_TIMEOUTS: Partial<Record<RequestType, number>> = {
  'apply-config': 30_000,
  'run-checks': 300_000,
  'http-request': 30_000,
  backend: 30_000,
};
const DEFAULT_TIMEOUT_MS = 15_000;
/** A line longer than this from the sandbox is dropped (the sandbox bounds its own lines far below). */
const MAX_LINE_CHARS = 8 * 1024 * 1024;

const EVENT_TYPES = new Set(['ready', 'tap', 'backend-state', 'backend-observation', 'client-event', 'notice']);

interface Pending {
  resolve(reply: ReplyOf<RequestType>): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Request/reply bookkeeping over a line transport; subclasses connect the transport. */
export abstract class LineProtocolConnection implements SandboxConnection {
  abstract readonly runtime: RuntimeName;
  status: SandboxStatus = 'booting';
  reason: string | null = null;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queued: Array<{ id: number; line: string }> = [];
  private readonly messageListeners = new Set<(event: SandboxEvent) => void>();
  private readonly statusListeners = new Set<(status: SandboxStatus, reason: string | null) => void>();
  private partial = '';

  constructor() {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody has to listen to `ready` for a failure to be handled.
    this.ready.catch(() => undefined);
  }

  /** Write one protocol line (without its newline) to the sandbox. */
  protected abstract sendLine(line: string): void;
  /** Release the transport. */
  protected abstract shutdown(): void;

  request<B extends RequestBody>(body: B, options: RequestOptions = {}): Promise<ReplyOf<B['type']>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.status === 'failed' || this.status === 'closed') {
        resolve({ type: 'reply', id, ok: false, error: this.reason ?? 'the sandbox is not running' });
        return;
      }
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUTS[body.type] ?? DEFAULT_TIMEOUT_MS;
      const pending: Pending = { resolve: resolve as Pending['resolve'], timer: undefined };
      pending.timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: 'reply', id, ok: false, error: `no reply from the sandbox within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      this.pending.set(id, pending);
      const line = JSON.stringify({ ...body, id });
      if (this.status === 'ready') this.write(line);
      else this.queued.push({ id, line });
    });
  }

  onMessage(listener: (event: SandboxEvent) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onStatus(listener: (status: SandboxStatus, reason: string | null) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status, this.reason);
    return () => this.statusListeners.delete(listener);
  }

  close(): void {
    if (this.status === 'closed') return;
    const wasFailed = this.status === 'failed';
    this.setStatus('closed', wasFailed ? this.reason : 'the sandbox was closed');
    this.settleAll('the sandbox was closed');
    try {
      this.shutdown();
    } catch {
      // Already gone.
    }
  }

  /** Feed text from the transport: whole lines or any pieces of them. */
  protected receiveText(text: string): void {
    const combined = this.partial + text;
    const lines = combined.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE_CHARS) this.partial = '';
    for (const line of lines) this.receiveLine(line);
  }

  /** The transport ended: whatever was pending fails with `reason`. */
  protected fail(reason: string): void {
    if (this.status === 'failed' || this.status === 'closed') return;
    this.setStatus('failed', reason);
    this.settleAll(reason);
    try {
      this.shutdown();
    } catch {
      // Already gone.
    }
  }

  private receiveLine(raw: string): void {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // A terminal may put control sequences in front of a line; messages start at their "{".
    const start = line.indexOf('{');
    if (start === -1) return;
    if (start > 0) line = line.slice(start);
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const typed = message as { type?: unknown; id?: unknown };
    if (typed.type === 'reply' && typeof typed.id === 'number') {
      const pending = this.pending.get(typed.id);
      if (!pending) return;
      this.pending.delete(typed.id);
      clearTimeout(pending.timer);
      pending.resolve(message as ReplyOf<RequestType>);
      return;
    }
    // Anything else (a request echoed by a terminal, stray output) is not ours.
    if (typeof typed.type !== 'string' || !EVENT_TYPES.has(typed.type)) return;
    const event = message as SandboxEvent;
    if (event.type === 'ready' && this.status === 'booting') {
      this.setStatus('ready', null);
      this.resolveReady();
      for (const { line: queuedLine } of this.queued.splice(0)) this.write(queuedLine);
    }
    for (const listener of this.messageListeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('wslab sandbox: a message listener threw', error);
      }
    }
  }

  private write(line: string): void {
    try {
      this.sendLine(line);
    } catch (error) {
      this.fail(`could not talk to the sandbox: ${(error as Error).message}`);
    }
  }

  private settleAll(reason: string): void {
    this.rejectReady(new Error(reason));
    this.queued.length = 0;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.resolve({ type: 'reply', id, ok: false, error: reason });
    }
    this.pending.clear();
  }

  private setStatus(status: SandboxStatus, reason: string | null): void {
    this.status = status;
    this.reason = reason;
    for (const listener of this.statusListeners) {
      try {
        listener(status, reason);
      } catch (error) {
        console.error('wslab sandbox: a status listener threw', error);
      }
    }
  }
}

/** Wait for `promise`, but give up after `ms` or when `signal` aborts, with a reason. */
export function withDeadline<T>(promise: Promise<T>, ms: number, timeoutReason: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error(abortReason(signal)));
      return;
    }
    const timer = setTimeout(() => reject(new Error(timeoutReason)), ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error(abortReason(signal)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return typeof reason === 'string' ? reason : 'starting the sandbox was cancelled';
}
