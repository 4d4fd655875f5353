/**
 * The sandbox protocol: how the page talks to one sandbox process (the emulator, its two
 * backends and the learner's test client). The same messages travel over WebContainer's process
 * stdio and over the local runtime's WebSocket, one JSON object per line, so the page cannot tell
 * which runtime it drives.
 *
 * Requests carry an `id`; the reply to a request carries the same `id`. Events have no `id`.
 * Pure types and a line codec: no I/O, no node:* or DOM imports.
 */
import type { ConfigDiagnostic } from '../engine/config/diagnostics.ts';
import type { BackendName, BackendObservation, Check, CheckFailure, ProbeOutcome } from '../engine/probe.ts';
import type { TapEvent } from '../engine/tap-events.ts';

export const PROTOCOL_VERSION = 1;

/** The article's addresses, which configs and checks use; the sandbox maps them to free ports. */
export const VIRTUAL_PORTS = { http: 80, https: 443, echo: 8080, app: 3000 } as const;

/** Where configs find the sandbox's test certificate (the runtime maps these paths). */
export const VIRTUAL_TLS_FILES = {
  certificate: '/etc/wslab/tls/server.crt',
  key: '/etc/wslab/tls/server.key',
  ca: '/etc/wslab/tls/ca.crt',
} as const;

/** Headers, subprotocols and Origin for a test WebSocket (the browser's own WebSocket cannot set them). */
export interface ClientOpenOptions {
  path: string;
  host?: string;
  headers?: Record<string, string>;
  protocols?: string[];
  origin?: string;
  tls?: boolean;
}

/** Messages from the page to the sandbox. */
export type SandboxRequest =
  /** Graceful restart: configtest first; on failure the previous config keeps running. */
  | { id: number; type: 'apply-config'; text: string }
  | { id: number; type: 'backend'; backend: BackendName; action: 'start' | 'stop' }
  | { id: number; type: 'client-open'; client: string; options: ClientOpenOptions }
  | { id: number; type: 'client-send'; client: string; text?: string; binaryHex?: string }
  | { id: number; type: 'client-close'; client: string; code?: number; reason?: string }
  /** Open `count` WebSockets at once (the worker-cap exercise); each gets client id `${prefix}-${n}`. */
  | { id: number; type: 'client-open-many'; prefix: string; count: number; options: ClientOpenOptions }
  | { id: number; type: 'http-request'; method: string; path: string; headers?: Record<string, string>; body?: string; tls?: boolean }
  | { id: number; type: 'run-checks'; checks: Check[] }
  | { id: number; type: 'ping' };

/** What apply-config answers. */
export interface ConfigResult {
  /** Exactly what `apachectl configtest` would print. */
  configtest: string;
  exitCode: number;
  diagnostics: ConfigDiagnostic[];
  /** True when the new config now runs; false when the previous one (if any) keeps running. */
  applied: boolean;
  /** Startup failure lines (e.g. AH02432 for a balancer without lbmethod), when the config could not start. */
  startupErrors: string[];
}

/** One check's verdict. */
export interface CheckResult {
  id: string;
  passed: boolean;
  failures: CheckFailure[];
  outcome: ProbeOutcome;
}

/** Messages from the sandbox to the page. */
export type SandboxMessage =
  | { type: 'ready'; version: number; runtime: 'local' | 'webcontainer' }
  | { type: 'reply'; id: number; ok: true; result?: ConfigResult | CheckResult[] | HttpResult | BackendStates }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'tap'; event: TapEvent }
  | { type: 'backend-state'; states: BackendStates }
  | { type: 'backend-observation'; observation: BackendObservation }
  | { type: 'client-event'; client: string; event: ClientEvent }
  /** The sandbox hit a limit or a fault it reports instead of crashing. */
  | { type: 'notice'; level: 'info' | 'warn' | 'error'; message: string };

export type BackendStates = Record<BackendName, 'running' | 'stopped'>;

export interface HttpResult {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** What happened to a test client. */
export type ClientEvent =
  | { kind: 'open'; status: 101; headers: Array<[string, string]>; protocol: string }
  | { kind: 'rejected'; status: number; headers: Array<[string, string]>; body: string }
  | { kind: 'message'; direction: 'in' | 'out'; text?: string; binaryHex?: string }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'error'; message: string };

/** Encode one message as a protocol line. */
export function encodeLine(message: SandboxRequest | SandboxMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Split a byte stream into protocol lines; returns the complete messages and the unfinished rest.
 * A line that is not JSON is returned as an error entry rather than thrown, so a corrupted line
 * cannot take either side down.
 */
export function decodeLines(buffer: string): { messages: Array<{ ok: true; value: unknown } | { ok: false; line: string }>; rest: string } {
  const lines = buffer.split('\n');
  const rest = lines.pop() ?? '';
  const messages = lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return { ok: true as const, value: JSON.parse(line) as unknown };
      } catch {
        return { ok: false as const, line };
      }
    });
  return { messages, rest };
}
