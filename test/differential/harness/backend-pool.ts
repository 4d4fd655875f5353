/**
 * The backends one side of a scenario talks to: two ws echo servers (the second one for
 * balancers), a wss echo server and the plain HTTP app, all fresh per side, on ports the config
 * reaches through environment variables.
 */
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/server-lifecycle.ts';
import type { BackendName, BackendObservation } from '../../../sandbox/engine/probe.ts';
import type { TestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import { allocateListenPort } from './proxy-process.ts';

/** One backend slot and the environment variable that carries its port. */
type SlotName = 'echo' | 'echo2' | 'echoTls' | 'app';

const SLOT_PORT_VARIABLES: Record<SlotName, string> = {
  echo: 'ECHO_PORT',
  echo2: 'ECHO2_PORT',
  echoTls: 'ECHO_TLS_PORT',
  app: 'APP_PORT',
};

/** A probe's setup names a role; stopping "echo" stops the first ws echo server only. */
const SLOT_FOR_ROLE: Record<BackendName, SlotName> = { echo: 'echo', app: 'app' };

interface Slot {
  port: number;
  running: RunningBackend | undefined;
  start(port: number): Promise<RunningBackend>;
}

/** Running backends plus a chronological record of every request any of them received. */
export class BackendPool {
  private readonly slots = new Map<SlotName, Slot>();
  private readonly seen: BackendObservation[] = [];

  private constructor() {}

  /** Start every backend on a loopback port reserved for this run (see allocateListenPort). */
  static async start(certificates: TestCertificates): Promise<BackendPool> {
    const pool = new BackendPool();
    const starters: Record<SlotName, (port: number) => Promise<RunningBackend>> = {
      echo: (port) => startEchoServer({ host: '127.0.0.1', port }),
      echo2: (port) => startEchoServer({ host: '127.0.0.1', port }),
      echoTls: (port) => startEchoServer({ host: '127.0.0.1', port, tls: { cert: certificates.cert, key: certificates.key } }),
      app: (port) => startAppServer({ host: '127.0.0.1', port }),
    };
    await Promise.all(
      (Object.keys(starters) as SlotName[]).map(async (name) => {
        const slot: Slot = { port: await allocateListenPort(), running: undefined, start: starters[name] };
        pool.slots.set(name, slot);
        await pool.startSlot(slot);
      }),
    );
    return pool;
  }

  /** ECHO_PORT, ECHO2_PORT, ECHO_TLS_PORT, APP_PORT. */
  portVariables(): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const [name, slot] of this.slots) variables[SLOT_PORT_VARIABLES[name]] = String(slot.port);
    return variables;
  }

  /** Stop exactly the named roles and make sure every other backend runs (on its old port). */
  async setStopped(stopped: BackendName[]): Promise<void> {
    const stoppedSlots = new Set(stopped.map((role) => SLOT_FOR_ROLE[role]));
    await Promise.all(
      [...this.slots].map(async ([name, slot]) => {
        if (stoppedSlots.has(name) && slot.running) {
          const running = slot.running;
          slot.running = undefined;
          await running.close();
        } else if (!stoppedSlots.has(name) && !slot.running) {
          await this.startSlot(slot);
        }
      }),
    );
  }

  /** Everything recorded since the last call, in arrival order. */
  takeObservations(): BackendObservation[] {
    return this.seen.splice(0, this.seen.length);
  }

  async close(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.running?.close()));
    for (const slot of this.slots.values()) slot.running = undefined;
  }

  private async startSlot(slot: Slot): Promise<void> {
    const running = await slot.start(slot.port);
    slot.port = running.port;
    slot.running = running;
    running.observations.on('observation', (observation: BackendObservation) => this.seen.push(observation));
  }
}
