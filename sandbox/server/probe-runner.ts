/**
 * Runs probes (sandbox/engine/probe.ts) against a proxy over real sockets: the sandbox's Check
 * button, lesson exercise checks and the differential suite against real httpd all go through here,
 * so a learner's check and CI's check are the same code.
 *
 * Every wait is bounded: a probe always resolves with an outcome, never hangs and never rejects
 * because of what the proxy did (a refused or reset connection is an outcome, status null).
 */
import { readBodyPrefix } from './response-body.ts';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { evaluateExpectation } from '../engine/probe.ts';
import type { BackendName, BackendObservation, Check, CheckFailure, Probe, ProbeOutcome, ProbeSetup } from '../engine/probe.ts';
import { lowerCasedHeaders } from './backends/observation-recorder.ts';

/** How long each phase of a probe may take, in ms. */
export interface ProbeTimeouts {
  /** Connect and receive the response head (or the 101). */
  responseMs: number;
  /** After the last WebSocket message is sent: longest wait for the replies. */
  replyMaxMs: number;
  /** Once every sent message has a reply: how long to keep listening for extra messages. */
  replyQuietMs: number;
  /** Closing handshake after close(); then the socket is cut. */
  closeMs: number;
  /** A raw request whose response has no length: wait this long for the server to close. */
  rawMs: number;
  /** After the probe: time for the error log and the backends' records to catch up. */
  settleMs: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = {
  responseMs: 5_000,
  replyMaxMs: 2_000,
  replyQuietMs: 100,
  closeMs: 2_000,
  rawMs: 3_000,
  settleMs: 100,
};

/** What the backends saw and what the error log said while one probe ran. */
export interface ProbeObservation {
  backendSaw: BackendObservation[];
  errorLogCodes: string[];
}

/**
 * Collects what happens outside the client's view while a probe runs. The runner calls begin()
 * right before connecting and end() once the probe has finished and settled.
 */
export interface ProbeObserver {
  begin(): void | Promise<void>;
  end(): ProbeObservation | Promise<ProbeObservation>;
}

/** Where the proxy listens and how to reach it. */
export interface ProbeTarget {
  /** Address to connect to, e.g. 127.0.0.1. */
  proxyHost: string;
  proxyPort: number;
  /** Port of the TLS listener, for probes with `tls: true`; defaults to proxyPort. */
  proxyTlsPort?: number;
  /** PEM of the CA that signed the proxy's certificate. */
  tlsCa?: string | Buffer;
  /** SNI name for TLS probes; default "localhost", which the test certificates are issued for. */
  tlsServerName?: string;
  timeouts?: Partial<ProbeTimeouts>;
  observer?: ProbeObserver;
}

/** Everything a check needs besides the check itself. */
export interface CheckEnvironment {
  target: ProbeTarget;
  /**
   * Make exactly these backends stopped and every other one running. Called before each check,
   * with an empty list when the check has no setup, so a backend stopped by an earlier check
   * comes back.
   */
  setStoppedBackends?(stopped: BackendName[]): Promise<void>;
}

/** The verdict on one check, with the outcome it was judged on. */
export interface CheckResult {
  id: string;
  passed: boolean;
  failures: CheckFailure[];
  outcome: ProbeOutcome;
}

const BODY_LIMIT = 4 * 1024;

/** Send one probe through the proxy and record what happened. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeouts: ProbeTimeouts = { ...DEFAULT_PROBE_TIMEOUTS, ...target.timeouts };
  await target.observer?.begin();
  // A probe the client library refuses to send (Node rejects some header combinations) is an
  // outcome with no response, not an exception for the caller.
  const clientView = await runClientSide(probe, target, timeouts).catch((): ClientView => ({ status: null, headers: {}, received: [] }));
  await delay(timeouts.settleMs);
  const observation: ProbeObservation = target.observer ? await target.observer.end() : { backendSaw: [], errorLogCodes: [] };
  return { ...clientView, backendSaw: observation.backendSaw, errorLogCodes: observation.errorLogCodes };
}

/** Apply a check's setup, run its probe and evaluate its expectation. */
export async function runCheck(check: Check, environment: CheckEnvironment): Promise<CheckResult> {
  await environment.setStoppedBackends?.(stoppedBackends(check.setup));
  const outcome = await runProbe(check.probe, environment.target);
  const failures = evaluateExpectation(check.expect, outcome);
  return { id: check.id, passed: failures.length === 0, failures, outcome };
}

function stoppedBackends(setup: ProbeSetup | undefined): BackendName[] {
  return [...(setup?.stopped ?? [])];
}

type ClientView = Omit<ProbeOutcome, 'backendSaw' | 'errorLogCodes'>;

async function runClientSide(probe: Probe, target: ProbeTarget, timeouts: ProbeTimeouts): Promise<ClientView> {
  switch (probe.kind) {
    case 'ws':
      return runWebSocketProbe(probe, target, timeouts);
    case 'ws-many':
      return runManyWebSocketsProbe(probe, target, timeouts);
    case 'http':
      return runHttpProbe(probe, target, timeouts);
    case 'raw':
      return runRawProbe(probe, target, timeouts);
  }
}

type WebSocketProbe = Extract<Probe, { kind: 'ws' }>;
type ManyWebSocketsProbe = Extract<Probe, { kind: 'ws-many' }>;
type HttpProbe = Extract<Probe, { kind: 'http' }>;
type RawProbe = Extract<Probe, { kind: 'raw' }>;

function listenerPort(target: ProbeTarget, tls: boolean | undefined): number {
  return tls ? (target.proxyTlsPort ?? target.proxyPort) : target.proxyPort;
}

function defaultHost(target: ProbeTarget, tls: boolean | undefined): string {
  return `localhost:${listenerPort(target, tls)}`;
}

function socketUrl(target: ProbeTarget, path: string, tls: boolean | undefined): string {
  const host = target.proxyHost.includes(':') ? `[${target.proxyHost}]` : target.proxyHost;
  return `${tls ? 'wss' : 'ws'}://${host}:${listenerPort(target, tls)}${path}`;
}

/**
 * A probe's own SNI name ("" for none) is about which virtual host answers, not about who the
 * proxy is, so the certificate is then checked against the CA only, not against that name.
 */
function tlsOptions(target: ProbeTarget, servername: string | undefined): { ca?: string | Buffer; servername: string; checkServerIdentity?: () => undefined } {
  if (servername === undefined) return { ca: target.tlsCa, servername: target.tlsServerName ?? 'localhost' };
  return { ca: target.tlsCa, servername, checkServerIdentity: () => undefined };
}

/**
 * Open one WebSocket, send the messages, collect replies, hold, close. Headers in the probe are
 * set last, over the ones ws writes, so a probe can send Firefox's `Connection: keep-alive, Upgrade`
 * or its own Host.
 */
function runWebSocketProbe(probe: WebSocketProbe, target: ProbeTarget, timeouts: ProbeTimeouts): Promise<ClientView> {
  return new Promise((resolve) => {
    const view: ClientView = { status: null, headers: {}, received: [] };
    const outgoing = probe.send ?? [];
    let openedAt: number | undefined;
    let finished = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, action: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        action();
      }, ms);
      timers.add(timer);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(view);
    };

