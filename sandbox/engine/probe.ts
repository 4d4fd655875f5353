/**
 * Probes and expectations: the shared vocabulary for "send this through the proxy and check what
 * happened". Differential scenarios (test/differential), exercise checks (lessons/<slug>/exercise)
 * and the sandbox's Check button all speak it, so a check a learner sees is the same check CI runs
 * against real httpd.
 *
 * Pure data: no I/O here. Runners live in sandbox/server (Node) and in the test harness.
 */

/** Which backend a probe may stop or inspect. The article's ports: echo 8080, app 3000. */
export type BackendName = 'echo' | 'app';

/** One WebSocket message to send after the upgrade. */
export type OutgoingMessage = { text: string } | { binaryHex: string };

/** A request made through the proxy. */
export type Probe =
  | {
      kind: 'http';
      method?: string; // default GET
      path: string;
      /** Host header; default "localhost:<proxy port>". */
      host?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Connect with TLS to the proxy (an SSLEngine on vhost). */
      tls?: boolean;
      /** With tls: the SNI name to send (default the runner's, "localhost"); "" sends no SNI. */
      servername?: string;
    }
  | {
      kind: 'ws';
      path: string;
      host?: string;
      headers?: Record<string, string>;
      protocols?: string[];
      origin?: string;
      send?: OutgoingMessage[];
      /** How long to keep the tunnel open after the last message, in ms (idle-timeout checks). */
      holdMs?: number;
      /** Close with this code after the messages (and holdMs); default 1000. */
      closeCode?: number;
      tls?: boolean;
      /** With tls: the SNI name to send (default the runner's, "localhost"); "" sends no SNI. */
      servername?: string;
    }
  | {
      /** Open `count` WebSockets at once and hold them for holdMs (worker-cap checks). */
      kind: 'ws-many';
      path: string;
      count: number;
      holdMs: number;
      host?: string;
    }
  | {
      /** Raw bytes on a fresh TCP connection, for malformed-request checks. `\r\n` written literally. */
      kind: 'raw';
      data: string;
    };

/** What a backend saw for one proxied request. */
export interface BackendObservation {
  backend: BackendName;
  method: string;
  path: string;
  headers: Record<string, string>; // lower-cased names, comma-joined repeats
}

/** What happened to one probe, as recorded by a runner. */
export interface ProbeOutcome {
  /** HTTP status the client received (101 for an upgrade); null when the connection died first. */
  status: number | null;
  /** Response headers with lower-cased names. */
  headers: Record<string, string>;
  /** WebSocket messages the client received, in order (binary as "hex:<hex>"). */
  received: string[];
  /** Close code the client saw; 1006 when the tunnel was cut without a close frame. */
  closeCode?: number;
  /** Milliseconds from open to close, for idle-timeout checks. */
  openMs?: number;
  /** For ws-many: how many of the connections reached 101 within holdMs. */
  opened?: number;
  /** Requests the backends saw while this probe ran. */
  backendSaw: BackendObservation[];
  /** AH codes (e.g. "AH00957") that appeared in the error log while this probe ran. */
  errorLogCodes: string[];
  /** Body of an HTTP response, truncated to 4 KiB. */
  body?: string;
}

/** A check's pass condition. Every field given must hold; omitted fields are not checked. */
export interface Expectation {
  status?: number;
  /** Exact sequence of received messages. */
  received?: string[];
  /** The backend that must have seen the request, and what it must have seen. */
  backend?: Partial<Pick<BackendObservation, 'backend' | 'path'>> & { headers?: Record<string, string> };
  /** No backend may have seen the request. */
  noBackend?: boolean;
  /** AH codes that must appear in the error log. */
  errorLog?: string[];
  /** Response headers that must be present with these exact values (lower-cased names). */
  headers?: Record<string, string>;
  closeCode?: number;
  /** For idle-timeout checks: the tunnel must close within [min, max] ms. */
  openMs?: { min: number; max: number };
  /** For ws-many. */
  opened?: number;
}

/** Backends the runner must stop before the probe (to produce a 503, say). */
export interface ProbeSetup {
  stopped?: BackendName[];
}

/** One named check: setup, probe, expectation. */
export interface Check {
  id: string;
  setup?: ProbeSetup;
  probe: Probe;
  expect: Expectation;
}

/** One failed condition of an expectation, with what was wanted and what was seen. */
export interface CheckFailure {
  field: keyof Expectation;
  wanted: unknown;
  got: unknown;
}

/** Compare an outcome against an expectation; an empty list means the check passed. */
export function evaluateExpectation(expect: Expectation, outcome: ProbeOutcome): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (field: keyof Expectation, wanted: unknown, got: unknown) => failures.push({ field, wanted, got });

  if (expect.status !== undefined && outcome.status !== expect.status) fail('status', expect.status, outcome.status);
  if (expect.received !== undefined && !sameStrings(expect.received, outcome.received)) {
    fail('received', expect.received, outcome.received);
  }
  if (expect.backend !== undefined) {
    const wanted = expect.backend;
    const match = outcome.backendSaw.find(
      (seen) =>
        (wanted.backend === undefined || seen.backend === wanted.backend) &&
        (wanted.path === undefined || seen.path === wanted.path) &&
        Object.entries(wanted.headers ?? {}).every(([name, value]) => seen.headers[name.toLowerCase()] === value),
    );
    if (!match) fail('backend', wanted, outcome.backendSaw);
  }
  if (expect.noBackend && outcome.backendSaw.length > 0) fail('noBackend', [], outcome.backendSaw);
  if (expect.errorLog !== undefined) {
    const missing = expect.errorLog.filter((code) => !outcome.errorLogCodes.includes(code));
    if (missing.length > 0) fail('errorLog', expect.errorLog, outcome.errorLogCodes);
  }
  if (expect.headers !== undefined) {
    const wrong = Object.entries(expect.headers).filter(([name, value]) => outcome.headers[name.toLowerCase()] !== value);
    if (wrong.length > 0) fail('headers', expect.headers, outcome.headers);
  }
  if (expect.closeCode !== undefined && outcome.closeCode !== expect.closeCode) {
    fail('closeCode', expect.closeCode, outcome.closeCode);
  }
  if (expect.openMs !== undefined) {
    const openMs = outcome.openMs;
    if (openMs === undefined || openMs < expect.openMs.min || openMs > expect.openMs.max) fail('openMs', expect.openMs, openMs);
  }
  if (expect.opened !== undefined && outcome.opened !== expect.opened) fail('opened', expect.opened, outcome.opened);
  return failures;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
