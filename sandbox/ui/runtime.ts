/**
 * The UI's side of the sandbox runtime: a `SandboxConnection` (booting → ready | failed, requests
 * with replies, a stream of messages) and how the UI gets one.
 *
 * The runtimes themselves (WebContainer, local) live in sandbox/runtime/browser/, written
 * separately; this module finds that module with import.meta.glob, so a build without it still
 * works and says so instead of failing. Whatever shape its status and replies take, the UI sees
 * the normalised forms below.
 */
import type { ClientOpenOptions, SandboxMessage, SandboxRequest } from '../runtime/protocol.ts';

/** A request without its id (the connection numbers requests itself). */
export type RequestBody = SandboxRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export type RuntimeStatus =
  | { state: 'booting'; detail?: string }
  | { state: 'ready'; runtime: string }
  | { state: 'failed'; reason: string };

/** What the UI needs from a runtime. */
export interface UiConnection {
  status(): RuntimeStatus;
  onStatus(listener: (status: RuntimeStatus) => void): () => void;
  /** Resolves with the reply's result; rejects with the reply's error message. */
  request<T = unknown>(request: RequestBody): Promise<T>;
  onMessage(listener: (message: SandboxMessage) => void): () => void;
  close(): void;
}

/** The shape sandbox/runtime/browser exports (read loosely: status may be a string or an object). */
interface RuntimeConnectionLike {
  status?: unknown;
  request(request: unknown): Promise<unknown>;
  onMessage(listener: (message: unknown) => void): unknown;
  onStatus?: (listener: (status: unknown) => void) => unknown;
  close?: () => void;
}

interface RuntimeModuleLike {
  chooseRuntime?: (options?: unknown) => unknown;
}

/** Read any of the status shapes a runtime may use. */
export function normalizeStatus(raw: unknown): RuntimeStatus {
  if (typeof raw === 'string') {
    if (raw === 'ready') return { state: 'ready', runtime: 'sandbox' };
    if (raw === 'failed') return { state: 'failed', reason: 'the sandbox runtime failed to start' };
    return { state: 'booting' };
  }
  if (typeof raw === 'object' && raw !== null) {
    const record = raw as Record<string, unknown>;
    const state = record.state ?? record.status ?? record.kind ?? record.phase;
    const runtime = typeof record.runtime === 'string' ? record.runtime : typeof record.name === 'string' ? record.name : 'sandbox';
    if (state === 'ready') return { state: 'ready', runtime };
    if (state === 'failed' || state === 'error') {
      const reason = record.reason ?? record.message ?? record.error;
      return { state: 'failed', reason: typeof reason === 'string' ? reason : String(reason ?? 'the sandbox runtime failed to start') };
    }
    const detail = record.detail ?? record.message;
    return { state: 'booting', detail: typeof detail === 'string' ? detail : undefined };
  }
  return { state: 'booting' };
}

/** Wrap a runtime connection so the UI sees one interface whatever the runtime's details. */
export function adaptConnection(connection: RuntimeConnectionLike): UiConnection {
  let status = normalizeStatus(connection.status);
  let ready = false;
  const statusListeners = new Set<(status: RuntimeStatus) => void>();
  const messageListeners = new Set<(message: SandboxMessage) => void>();
  let nextId = 1;

  const setStatus = (next: RuntimeStatus) => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = next;
    if (next.state === 'ready') ready = true;
    for (const listener of statusListeners) listener(next);
  };
  const poll = () => {
    // A status property that changes in place (getter or field): follow it until it settles.
    const next = normalizeStatus(connection.status);
    if (!(ready && next.state === 'booting')) setStatus(next);
  };
  const timer = setInterval(poll, 200);

  connection.onMessage((raw) => {
    const message = raw as SandboxMessage;
    if (message && typeof message === 'object' && message.type === 'ready') {
      setStatus({ state: 'ready', runtime: message.runtime });
    }
    for (const listener of messageListeners) listener(message);
  });
  connection.onStatus?.((raw) => setStatus(normalizeStatus(raw)));

  return {
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    async request<T>(request: RequestBody): Promise<T> {
      const reply = await connection.request({ id: nextId++, ...request });
      if (reply && typeof reply === 'object' && (reply as { type?: string }).type === 'reply') {
        const typed = reply as { ok: boolean; result?: unknown; error?: string };
        if (!typed.ok) throw new Error(typed.error ?? 'request failed');
        return typed.result as T;
      }
      return reply as T;
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      connection.close?.();
    },
  };
}

/** A connection that never runs anything, with the reason shown in the status line. */
export function unavailableConnection(reason: string): UiConnection {
  const status: RuntimeStatus = { state: 'failed', reason };
  return {
    status: () => status,
    onStatus: () => () => undefined,
    request: () => Promise.reject(new Error(reason)),
    onMessage: () => () => undefined,
    close: () => undefined,
  };
}

// The runtime module is optional at build time: the glob is empty when the file does not exist.
const runtimeModules = import.meta.glob<RuntimeModuleLike>('../runtime/browser/index.ts');

/** Whether this build contains the runtime module. */
export function runtimeIsBuilt(): boolean {
  return Object.keys(runtimeModules).length > 0;
}

/** Pick and start a runtime (the runtime module decides which: WebContainer, local, or why none). */
export async function connectRuntime(notInBuildReason: string): Promise<UiConnection> {
  const load = Object.values(runtimeModules)[0];
  if (!load) return unavailableConnection(notInBuildReason);
  try {
    const module = await load();
    if (typeof module.chooseRuntime !== 'function') return unavailableConnection(notInBuildReason);
    const connection = (await module.chooseRuntime()) as RuntimeConnectionLike;
    return adaptConnection(connection);
  } catch (error) {
    return unavailableConnection(error instanceof Error ? error.message : String(error));
  }
}

export type { ClientOpenOptions, SandboxMessage };
