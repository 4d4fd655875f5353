/**
 * Request-path fuzzing: a seeded stream of hostile or broken clients thrown at a running proxy,
 * in batches. Where httpd's answer is known the exact status is asserted; everything else must at
 * least leave the proxy serving, with every connection accounted for and every worker returned.
 * The same cases run once against `wslab proxy` as a child process, which must stay up and still
 * exit 0 on SIGTERM. A failure names the seed and case number, so it replays exactly.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestHeadParser } from '../../../sandbox/engine/http/request-head.ts';
import type { RequestHeadResult } from '../../../sandbox/engine/http/request-head.ts';
import type { TapEvent } from '../../../sandbox/engine/tap-events.ts';
import { startAppServer } from '../../../sandbox/server/backends/app-server.ts';
import { startEchoServer } from '../../../sandbox/server/backends/echo-server.ts';
import type { RunningBackend } from '../../../sandbox/server/backends/echo-server.ts';
import { checkedConfig, echoRoundTrip, eventually, hex, mustOpen, RawClient, sleep, startTestProxy } from './proxy-harness.ts';
import type { TestProxy } from './proxy-harness.ts';
import { rng } from '../../differential/harness/random.ts';

const SEED = Number(process.env.WSLAB_FUZZ_SEED ?? 0x5eed1e55);
const BIN = join(import.meta.dirname, '..', '..', '..', 'sandbox', 'cli', 'bin.mjs');

/** How long a case waits for an answer it expects, and for silence it expects. */
const ANSWER_MS = 2_000;
const QUIET_MS = 250;

/** The fuzzers' seeded generator (same sequence on every machine), with ranges and byte strings. */
function createRandom(seed: number) {
  const random = rng(seed);
  return {
    next: random.next,
    int: (low: number, high: number) => low + random.int(high - low + 1),
    pick: random.pick,
    chance: random.chance,
    bytes: (length: number) => Buffer.from(Array.from({ length }, () => random.int(256))),
  };
}
type Random = ReturnType<typeof createRandom>;

/** What a case may look at besides its own socket (only in-process). */
interface Observer {
  events: TapEvent[];
  errorLines(): string[];
}

interface FuzzCase {
  kind: string;
  /** Connect, misbehave, and throw if the proxy's reaction is wrong. Returns the client for cleanup. */
  run(port: number, observer: Observer | null): Promise<RawClient>;
}

const UPGRADE_HEAD =
  'GET /ws/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const PLAIN_HEAD = 'GET /app/fuzz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: fuzz\r\n\r\n';

/** Write bytes in random pieces, so the proxy sees heads and frames cut at arbitrary places. */
async function writeInPieces(client: RawClient, bytes: Buffer, random: Random): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = random.chance(0.5) ? bytes.length - offset : random.int(1, Math.max(1, bytes.length - offset));
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  for (const piece of pieces) {
    client.write(piece);
    if (pieces.length > 1) await sleep(random.int(0, 3));
  }
  return pieces;
}

/** The engine's verdict on a head delivered as these pieces. */
function engineVerdict(pieces: Buffer[]): RequestHeadResult {
  const parser = new RequestHeadParser({ scheme: 'http' });
  let result: RequestHeadResult = { state: 'incomplete' };
  for (const piece of pieces) {
    result = parser.push(piece);
    if (result.state !== 'incomplete') break;
  }
  return result;
}

/**
 * Send a head that may be broken and hold the connection open. The engine's RequestHeadParser is
 * the oracle: when it reaches the same verdict whether the bytes come in one piece or in the
 * pieces written, the proxy must act on that verdict (its exact status for an error, some answer
 * for a complete head, silence while incomplete). TCP may merge pieces, so a verdict that depends
 * on the cuts only requires a well-formed answer or none.
 */
