/**
 * The article's two backends inside the sandbox: the ws echo server (virtual port 8080) and the
 * plain HTTP app (3000). Each runs on a free loopback port; stopping one closes it (the next
 * proxied connect is refused: 503 and AH00957), starting it again reuses its port, so a running
 * config finds it where it was.
 */
import type { BackendName, BackendObservation } from '../engine/probe.ts';
import { startAppServer } from '../server/backends/app-server.ts';
import { startEchoServer } from '../server/backends/echo-server.ts';
import type { RunningBackend } from '../server/backends/server-lifecycle.ts';
import type { BackendStates } from './protocol.ts';
import type { BackendPorts } from './virtual-network.ts';

export const BACKEND_NAMES: readonly BackendName[] = ['echo', 'app'];

interface BackendSlot {
  running: RunningBackend | null;
  /** The port it had last; kept while stopped so a restart lands on the same one. */
  port: number | null;
  stopObserving: (() => void) | null;
  /** Serialises start/stop of this backend. */
  queue: Promise<unknown>;
}

export interface BackendEvents {
  onObservation(observation: BackendObservation): void;
  onStates(states: BackendStates): void;
}

export class Backends {
  private readonly slots: Record<BackendName, BackendSlot> = {
    echo: { running: null, port: null, stopObserving: null, queue: Promise.resolve() },
    app: { running: null, port: null, stopObserving: null, queue: Promise.resolve() },
  };
  private readonly observers = new Set<(observation: BackendObservation) => void>();
  private readonly events: BackendEvents;

  constructor(events: BackendEvents) {
    this.events = events;
  }

  /** Real ports for the resolver; a stopped backend keeps its port (connects are refused there). */
  ports(): BackendPorts {
    return { echo: this.slots.echo.port, app: this.slots.app.port };
  }

  states(): BackendStates {
    return { echo: this.slots.echo.running ? 'running' : 'stopped', app: this.slots.app.running ? 'running' : 'stopped' };
  }

  /** Extra listener for observations (the check runner's probe observer). */
  observe(listener: (observation: BackendObservation) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  async startAll(announce = true): Promise<void> {
    await Promise.all(BACKEND_NAMES.map((name) => this.start(name, false)));
    if (announce) this.events.onStates(this.states());
  }

  /** Start a backend (no-op when running). Announces the new states unless `announce` is false. */
  start(name: BackendName, announce = true): Promise<void> {
    return this.serialise(name, async () => {
      const slot = this.slots[name];
      if (slot.running) return;
      let running: RunningBackend;
      try {
        running = await launch(name, slot.port ?? 0);
      } catch (error) {
        // The old port was taken meanwhile (unlikely on loopback): take a new one.
        if (slot.port === null) throw error;
        running = await launch(name, 0);
      }
      slot.running = running;
      slot.port = running.port;
      slot.stopObserving = running.observations.onObservation((observation) => {
        // The recorder also keeps every request in a list nobody here reads; a long session
        // must not grow it without end.
        running.observations.clear();
        this.events.onObservation(observation);
        for (const observer of this.observers) observer(observation);
      });
      if (announce) this.events.onStates(this.states());
    });
  }

  stop(name: BackendName, announce = true): Promise<void> {
    return this.serialise(name, async () => {
      const slot = this.slots[name];
      if (!slot.running) return;
      const running = slot.running;
      slot.running = null;
      slot.stopObserving?.();
      slot.stopObserving = null;
      await running.close();
      if (announce) this.events.onStates(this.states());
    });
  }

  /** Make exactly `stopped` stopped and the others running (the probe runner's contract). */
  async setStopped(stopped: readonly BackendName[]): Promise<void> {
    const before = JSON.stringify(this.states());
    await Promise.all(BACKEND_NAMES.map((name) => (stopped.includes(name) ? this.stop(name, false) : this.start(name, false))));
    if (JSON.stringify(this.states()) !== before) this.events.onStates(this.states());
  }

  async closeAll(): Promise<void> {
    await Promise.all(BACKEND_NAMES.map((name) => this.stop(name, false)));
  }

  private serialise(name: BackendName, action: () => Promise<void>): Promise<void> {
    const slot = this.slots[name];
    const next = slot.queue.then(action, action);
    slot.queue = next.catch(() => undefined);
    return next;
  }
}

function launch(name: BackendName, port: number): Promise<RunningBackend> {
  return name === 'echo' ? startEchoServer({ host: '127.0.0.1', port }) : startAppServer({ host: '127.0.0.1', port });
}
