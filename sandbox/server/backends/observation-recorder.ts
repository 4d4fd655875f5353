import type { IncomingMessage } from 'node:http';
import type { BackendName, BackendObservation } from '../../engine/probe.ts';

/** Called with each request a backend receives, as it arrives. */
export type ObservationListener = (observation: BackendObservation) => void;

/**
 * Keeps every request a backend received, in arrival order, and tells listeners about each one,
 * so a runner can either read `seen` after a probe or react as requests land.
 */
export class ObservationRecorder {
  readonly backend: BackendName;
  readonly seen: BackendObservation[] = [];
  private readonly listeners = new Set<ObservationListener>();

  /** Create a recorder that stamps each observation with the given backend name. */
  constructor(backend: BackendName) {
    this.backend = backend;
  }

  /** Call `listener` for every later observation; returns a function that stops the calls. */
  onObservation(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** EventEmitter-style spelling of onObservation, for callers that expect `.on('observation', …)`. */
  on(event: 'observation', listener: ObservationListener): this {
    if (event === 'observation') this.listeners.add(listener);
    return this;
  }

  /** Stop calling a listener added with `on`. */
  off(event: 'observation', listener: ObservationListener): this {
    if (event === 'observation') this.listeners.delete(listener);
    return this;
  }

  /** Record what an incoming request looked like and tell the listeners. */
  record(request: IncomingMessage): BackendObservation {
    const observation: BackendObservation = {
      backend: this.backend,
      method: request.method ?? '',
      path: request.url ?? '',
      headers: lowerCasedHeaders(request.rawHeaders),
    };
    this.seen.push(observation);
    // A listener's mistake must not stop the backend from answering the request.
    for (const listener of this.listeners) {
      try {
        listener(observation);
      } catch {
        // ignored on purpose: see above
      }
    }
    return observation;
  }

  /** Return everything recorded so far and start a fresh list (one probe's worth at a time). */
  take(): BackendObservation[] {
    return this.seen.splice(0, this.seen.length);
  }

  /** Forget everything recorded so far. */
  clear(): void {
    this.seen.length = 0;
  }
}

/**
 * Header map with lower-cased names and repeats joined by ", ".
 * Built from rawHeaders rather than request.headers because Node silently drops repeats of some
 * fields (Host, User-Agent, ...), and a proxy that duplicates a header is exactly what tests look for.
 */
export function lowerCasedHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index].toLowerCase();
    const value = rawHeaders[index + 1];
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
