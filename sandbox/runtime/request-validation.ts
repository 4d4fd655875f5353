/**
 * Checking what arrives from the page before anything acts on it. The page is trusted code, but
 * a bug there (or a hand-typed line in a terminal) must get a clear `ok: false` reply, never a
 * crash or a half-done action. Pure functions, no I/O.
 */
import type { ClientOpenOptions, SandboxRequest } from './protocol.ts';

/** Limits the sandbox enforces; the page may show them. */
export const LIMITS = {
  /** One protocol line (a config text, a message to send). */
  lineBytes: 1024 * 1024,
  /** Test clients open or connecting at once. */
  clients: 64,
  /** Checks in one run-checks request. */
  checks: 50,
  /** Length of a client id. */
  clientIdLength: 64,
  /** Headers on one test client or request. */
  headers: 64,
  /** ws-many probes and client-open-many. */
  manyCount: 64,
  /** holdMs of one probe. */
  holdMs: 60_000,
  /** Plain HTTP requests waiting for their answers at once. */
  httpRequests: 16,
  /**
   * One WebSocket message a test client sends or accepts (512 KiB): what arrives is relayed to the
   * page inside a protocol line (binary as hex, twice the size), which must stay small.
   */
  clientMessageBytes: 512 * 1024,
} as const;

export type Validated = { ok: true; request: SandboxRequest } | { ok: false; id: number | null; error: string };

const REQUEST_TYPES = new Set(['apply-config', 'backend', 'client-open', 'client-send', 'client-close', 'client-open-many', 'http-request', 'run-checks', 'ping']);

/** Validate one decoded JSON value as a SandboxRequest. */
export function validateRequest(value: unknown): Validated {
  if (!isObject(value)) return { ok: false, id: null, error: 'a request must be a JSON object' };
  const id = typeof value.id === 'number' && Number.isSafeInteger(value.id) ? value.id : null;
  const fail = (error: string): Validated => ({ ok: false, id, error });
  if (id === null) return fail('a request needs a numeric "id" (an integer)');
  if (typeof value.type !== 'string' || !REQUEST_TYPES.has(value.type)) {
    return fail(`unknown request type ${JSON.stringify(value.type)}; expected one of ${[...REQUEST_TYPES].join(', ')}`);
  }
  const problem = problemWith(value);
  return problem === null ? { ok: true, request: value as unknown as SandboxRequest } : fail(`${value.type}: ${problem}`);
}

function problemWith(value: Record<string, unknown>): string | null {
  switch (value.type) {
    case 'ping':
      return null;
    case 'apply-config':
      return typeof value.text === 'string' ? null : '"text" must be a string';
    case 'backend':
      if (value.backend !== 'echo' && value.backend !== 'app') return '"backend" must be "echo" or "app"';
      return value.action === 'start' || value.action === 'stop' ? null : '"action" must be "start" or "stop"';
    case 'client-open':
      return clientIdProblem(value.client) ?? clientOptionsProblem(value.options);
    case 'client-open-many': {
      const prefix = clientIdProblem(value.prefix);
      if (prefix) return prefix.replace('"client"', '"prefix"');
      if (typeof value.count !== 'number' || !Number.isInteger(value.count) || value.count < 1 || value.count > LIMITS.manyCount) {
        return `"count" must be an integer from 1 to ${LIMITS.manyCount}`;
      }
      return clientOptionsProblem(value.options);
    }
    case 'client-send': {
      const idProblem = clientIdProblem(value.client);
      if (idProblem) return idProblem;
      const hasText = value.text !== undefined;
      const hasBinary = value.binaryHex !== undefined;
      if (hasText === hasBinary) return 'give exactly one of "text" and "binaryHex"';
      if (hasText) {
        if (typeof value.text !== 'string') return '"text" must be a string';
        const bytes = new TextEncoder().encode(value.text).length;
        return bytes > LIMITS.clientMessageBytes ? messageTooBig(bytes) : null;
      }
      if (typeof value.binaryHex !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(value.binaryHex)) return '"binaryHex" must be hex digits, two per byte';
      return value.binaryHex.length / 2 > LIMITS.clientMessageBytes ? messageTooBig(value.binaryHex.length / 2) : null;
    }
    case 'client-close': {
      const idProblem = clientIdProblem(value.client);
      if (idProblem) return idProblem;
      if (value.code !== undefined && (typeof value.code !== 'number' || !Number.isInteger(value.code))) return '"code" must be an integer';
      if (value.reason !== undefined && typeof value.reason !== 'string') return '"reason" must be a string';
      return null;
    }
    case 'http-request': {
      if (typeof value.method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/.test(value.method)) return '"method" must be an HTTP method token, e.g. "GET"';
      if (typeof value.path !== 'string' || value.path === '') return '"path" must be a non-empty string';
      if (value.body !== undefined && typeof value.body !== 'string') return '"body" must be a string';
      if (value.tls !== undefined && typeof value.tls !== 'boolean') return '"tls" must be true or false';
      return headersProblem(value.headers);
    }
    case 'run-checks':
      if (!Array.isArray(value.checks)) return '"checks" must be an array';
      if (value.checks.length > LIMITS.checks) return `at most ${LIMITS.checks} checks per request`;
      for (const [index, check] of value.checks.entries()) {
        const problem = checkProblem(check);
        if (problem) return `checks[${index}]: ${problem}`;
      }
      return null;
    default:
      return 'unknown request type';
  }
}