    let replyWaitDone: (() => void) | undefined;
    const socket = new WebSocket(socketUrl(target, probe.path, probe.tls), probe.protocols ?? [], {
      handshakeTimeout: timeouts.responseMs,
      perMessageDeflate: false,
      origin: probe.origin,
      // ws types checkServerIdentity its own way; the option reaches tls.connect unchanged.
      ...((probe.tls ? tlsOptions(target, probe.servername) : {}) as object),
      finishRequest: (request) => {
        request.setHeader('Host', probe.host ?? defaultHost(target, probe.tls));
        for (const [name, value] of Object.entries(probe.headers ?? {})) request.setHeader(name, value);
        request.end();
      },
    });

    socket.on('upgrade', (response: IncomingMessage) => {
      view.status = response.statusCode ?? null;
      view.headers = lowerCasedHeaders(response.rawHeaders);
    });
    socket.on('unexpected-response', (request: http.ClientRequest, response: IncomingMessage) => {
      view.status = response.statusCode ?? null;
      view.headers = lowerCasedHeaders(response.rawHeaders);
      readBodyPrefix(response, BODY_LIMIT, timeouts.responseMs).then((body) => {
        view.body = body;
        request.destroy();
        finish();
      });
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      view.received.push(isBinary ? `hex:${rawDataToBuffer(data).toString('hex')}` : rawDataToBuffer(data).toString('utf8'));
      replyWaitDone?.();
    });
    socket.on('open', () => {
      openedAt = Date.now();
      void converse();
    });
    socket.on('close', (code: number) => {
      if (openedAt !== undefined) {
        view.closeCode = code;
        view.openMs = Date.now() - openedAt;
      }
      finish();
    });
    // Handshake failures (refused, reset, bad Accept, timeout) end in 'close' after this; the
    // status recorded so far is the outcome.
    socket.on('error', () => undefined);

