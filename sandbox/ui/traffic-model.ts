/**
 * The traffic view's model: tap events folded into one record per connection (the two hops of
 * the handshake, the routing decision, frames, the close) and a flat list of arrows for the
 * sequence diagram. Pure: the view renders what this returns and never reads events itself.
 * Bounded, so a learner opening a thousand sockets cannot make the page grow without end.
 */
import type { Hop, RoutingSummary, TapEvent, TappedFrame } from '../engine/tap-events.ts';

export type Lane = 'client' | 'apache' | 'backend';

/** One arrow (or note, when from === to) of the sequence diagram. */
export interface Arrow {
  /** Position in the whole stream, stable for selection. */
  seq: number;
  connection: number;
  time: number;
  from: Lane;
  to: Lane;
  kind: 'head' | 'route' | 'frame' | 'frame-error' | 'response' | 'tunnel-close' | 'error-log' | 'worker-wait' | 'open' | 'close';
  label: string;
  /** Marks arrows worth a colour: failures red, upgrades green. */
  tone: 'normal' | 'good' | 'bad' | 'muted';
}

export interface FrameRecord {
  seq: number;
  time: number;
  direction: 'client->backend' | 'backend->client';
  frame: TappedFrame;
}

export interface ConnectionRecord {
  /** The view's number: unique for the page's lifetime, even across config runs. */
  id: number;
  /** The proxy's own connection number (restarts with each run). */
  proxyConnection: number;
  client?: string;
  tls: boolean;
  openedAt: number;
  closedAt?: number;
  closeReason?: string;
  heads: Partial<Record<Hop, { text: string; time: number; seq: number }>>;
  route?: RoutingSummary & { seq: number; time: number };
  response?: { status: number; explanation: string; time: number; seq: number };
  workerWait?: { busy: number; limit: number; time: number };
  frames: FrameRecord[];
  framesDropped: number;
  frameErrors: Array<{ seq: number; time: number; direction: string; code: string; message: string }>;
  tunnel?: { reason: string; durationMs: number; bytesFromClient: number; bytesFromBackend: number; time: number };
  errorLog: string[];
  accessLog: string[];
}

export interface TrafficState {
  connections: Map<number, ConnectionRecord>;
  /** Connection ids, oldest first. */
  order: number[];
  arrows: Arrow[];
  errorLog: Array<{ seq: number; connection: number; line: string; level: string; code?: string }>;
  accessLog: Array<{ seq: number; connection: number; line: string }>;
  nextSeq: number;
  /** Proxy connection number → view number, for the running config and the one before it. */
  ids: Map<number, number>;
  previousIds: Map<number, number>;
  nextId: number;
}

export const LIMITS = { connections: 100, arrows: 1500, logLines: 1000, framesPerConnection: 400 } as const;

/** The few arrow labels that are prose rather than protocol text, per locale. */
export interface ArrowLabels {
  connect(client: string, tls: boolean): string;
  workerWait(busy: number, limit: number): string;
  tunnelClosed(reason: string, duration: string): string;
  connectionClosed(reason: string): string;
}

export const ENGLISH_ARROW_LABELS: ArrowLabels = {
  connect: (client, tls) => `TCP${tls ? '+TLS' : ''} connect from ${client}`,
  workerWait: (busy, limit) => `waiting for a worker (${busy}/${limit} busy)`,
  tunnelClosed: (reason, duration) => `tunnel closed: ${reason} after ${duration}`,
  connectionClosed: (reason) => `connection closed (${reason})`,
};

export function emptyTraffic(): TrafficState {
  return { connections: new Map(), order: [], arrows: [], errorLog: [], accessLog: [], nextSeq: 1, ids: new Map(), previousIds: new Map(), nextId: 1 };
}

/**
 * A new config runs: the proxy numbers its connections from 1 again. Later events for numbers
 * not seen under the new config still belong to the old one's connections (tunnels it closes
 * while it shuts down).
 */
export function startGeneration(state: TrafficState): void {
  state.previousIds = state.ids;
  state.ids = new Map();
}

/** The view number for a proxy connection number (0, the server itself, stays 0). */
function viewId(state: TrafficState, event: TapEvent): number {
  if (event.connection === 0) return 0;
  const known = state.ids.get(event.connection);
  if (known !== undefined) return known;
  if (event.type !== 'connection-open') {
    const previous = state.previousIds.get(event.connection);
    if (previous !== undefined) return previous;
  }
  const id = state.nextId++;
  state.ids.set(event.connection, id);
  return id;
}