async function sendHeadAndJudge(port: number, bytes: Buffer, random: Random): Promise<RawClient> {
  const client = await RawClient.open(port);
  const pieces = await writeInPieces(client, bytes, random);
  const whole = engineVerdict([bytes]);
  const cut = engineVerdict(pieces);
  const agreed = whole.state === cut.state && (whole.state !== 'error' || cut.state !== 'error' || whole.error.status === cut.error.status);
  const describe = () => `sent ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}; engine says ${whole.state}; proxy sent ${JSON.stringify(client.received.toString('latin1').slice(0, 120))}`;
  if (agreed && whole.state === 'error') {
    await client.waitFor((received) => received.includes('\r\n\r\n'), ANSWER_MS);
    const expected = `HTTP/1.1 ${whole.error.status} `;
    if (!client.statusLine().startsWith(expected)) throw new Error(`expected ${expected.trim()}: ${describe()}`);
    if (whole.error.closeConnection && !(await client.waitEnded(ANSWER_MS))) throw new Error(`connection left open after ${whole.error.status}: ${describe()}`);
  } else if (agreed && whole.state === 'complete' && !whole.head.http09) {
    await client.waitFor((received) => received.includes('\r\n\r\n'), ANSWER_MS);
    if (!/^HTTP\/1\.1 [1-5]\d\d /.test(client.statusLine())) throw new Error(`expected a response head: ${describe()}`);
  } else if (agreed && whole.state === 'incomplete') {
    await client.waitFor((received) => received.length > 0, QUIET_MS);
    if (client.received.length > 0 || client.ended) throw new Error(`answered an incomplete head: ${describe()}`);
  } else {
    await client.waitFor((received) => received.includes('\r\n'), QUIET_MS);
    if (client.received.length > 0 && !whole.state.startsWith('complete') && !/^HTTP\/1\.1 [1-5]\d\d /.test(client.statusLine())) {
      throw new Error(`malformed answer: ${describe()}`);
    }
  }
  return client;
}

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'get', 'G ET', '', 'GE\tT', '\x00GET', 'PRI', 'CONNECT', 'X'.repeat(40), 'GET\x7f', 'DELETE', 'Ǵ'];
const TARGETS = ['/', '/app/x', '/ws/', '*', 'http://localhost/app/', '//', '/%zz', '/\x7f', 'app', '/a b', '/app/?q=%00', '/../../etc/passwd', '/app/\x01', 'http://[::1/', ''];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 extra', 'HTTP/01.1', 'HTTP/1', 'HTTP/1.1\x00', 'HTTP/0.9', 'HTTP/1.10', 'HTTP/a.b'];
const SPACES = [' ', ' ', ' ', '  ', '\t', ''];
const ENDINGS = ['\r\n', '\r\n', '\n', '\r\r\n'];
const FIELD_LINES = ['Host: localhost', 'Host: localhost', 'Host:', 'Host: a b', 'Host: localhost:99999', ' folded', 'NoColon', ': empty-name', 'X-A:\x01', 'Bad Name: x', 'X-Ok: yes', 'Host: localhost\r\nHost: other'];

/** A well-formed head with zero, one or two of its parts swapped for a broken alternative. */
function malformedRequestLine(random: Random): FuzzCase {
  const fieldCount = random.int(0, 3);
  const slots: Array<[string, readonly string[]]> = [
    ['GET', METHODS],
    [' ', SPACES],
    ['/app/x', TARGETS],
    [' ', SPACES],
    ['HTTP/1.1', VERSIONS],
    ['\r\n', ENDINGS],
    ['Host: localhost', FIELD_LINES],
    ...Array.from({ length: fieldCount }, (): [string, readonly string[]] => [`X-Fuzz: ${random.int(0, 999)}`, FIELD_LINES]),
  ];
  const parts = slots.map(([good]) => good);
  for (let broken = random.pick([0, 1, 1, 1, 2]); broken > 0; broken--) {
    const slot = random.int(0, slots.length - 1);
    parts[slot] = random.pick(slots[slot][1]);
  }
  const [method, space1, target, space2, version, ending, ...fields] = parts;
  const text = `${random.chance(0.1) ? '\r\n' : ''}${method}${space1}${target}${space2}${version}${ending}${fields.map((field) => field + ending).join('')}${ending}`;
  const bytes = Buffer.from(text, 'latin1');
  return { kind: 'malformed request line', run: (port) => sendHeadAndJudge(port, bytes, random) };
}

function randomBytes(random: Random): FuzzCase {
  const body = random.bytes(random.int(1, 1500));
  const bytes = Buffer.concat([random.chance(0.3) ? Buffer.from('GET ') : Buffer.alloc(0), body, random.chance(0.5) ? Buffer.from('\r\n\r\n') : Buffer.alloc(0)]);
  return { kind: 'random bytes', run: (port) => sendHeadAndJudge(port, bytes, random) };
}

/** Counts of the refusals whose log lines the batch checks. */
interface Expected {
  fieldTooLong: number;
  lineTooLong: number;
  tooManyFields: number;
}