function messageTooBig(bytes: number): string {
  return `the message is ${bytes} bytes; a test client sends at most ${LIMITS.clientMessageBytes} bytes (512 KiB) per WebSocket message`;
}

function clientIdProblem(client: unknown): string | null {
  if (typeof client !== 'string' || client === '') return '"client" must be a non-empty string';
  if (client.length > LIMITS.clientIdLength) return `"client" must be at most ${LIMITS.clientIdLength} characters`;
  return null;
}

function clientOptionsProblem(options: unknown): string | null {
  if (!isObject(options)) return '"options" must be an object with at least "path"';
  const typed = options as Partial<Record<keyof ClientOpenOptions, unknown>>;
  if (typeof typed.path !== 'string' || typed.path === '') return '"options.path" must be a non-empty string';
  if (typed.host !== undefined && typeof typed.host !== 'string') return '"options.host" must be a string';
  if (typed.origin !== undefined && typeof typed.origin !== 'string') return '"options.origin" must be a string';
  if (typed.tls !== undefined && typeof typed.tls !== 'boolean') return '"options.tls" must be true or false';
  if (typed.protocols !== undefined && (!Array.isArray(typed.protocols) || typed.protocols.some((protocol) => typeof protocol !== 'string'))) {
    return '"options.protocols" must be an array of strings';
  }
  return headersProblem(typed.headers);
}

function headersProblem(headers: unknown): string | null {
  if (headers === undefined) return null;
  if (!isObject(headers)) return '"headers" must be an object of name: value strings';
  const entries = Object.entries(headers);
  if (entries.length > LIMITS.headers) return `at most ${LIMITS.headers} headers`;
  for (const [name, value] of entries) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP token`;
    if (typeof value !== 'string') return `header ${name} must have a string value`;
    if (/[\r\n\0]/.test(value)) return `header ${name} must not contain CR, LF or NUL`;
  }
  return null;
}

const PROBE_KINDS = new Set(['http', 'ws', 'ws-many', 'raw']);

function checkProblem(check: unknown): string | null {
  if (!isObject(check)) return 'a check must be an object';
  if (typeof check.id !== 'string' || check.id === '') return '"id" must be a non-empty string';
  if (!isObject(check.expect)) return '"expect" must be an object';
  if (check.setup !== undefined) {
    if (!isObject(check.setup)) return '"setup" must be an object';
    const stopped = check.setup.stopped;
    if (stopped !== undefined && (!Array.isArray(stopped) || stopped.some((name) => name !== 'echo' && name !== 'app'))) {
      return '"setup.stopped" must list "echo" and/or "app"';
    }
  }
  const probe = check.probe;
  if (!isObject(probe) || typeof probe.kind !== 'string' || !PROBE_KINDS.has(probe.kind)) return '"probe.kind" must be http, ws, ws-many or raw';
  if (probe.kind === 'raw') return typeof probe.data === 'string' ? null : '"probe.data" must be a string';
  if (typeof probe.path !== 'string' || !probe.path.startsWith('/')) return '"probe.path" must start with "/"';
  if (probe.host !== undefined && typeof probe.host !== 'string') return '"probe.host" must be a string';
  if (probe.holdMs !== undefined && (typeof probe.holdMs !== 'number' || !(probe.holdMs >= 0) || probe.holdMs > LIMITS.holdMs)) {
    return `"probe.holdMs" must be from 0 to ${LIMITS.holdMs}`;
  }
  if (probe.kind === 'ws-many') {
    if (typeof probe.count !== 'number' || !Number.isInteger(probe.count) || probe.count < 1 || probe.count > LIMITS.manyCount) {
      return `"probe.count" must be an integer from 1 to ${LIMITS.manyCount}`;
    }
    if (typeof probe.holdMs !== 'number') return '"probe.holdMs" is required for ws-many';
  }
  if (probe.kind === 'ws' && probe.send !== undefined) {
    if (!Array.isArray(probe.send)) return '"probe.send" must be an array';
    for (const message of probe.send) {
      if (!isObject(message) || (typeof message.text !== 'string' && typeof message.binaryHex !== 'string')) return '"probe.send" entries need "text" or "binaryHex"';
    }
  }
  const headersIssue = headersProblem(probe.headers);
  return headersIssue;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