/** The first line of a head, for an arrow's label. */
export function firstLine(head: string): string {
  const end = head.indexOf('\r\n');
  const line = end === -1 ? head.split('\n')[0] : head.slice(0, end);
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

const OPCODE_SHORT: Record<number, string> = { 0: 'cont', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

/** "text "hello" 5 B masked" style label for a frame. */
export function frameLabel(frame: TappedFrame): string {
  const name = OPCODE_SHORT[frame.opcode] ?? frame.opcodeName ?? `0x${frame.opcode.toString(16)}`;
  const parts = [name];
  if (frame.opcode === 8 && frame.closeCode !== undefined) parts.push(String(frame.closeCode) + (frame.closeReason ? ` ${JSON.stringify(frame.closeReason)}` : ''));
  else if (frame.payloadLength > 0) {
    const preview = frame.previewEncoding === 'text' ? JSON.stringify(truncate(frame.preview, 40)) : truncate(frame.preview, 24);
    parts.push(preview);
  }
  parts.push(`${frame.payloadLength} B`);
  if (frame.masked) parts.push('masked');
  if (!frame.fin) parts.push('FIN=0');
  return parts.join(' ');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const HOP_LANES: Record<Hop, [Lane, Lane]> = {
  'client->proxy': ['client', 'apache'],
  'proxy->backend': ['apache', 'backend'],
  'backend->proxy': ['backend', 'apache'],
  'proxy->client': ['apache', 'client'],
};

function ensureConnection(state: TrafficState, event: TapEvent, id: number): ConnectionRecord {
  let record = state.connections.get(id);
  if (!record) {
    record = { id, proxyConnection: event.connection, tls: false, openedAt: event.time, heads: {}, frames: [], framesDropped: 0, frameErrors: [], errorLog: [], accessLog: [] };
    state.connections.set(id, record);
    state.order.push(id);
    while (state.order.length > LIMITS.connections) {
      const dropped = state.order.shift();
      if (dropped !== undefined) state.connections.delete(dropped);
    }
  }
  return record;
}

function toneForStatus(status: number): Arrow['tone'] {
  if (status === 101 || (status >= 200 && status < 400)) return 'good';
  return status >= 400 ? 'bad' : 'normal';
}

/**
 * Fold one event into the state (mutates it, so a stream of thousands of events costs no
 * copying). Returns the view's connection number and the arrow it added, if any.
 */
export function applyTapEvent(state: TrafficState, event: TapEvent, labels: ArrowLabels = ENGLISH_ARROW_LABELS): { connection: number; arrow: Arrow | null } {
  const id = viewId(state, event);
  return { connection: id, arrow: foldEvent(state, event, id, labels) };
}

function foldEvent(state: TrafficState, event: TapEvent, id: number, labels: ArrowLabels): Arrow | null {
  const seq = state.nextSeq++;
  const push = (arrow: Omit<Arrow, 'seq' | 'connection' | 'time'>): Arrow => {
    const full: Arrow = { seq, connection: id, time: event.time, ...arrow };
    state.arrows.push(full);
    if (state.arrows.length > LIMITS.arrows) state.arrows.splice(0, state.arrows.length - LIMITS.arrows);
    return full;
  };

  switch (event.type) {
    case 'connection-open': {
      const record = ensureConnection(state, event, id);
      record.client = event.client;
      record.tls = event.tls;
      record.openedAt = event.time;
      return push({ from: 'client', to: 'apache', kind: 'open', label: labels.connect(event.client, event.tls), tone: 'muted' });
    }
    case 'worker-wait': {
      const record = ensureConnection(state, event, id);
      record.workerWait = { busy: event.busy, limit: event.limit, time: event.time };
      return push({ from: 'apache', to: 'apache', kind: 'worker-wait', label: labels.workerWait(event.busy, event.limit), tone: 'bad' });
    }
    case 'head': {
      const record = ensureConnection(state, event, id);
      record.heads[event.hop] = { text: event.head, time: event.time, seq };
      const [from, to] = HOP_LANES[event.hop];
      const label = firstLine(event.head);
      const status = /^HTTP\/\S+ (\d{3})/.exec(label);
      return push({ from, to, kind: 'head', label, tone: status ? toneForStatus(Number(status[1])) : 'normal' });
    }
    case 'route': {
      const record = ensureConnection(state, event, id);
      record.route = { ...event.routing, seq, time: event.time };
      const where = event.routing.matched ? `${event.routing.matched.directive} (line ${event.routing.matched.line})` : event.routing.outcome;
      return push({ from: 'apache', to: 'apache', kind: 'route', label: where, tone: event.routing.outcome === 'proxy' ? 'normal' : 'bad' });
    }
    case 'response': {
      const record = ensureConnection(state, event, id);
      record.response = { status: event.status, explanation: event.explanation, time: event.time, seq };
      return null; // The proxy->client head already drew the arrow; the explanation goes to the timeline.
    }
    case 'frame': {
      const record = ensureConnection(state, event, id);
      if (record.frames.length < LIMITS.framesPerConnection) record.frames.push({ seq, time: event.time, direction: event.direction, frame: event.frame });
      else record.framesDropped++;
      const [from, to]: [Lane, Lane] = event.direction === 'client->backend' ? ['client', 'backend'] : ['backend', 'client'];
      return push({ from, to, kind: 'frame', label: frameLabel(event.frame), tone: event.frame.opcode === 8 ? 'muted' : 'normal' });
    }
    case 'frame-error': {
      const record = ensureConnection(state, event, id);
      record.frameErrors.push({ seq, time: event.time, direction: event.direction, code: event.code, message: event.message });
      return push({ from: 'apache', to: 'apache', kind: 'frame-error', label: `${event.code}: ${event.message}`, tone: 'bad' });
    }
    case 'tunnel-close': {
      const record = ensureConnection(state, event, id);
      record.tunnel = { reason: event.reason, durationMs: event.durationMs, bytesFromClient: event.bytesFromClient, bytesFromBackend: event.bytesFromBackend, time: event.time };
      return push({ from: 'apache', to: 'apache', kind: 'tunnel-close', label: labels.tunnelClosed(event.reason, formatDuration(event.durationMs)), tone: 'muted' });
    }
    case 'error-log': {
      state.errorLog.push({ seq, connection: id, line: event.line, level: event.entry.level, code: event.entry.code });
      if (state.errorLog.length > LIMITS.logLines) state.errorLog.splice(0, state.errorLog.length - LIMITS.logLines);
      if (id > 0 && state.connections.has(id)) {
        state.connections.get(id)?.errorLog.push(event.line);
        const label = event.entry.code ? `${event.entry.code} [${event.entry.module}:${event.entry.level}]` : `[${event.entry.module}:${event.entry.level}]`;
        return push({ from: 'apache', to: 'apache', kind: 'error-log', label, tone: isSevere(event.entry.level) ? 'bad' : 'muted' });
      }
      return null;
    }
    case 'access-log': {
      state.accessLog.push({ seq, connection: id, line: event.line });
      if (state.accessLog.length > LIMITS.logLines) state.accessLog.splice(0, state.accessLog.length - LIMITS.logLines);
      state.connections.get(id)?.accessLog.push(event.line);
      return null;
    }
    case 'connection-close': {
      const record = state.connections.get(id);
      if (!record) return null;
      record.closedAt = event.time;
      record.closeReason = event.reason;
      return push({ from: 'apache', to: 'client', kind: 'close', label: labels.connectionClosed(event.reason), tone: 'muted' });
    }
    default:
      return null;
  }
}

function isSevere(level: string): boolean {
  return ['emerg', 'alert', 'crit', 'error'].includes(level);
}

/** "12 ms", "1.25 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Durations worth showing for one connection, in ms (undefined when not known yet). */
export function connectionTimings(record: ConnectionRecord): { handshake?: number; backend?: number; total?: number; tunnel?: number } {
  const request = record.heads['client->proxy'];
  const toBackend = record.heads['proxy->backend'];
  const fromBackend = record.heads['backend->proxy'];
  const answer = record.heads['proxy->client'];
  return {
    handshake: request && answer ? answer.time - request.time : undefined,
    backend: toBackend && fromBackend ? fromBackend.time - toBackend.time : undefined,
    total: record.closedAt !== undefined ? record.closedAt - record.openedAt : undefined,
    tunnel: record.tunnel?.durationMs,
  };
}