function oversizedField(random: Random, expected: Expected): FuzzCase {
  const name = random.pick(['X-Big', 'Cookie', 'X-Forwarded-For', 'User-Agent']);
  const length = random.int(8_200, 20_000);
  const bytes = Buffer.from(`GET /app/x HTTP/1.1\r\nHost: localhost\r\n${name}: ${'v'.repeat(length)}\r\n\r\n`, 'latin1');
  expected.fieldTooLong += 1;
  return {
    kind: 'oversized header field',
    async run(port) {
      const client = await RawClient.open(port);
      await writeInPieces(client, bytes, random);
      await client.waitFor((received) => received.includes('</html>'), ANSWER_MS);
      if (client.statusLine() !== 'HTTP/1.1 400 Bad Request') throw new Error(`${name} of ${length} bytes: got ${JSON.stringify(client.statusLine())}`);
      if (!client.received.includes('Size of a request header field exceeds server limit.')) throw new Error('400 page without the field-size note');
      if (!(await client.waitEnded(ANSWER_MS))) throw new Error('connection left open after 400');
      return client;
    },
  };
}

function overlongRequestLine(random: Random, expected: Expected): FuzzCase {
  const length = random.int(8_200, 20_000);
  const bytes = Buffer.from(`GET /app/${'p'.repeat(length)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 'latin1');
  expected.lineTooLong += 1;
  return {
    kind: 'over-long request line',
    async run(port) {
      const client = await RawClient.open(port);
      await writeInPieces(client, bytes, random);
      await client.waitFor((received) => received.includes('</html>'), ANSWER_MS);
      if (client.statusLine() !== 'HTTP/1.1 414 Request-URI Too Long') throw new Error(`request line of ${length} bytes: got ${JSON.stringify(client.statusLine())}`);
      if (!(await client.waitEnded(ANSWER_MS))) throw new Error('connection left open after 414');
      return client;
    },
  };
}

function largeAllowedField(random: Random): FuzzCase {
  const length = random.int(1_000, 8_000);
  const bytes = Buffer.from(`GET /app/big HTTP/1.1\r\nHost: localhost\r\nX-Large: ${'w'.repeat(length)}\r\nConnection: close\r\n\r\n`, 'latin1');
  return {
    kind: 'large header field under the limit',
    async run(port) {
      const client = await RawClient.open(port);
      await writeInPieces(client, bytes, random);
      await client.waitFor((received) => received.includes('\r\n\r\n'), ANSWER_MS);
      if (client.statusLine() !== 'HTTP/1.1 200 OK') throw new Error(`field of ${length} bytes: got ${JSON.stringify(client.statusLine())}`);
      return client;
    },
  };
}

function manyFields(random: Random, expected: Expected): FuzzCase {
  // LimitRequestFields 100 counts every field line, Host included.
  const count = random.chance(0.5) ? random.int(101, 180) : random.int(2, 100);
  const fields = ['Host: localhost', ...Array.from({ length: count - 1 }, (_, index) => `X-F${index}: ${index}`)];
  const bytes = Buffer.from(`GET /app/many HTTP/1.1\r\n${fields.join('\r\n')}\r\nConnection: close\r\n\r\n`, 'latin1');
  const total = count + 1;
  if (total > 100) expected.tooManyFields += 1;
  return {
    kind: total > 100 ? 'too many header fields' : 'many header fields under the limit',
    async run(port) {
      const client = await RawClient.open(port);
      await writeInPieces(client, bytes, random);
      await client.waitFor((received) => received.includes('\r\n\r\n'), ANSWER_MS);
      const want = total > 100 ? 'HTTP/1.1 400 Bad Request' : 'HTTP/1.1 200 OK';
      if (client.statusLine() !== want) throw new Error(`${total} fields: expected ${want}, got ${JSON.stringify(client.statusLine())}`);
      return client;
    },
  };
}

function truncatedHeadThenAbort(random: Random): FuzzCase {
  const head = Buffer.from(random.pick([UPGRADE_HEAD, PLAIN_HEAD]), 'latin1');
  const cut = random.int(1, head.length - 1);
  const reset = random.chance(0.5);
  return {
    kind: `truncated head then ${reset ? 'reset' : 'close'}`,
    async run(port) {
      const client = await RawClient.open(port);
      await writeInPieces(client, head.subarray(0, cut), random);
      await sleep(random.int(0, 20));
      client.destroy(reset);
      return client;
    },
  };
}

/** Upgrade through the proxy to the echo backend; throws unless the answer is 101. */
async function upgraded(port: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  client.write(UPGRADE_HEAD);
  await client.waitFor((received) => received.includes('\r\n\r\n'), ANSWER_MS);
  if (client.statusLine() !== 'HTTP/1.1 101 Switching Protocols') throw new Error(`upgrade failed: ${JSON.stringify(client.statusLine())}`);
  client.received = client.received.subarray(client.received.indexOf('\r\n\r\n') + 4);
  return client;
}

/** Events of the tap for the connection this client made. */
/**
 * The events of `client`'s connection, looking only at events from `since` (the event count
 * before it connected): with hundreds of clients the kernel hands out a local port again, and
 * an earlier connection from the same port is somebody else's.
 */
function eventsOf(observer: Observer, client: RawClient, since: number): TapEvent[] {
  const recent = observer.events.slice(since);
  const opened = recent.find((event) => event.type === 'connection-open' && event.client === `127.0.0.1:${client.localPort}`);
  return opened ? recent.filter((event) => event.connection === opened.connection) : [];
}

/** Frames a client must not send, each with the code the tap reports for it. */
const BAD_FRAMES: ReadonlyArray<{ name: string; frame: (random: Random) => Buffer; code: string }> = [
  { name: 'reserved opcode', frame: (random) => Buffer.concat([Buffer.from([0x80 | random.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), 0x80]), hex('01020304')]), code: 'WS_ERR_INVALID_OPCODE' },
  { name: 'ping longer than 125 bytes', frame: () => Buffer.concat([hex('89 fe 007e 00000000'), Buffer.alloc(126, 0x61)]), code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH' },
  { name: 'fragmented ping', frame: () => hex('09 81 00000000 61'), code: 'WS_ERR_EXPECTED_FIN' },
  { name: 'unmasked text', frame: () => hex('81 02 6869'), code: 'WS_ERR_EXPECTED_MASK' },
  { name: 'RSV1 without permessage-deflate', frame: () => hex('c1 81 00000000 61'), code: 'WS_ERR_UNEXPECTED_RSV_1' },
  { name: 'RSV2 set', frame: () => hex('a1 81 00000000 61'), code: 'WS_ERR_UNEXPECTED_RSV_2_3' },
  { name: 'text that is not UTF-8', frame: () => hex('81 82 00000000 fffe'), code: 'WS_ERR_INVALID_UTF8' },
  { name: 'close code 1005 on the wire', frame: () => hex('88 82 00000000 03ed'), code: 'WS_ERR_INVALID_CLOSE_CODE' },
];

function badFrameAfterUpgrade(random: Random): FuzzCase {
  const bad = random.pick(BAD_FRAMES);
  const frame = bad.frame(random);
  return {
    kind: `bad frame: ${bad.name}`,
    async run(port, observer) {
      const since = observer?.events.length ?? 0;
      const client = await upgraded(port);
      await writeInPieces(client, frame, random);
      // The echo backend (ws) fails the connection; the proxy must pass that on and close.
      if (!(await client.waitEnded(3_000))) throw new Error(`${bad.name} (${frame.toString('hex')}): tunnel still open`);
      if (observer) {
        await eventually(() => eventsOf(observer, client, since).some((event) => event.type === 'tunnel-close'), 'tunnel-close');
        const errors = eventsOf(observer, client, since).filter((event) => event.type === 'frame-error');
        const codes = errors.map((event) => (event.type === 'frame-error' ? `${event.direction} ${event.code}` : ''));
        if (codes[0] !== `client->backend ${bad.code}`) throw new Error(`${bad.name}: tap reported ${JSON.stringify(codes)}`);
      }
      return client;
    },
  };
}

function garbageAfterUpgrade(random: Random): FuzzCase {
  const garbage = random.bytes(random.int(1, 600));
  return {
    kind: 'garbage after 101',
    async run(port) {
      const client = await upgraded(port);
      await writeInPieces(client, garbage, random);
      await client.waitEnded(QUIET_MS);
      client.destroy(random.chance(0.5));
      return client;
    },
  };
}

function abortMidFrame(random: Random): FuzzCase {
  const frame = Buffer.concat([hex('82 fe 0100 0a0b0c0d'), random.bytes(256)]);
  const cut = random.int(1, frame.length - 1);
  const reset = random.chance(0.5);
  return {
    kind: `${reset ? 'reset' : 'close'} in the middle of a frame`,
    async run(port, observer) {
      const since = observer?.events.length ?? 0;
      const client = await upgraded(port);
      client.write(frame.subarray(0, cut));
      await sleep(random.int(0, 10));
      client.destroy(reset);
      if (observer) {
        await eventually(() => eventsOf(observer, client, since).some((event) => event.type === 'tunnel-close'), 'tunnel-close after an abrupt close');
        const reason = eventsOf(observer, client, since).find((event) => event.type === 'tunnel-close');
        if (reason?.type === 'tunnel-close' && !['client-closed', 'error'].includes(reason.reason)) throw new Error(`tunnel-close reason ${reason.reason}`);
      }
      return client;
    },
  };
}

function halfClose(random: Random): FuzzCase {
  const where = random.pick(['in the tunnel', 'inside the request line', 'before sending anything'] as const);
  return {
    kind: `half-close ${where}`,
    async run(port) {
      const client = where === 'in the tunnel' ? await upgraded(port) : await RawClient.open(port);
      if (where === 'inside the request line') client.write('GET /app/half');
      client.end();
      // httpd ends a tunnel when either side reaches EOF, and a request line that never ends is dropped.
      if (!(await client.waitEnded(ANSWER_MS))) throw new Error(`half-close ${where}: the proxy kept its side open`);
      if (where !== 'in the tunnel' && client.received.length > 0) throw new Error(`half-close ${where}: unexpected answer ${JSON.stringify(client.statusLine())}`);
      return client;
    },
  };
}

/** A client that connects and says nothing: it must still be connected when the batch ends. */
function silentConnection(): FuzzCase {
  return {
    kind: 'silent connection',
    async run(port) {
      const client = await RawClient.open(port);
      await sleep(QUIET_MS);
      if (client.ended || client.closed) throw new Error('the proxy dropped a silent connection before the request-read timeout');
      return client;
    },
  };
}

function generateCase(random: Random, expected: Expected): FuzzCase {
  const makers = [
    () => malformedRequestLine(random),
    () => malformedRequestLine(random),
    () => randomBytes(random),
    () => oversizedField(random, expected),
    () => overlongRequestLine(random, expected),
    () => largeAllowedField(random),
    () => manyFields(random, expected),
    () => truncatedHeadThenAbort(random),
    () => badFrameAfterUpgrade(random),
    () => garbageAfterUpgrade(random),
    () => abortMidFrame(random),
    () => halfClose(random),
    () => silentConnection(),
  ];
  return random.pick(makers)();
}

/** Run one batch concurrently; returns the failures, each naming seed and case number. */
async function runBatch(port: number, observer: Observer | null, random: Random, expected: Expected, firstIndex: number, size: number): Promise<string[]> {
  const cases = Array.from({ length: size }, () => generateCase(random, expected));
  const clients: RawClient[] = [];
  const results = await Promise.allSettled(
    cases.map(async (fuzzCase) => {
      const client = await fuzzCase.run(port, observer);
      clients.push(client);
    }),
  );
  for (const client of clients) client.destroy();
  return results.flatMap((result, index) =>
    result.status === 'rejected' ? [`seed ${SEED} case #${firstIndex + index} (${cases[index].kind}): ${(result.reason as Error).message}`] : [],
  );
}