    async function converse(): Promise<void> {
      for (const message of outgoing) {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send('text' in message ? message.text : Buffer.from(message.binaryHex, 'hex'), { binary: !('text' in message) });
      }
      if (outgoing.length > 0) await waitForReplies(outgoing.length);
      if (probe.holdMs) await waitUnlessClosed(probe.holdMs);
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.close(probe.closeCode ?? 1000);
      // A proxy that never answers the close frame gets cut, which ws reports as 1006.
      later(timeouts.closeMs, () => socket.terminate());
    }

    // Replies arrive one per message from the echo backend; a short quiet spell after the last
    // expected one catches anything extra a backend sends.
    function waitForReplies(expected: number): Promise<void> {
      return new Promise((done) => {
        let quietTimer: NodeJS.Timeout | undefined;
        const settle = () => {
          clearTimeout(quietTimer);
          replyWaitDone = undefined;
          done();
        };
        const onMessage = () => {
          if (view.received.length < expected) return;
          clearTimeout(quietTimer);
          quietTimer = setTimeout(settle, timeouts.replyQuietMs);
        };
        replyWaitDone = onMessage;
        later(timeouts.replyMaxMs, settle);
        socket.once('close', settle);
        onMessage();
      });
    }

    function waitUnlessClosed(ms: number): Promise<void> {
      return new Promise((done) => {
        later(ms, done);
        socket.once('close', () => done());
      });
    }

    // Last line of defence: whatever happened, the probe ends.
    const budget = timeouts.responseMs + timeouts.replyMaxMs + timeouts.replyQuietMs + (probe.holdMs ?? 0) + timeouts.closeMs + 1_000;
    later(budget, () => {
      socket.terminate();
      finish();
    });
  });
}

