/**
 * The Check button: run the exercise's checks through sandbox/server/probe-runner.ts against the
 * running config, exactly as CI runs them against real httpd. Probes are written with the
 * article's addresses; here they go to the real ports of the listeners, with the Host a browser
 * would send to the virtual port ("localhost" for 80 and 443).
 */
import { evaluateExpectation } from '../engine/probe.ts';
import type { BackendName, BackendObservation, Check, Probe, ProbeOutcome } from '../engine/probe.ts';
import { runCheck } from '../server/probe-runner.ts';
import type { ProbeObservation, ProbeTarget } from '../server/probe-runner.ts';
import type { CheckResult } from './protocol.ts';

export interface CheckEnvironment {
  /** Real port for a virtual port, if the running config listens there. */
  realPort(virtualPort: number): number | undefined;
  defaultPort(tls: boolean): number;
  tlsCa(): string | undefined;
  running(): boolean;
  setStopped(stopped: readonly BackendName[]): Promise<void>;
  stoppedNow(): BackendName[];
  /** Subscribe to backend observations and error-log AH codes while a probe runs. */
  watch(onObservation: (observation: BackendObservation) => void, onErrorCode: (code: string) => void): () => void;
}

/** Run the checks one after another; backends come back to how they were before. */
export async function runChecks(checks: readonly Check[], environment: CheckEnvironment): Promise<CheckResult[]> {
  if (!environment.running()) {
    // Nothing listens: every probe's connection would be refused.
    const refused: ProbeOutcome = { status: null, headers: {}, received: [], backendSaw: [], errorLogCodes: [] };
    return checks.map((check) => {
      const failures = evaluateExpectation(check.expect, refused);
      return { id: check.id, passed: failures.length === 0, failures, outcome: refused };
    });
  }
  const httpPort = environment.defaultPort(false);
  const tlsPort = environment.defaultPort(true);
  let collected: ProbeObservation = { backendSaw: [], errorLogCodes: [] };
  const watching: { stop: (() => void) | null } = { stop: null };
  const target: ProbeTarget = {
    proxyHost: '127.0.0.1',
    // Port 0 refuses at once: a config without such a listener fails the probe as httpd would.
    proxyPort: environment.realPort(httpPort) ?? 0,
    proxyTlsPort: environment.realPort(tlsPort) ?? 0,
    tlsCa: environment.tlsCa(),
    tlsServerName: 'localhost',
    observer: {
      begin() {
        collected = { backendSaw: [], errorLogCodes: [] };
        watching.stop?.();
        watching.stop = environment.watch(
          (observation) => collected.backendSaw.push(observation),
          (code) => collected.errorLogCodes.push(code),
        );
      },
      end() {
        watching.stop?.();
        watching.stop = null;
        return collected;
      },
    },
  };
  const stoppedBefore = environment.stoppedNow();
  const results: CheckResult[] = [];
  try {
    for (const check of checks) {
      const probe = withVirtualHost(check.probe, httpPort, tlsPort);
      results.push(await runCheck({ ...check, probe }, { target, setStoppedBackends: (stopped) => environment.setStopped(stopped) }));
    }
  } finally {
    watching.stop?.();
    await environment.setStopped(stoppedBefore);
  }
  return results;
}

/** A probe without a Host gets the one a browser would send to the virtual port. */
function withVirtualHost(probe: Probe, httpPort: number, tlsPort: number): Probe {
  if (probe.kind === 'raw' || probe.host !== undefined) return probe;
  const tls = probe.kind !== 'ws-many' && probe.tls === true;
  const port = tls ? tlsPort : httpPort;
  const host = port === (tls ? 443 : 80) ? 'localhost' : `localhost:${port}`;
  return { ...probe, host };
}