/** A plain GET through the proxy to the app backend. */
function plainGet(port: number): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/app/health', agent: false, timeout: 3_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('timeout', () => request.destroy(new Error('GET timed out')));
    request.on('error', reject);
  });
}

/** The proxy still answers a WebSocket echo and a plain GET. */
async function assertServing(port: number): Promise<void> {
  const socket = await mustOpen(`ws://127.0.0.1:${port}/ws/`);
  try {
    expect(await echoRoundTrip(socket, 'still alive')).toBe('Echo: still alive');
  } finally {
    socket.terminate();
  }
  const answer = await plainGet(port);
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toMatchObject({ backend: 'app', method: 'GET', path: '/health' });
}

const BATCHES = 15;
const BATCH_SIZE = 30;

describe('request-path fuzzing, proxy in-process', () => {
  let echo: RunningBackend;
  let app: RunningBackend;
  let proxy: TestProxy;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    app = await startAppServer({ port: 0 });
    proxy = await startTestProxy(
      checkedConfig(
        `ServerName localhost\nListen 127.0.0.1:8000\nLogLevel warn core:info\n` +
          `ProxyPass /ws/ ws://127.0.0.1:${echo.port}/\nProxyPass /app/ http://127.0.0.1:${app.port}/\n`,
      ),
    );
  });
  afterAll(async () => {
    await proxy.close();
    await echo.close();
    await app.close();
  });

  it(`survives ${BATCHES * BATCH_SIZE} hostile clients (seed ${SEED}) and keeps serving after every batch`, async () => {
    const random = createRandom(SEED);
    const expected: Expected = { fieldTooLong: 0, lineTooLong: 0, tooManyFields: 0 };
    const failures: string[] = [];
    for (let batch = 0; batch < BATCHES; batch++) {
      failures.push(...(await runBatch(proxy.port, proxy, random, expected, batch * BATCH_SIZE, BATCH_SIZE)));
      // Every connection the batch opened is closed again, and every worker came back.
      await eventually(() => {
        const open = new Set(proxy.events.filter((event) => event.type === 'connection-open').map((event) => event.connection));
        for (const event of proxy.events) if (event.type === 'connection-close') open.delete(event.connection);
        return open.size === 0;
      }, `every connection of batch ${batch} to close`);
      expect(proxy.proxy.runtime().pool.inUse).toBe(0);
      expect(proxy.proxy.runtime().pool.queued).toBe(0);
      await assertServing(proxy.port);
    }
    // connection-close is each connection's last word on the tap.
    const closedAt = new Map<number, number>();
    const late: string[] = [];
    proxy.events.forEach((event, index) => {
      if (event.type === 'connection-close') closedAt.set(event.connection, index);
      else if (closedAt.has(event.connection)) late.push(`connection ${event.connection}: ${event.type} after connection-close`);
    });
    expect(late).toEqual([]);
    expect(failures).toEqual([]);
    const codes = proxy.errorLines().map((line) => /AH\d{5}/.exec(line)?.[0]);
    expect(codes.filter((code) => code === 'AH00561')).toHaveLength(expected.fieldTooLong);
    expect(codes.filter((code) => code === 'AH00565')).toHaveLength(expected.lineTooLong);
    expect(codes.filter((code) => code === 'AH00563')).toHaveLength(expected.tooManyFields);
    expect(expected.fieldTooLong * expected.lineTooLong * expected.tooManyFields).toBeGreaterThan(0);
  });
});

