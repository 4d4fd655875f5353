/**
 * The traffic tap's event stream: what the proxy saw and did on each connection, in order, with
 * timestamps. The CLI prints it as JSON lines, the sandbox streams it to the page, and tests read
 * it. Heads are carried as text exactly as they crossed the wire (latin1), so the tap never has to
 * re-serialise anything and never changes a byte that is relayed.
 */
import type { ErrorLogEntry } from './logs/error-log.ts';

/** Which hop a head or frame crossed. */
export type Hop = 'client->proxy' | 'proxy->backend' | 'backend->proxy' | 'proxy->client';

/** A WebSocket frame as the tap's frame parser saw it (payload never altered). */
export interface TappedFrame {
  fin: boolean;
  rsv: [boolean, boolean, boolean];
  opcode: number;
  opcodeName: string;
  masked: boolean;
  payloadLength: number;
  /** First bytes of the payload, unmasked: text when valid UTF-8, otherwise hex. */
  preview: string;
  previewEncoding: 'text' | 'hex';
  closeCode?: number;
  closeReason?: string;
}

/** Why the proxy did what it did with one request. */
export interface RoutingSummary {
  /** "proxy", "redirect", "deny", "not-found", "error", "bad-request". */
  outcome: string;
  /** Human explanation, e.g. "ProxyPass /ws/ ws://localhost:8080/ (line 12) matched /ws/chat". */
  explanation: string;
  /** The directive that decided, with its line, when one did. */
  matched?: { directive: string; file: string; line: number; text?: string };
  /** Backend URL the request was sent to. */
  targetUrl?: string;
  /** Whether the WebSocket upgrade is forwarded. */
  upgrade?: boolean;
}

interface EventBase {
  /** Connection number, unique for the proxy's lifetime. */
  connection: number;
  /** Milliseconds since the epoch, with sub-millisecond precision where available. */
  time: number;
}

/** Every event the tap emits. */
export type TapEvent =
  | (EventBase & { type: 'connection-open'; client: string; local: string; tls: boolean })
  | (EventBase & { type: 'worker-wait'; busy: number; limit: number })
  | (EventBase & { type: 'head'; hop: Hop; head: string })
  | (EventBase & { type: 'route'; routing: RoutingSummary })
  | (EventBase & { type: 'response'; status: number; explanation: string })
  | (EventBase & { type: 'frame'; direction: 'client->backend' | 'backend->client'; frame: TappedFrame })
  | (EventBase & { type: 'frame-error'; direction: 'client->backend' | 'backend->client'; code: string; message: string })
  | (EventBase & { type: 'tunnel-close'; reason: string; durationMs: number; bytesFromClient: number; bytesFromBackend: number })
  | (EventBase & { type: 'error-log'; entry: ErrorLogEntry; line: string })
  | (EventBase & { type: 'access-log'; line: string })
  | (EventBase & { type: 'connection-close'; reason: string });

/** Receives tap events; must not throw (a failing listener is the listener's problem). */
export type TapListener = (event: TapEvent) => void;