/** Open `count` WebSockets at once and count how many reach 101 within holdMs. */
function runManyWebSocketsProbe(probe: ManyWebSocketsProbe, target: ProbeTarget, timeouts: ProbeTimeouts): Promise<ClientView> {
  return new Promise((resolve) => {
    const statuses: (number | null)[] = new Array(probe.count).fill(null);
    const sockets: WebSocket[] = [];
    let opened = 0;
    for (let index = 0; index < probe.count; index++) {
      const socket = new WebSocket(socketUrl(target, probe.path, false), {
        handshakeTimeout: probe.holdMs + timeouts.responseMs,
        perMessageDeflate: false,
        finishRequest: (request) => {
          request.setHeader('Host', probe.host ?? defaultHost(target, false));
          request.end();
        },
      });
      socket.on('upgrade', (response: IncomingMessage) => (statuses[index] = response.statusCode ?? null));
      socket.on('unexpected-response', (request: http.ClientRequest, response: IncomingMessage) => {
        statuses[index] = response.statusCode ?? null;
        request.destroy();
      });
      socket.on('open', () => opened++);
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    setTimeout(() => {
      const countAtDeadline = opened;
      for (const socket of sockets) socket.terminate();
      // status summarises the batch: 101 if any connection upgraded, else the first answer seen.
      const status = countAtDeadline > 0 ? 101 : (statuses.find((value) => value !== null) ?? null);
      resolve({ status, headers: {}, received: [], opened: countAtDeadline });
    }, probe.holdMs);
  });
}

/** One plain HTTP request on a fresh connection; a 101 answer is recorded, then the socket is cut. */
function runHttpProbe(probe: HttpProbe, target: ProbeTarget, timeouts: ProbeTimeouts): Promise<ClientView> {
  return new Promise((resolve) => {
    const view: ClientView = { status: null, headers: {}, received: [] };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(budget);
      request.destroy();
      resolve(view);
    };
    const headers: Record<string, string> = { Host: probe.host ?? defaultHost(target, probe.tls), ...probe.headers };
    const options: https.RequestOptions = {
      host: target.proxyHost,
      port: listenerPort(target, probe.tls),
      method: probe.method ?? 'GET',
      path: probe.path,
      headers,
      agent: false,
      ...(probe.tls ? tlsOptions(target, probe.servername) : {}),
    };
    const request = (probe.tls ? https : http).request(options, (response) => {
      view.status = response.statusCode ?? null;
      view.headers = lowerCasedHeaders(response.rawHeaders);
      readBodyPrefix(response, BODY_LIMIT, timeouts.responseMs).then((body) => {
        view.body = body;
        finish();
      });
    });
    request.on('upgrade', (response: IncomingMessage, socket: net.Socket) => {
      view.status = response.statusCode ?? null;
      view.headers = lowerCasedHeaders(response.rawHeaders);
      socket.destroy();
      finish();
    });
    request.on('error', () => finish());
    const budget = setTimeout(finish, timeouts.responseMs * 2);
    request.end(probe.body);
  });
}

/** Write raw bytes on a new TCP connection and parse whatever HTTP response comes back. */
function runRawProbe(probe: RawProbe, target: ProbeTarget, timeouts: ProbeTimeouts): Promise<ClientView> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(budget);
      socket.destroy();
      resolve(parseRawResponse(Buffer.concat(chunks)));
    };
    const socket = net.connect({ host: target.proxyHost, port: target.proxyPort }, () => socket.write(probe.data));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A keep-alive response would otherwise hold the probe for the whole KeepAliveTimeout.
      if (rawResponseComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    const budget = setTimeout(finish, timeouts.rawMs);
  });
}

interface RawResponseHead {
  status: number | null;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseRawHead(bytes: Buffer): RawResponseHead | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const statusMatch = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
  const rawHeaders: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) rawHeaders.push(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: statusMatch ? Number(statusMatch[1]) : null, headers: lowerCasedHeaders(rawHeaders), bodyStart: end + 4 };
}

function rawResponseComplete(bytes: Buffer): boolean {
  const head = parseRawHead(bytes);
  if (!head) return false;
  if (head.status === 101 || head.status === 204 || head.status === 304) return true;
  const length = head.headers['content-length'];
  if (length !== undefined) return bytes.length - head.bodyStart >= Number(length);
  if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) return bytes.subarray(head.bodyStart).includes('0\r\n\r\n');
  return false;
}

function parseRawResponse(bytes: Buffer): ClientView {
  const head = parseRawHead(bytes);
  if (!head) {
    // Not even a complete head: report the status line if one arrived.
    const statusMatch = /^HTTP\/\d\.\d (\d{3})/.exec(bytes.toString('latin1'));
    return { status: statusMatch ? Number(statusMatch[1]) : null, headers: {}, received: [] };
  }
  // After a 101 the bytes belong to the upgraded protocol, not to an HTTP body, and how many of
  // them share the head's read is down to TCP timing.
  if (head.status === 101) return { status: head.status, headers: head.headers, received: [] };
  const body = bytes.subarray(head.bodyStart, head.bodyStart + BODY_LIMIT).toString('utf8');
  return { status: head.status, headers: head.headers, received: [], body };
}

function rawDataToBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