describe('request-path fuzzing, `wslab proxy` as a child process', () => {
  let echo: RunningBackend;
  let app: RunningBackend;
  let workdir: string;
  let child: ChildProcess;
  let port: number;
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    echo = await startEchoServer({ port: 0 });
    app = await startAppServer({ port: 0 });
    workdir = mkdtempSync(join(tmpdir(), 'wslab-fuzz-'));
    // Another test file may take the port between freePort() and the bind (AH00072): try again.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(
        join(workdir, 'httpd.conf'),
        `ServerName localhost\nListen 127.0.0.1:${port}\nErrorLog ${workdir}/error.log\nLogLevel warn core:info\n` +
          `ProxyPass /ws/ ws://127.0.0.1:${echo.port}/\nProxyPass /app/ http://127.0.0.1:${app.port}/\n`,
      );
      stderr = '';
      child = spawn(process.execPath, [BIN, 'proxy', join(workdir, 'httpd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      const up = await Promise.race([
        eventually(() => stderr.includes('listening on'), 'wslab proxy to listen', 10_000).then(() => true),
        exited.then(() => false),
      ]);
      if (up) break;
      if (attempt === 3 || !stderr.includes('AH00072')) throw new Error(`wslab proxy did not start:\n${stderr}`);
    }
  });
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await echo.close();
    await app.close();
    rmSync(workdir, { recursive: true, force: true });
  });

  it('stays up through the same kind of clients and exits 0 on SIGTERM', async () => {
    const random = createRandom(SEED ^ 0x9e3779b9);
    const expected: Expected = { fieldTooLong: 0, lineTooLong: 0, tooManyFields: 0 };
    const failures: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      failures.push(...(await runBatch(port, null, random, expected, batch * 20, 20)));
      expect(child.exitCode).toBe(null);
      await assertServing(port);
    }
    expect(failures).toEqual([]);
    child.kill('SIGTERM');
    const exit = await Promise.race([exited, sleep(3_000).then(() => null)]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/TypeError|RangeError|Unhandled|at .*\.ts:\d+/);
    const errorLog = readFileSync(join(workdir, 'error.log'), 'utf8');
    const codes = [...errorLog.matchAll(/AH\d{5}/g)].map((match) => match[0]);
    expect(codes.filter((code) => code === 'AH00561')).toHaveLength(expected.fieldTooLong);
    expect(codes.at(-1)).toBe('AH00491');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
