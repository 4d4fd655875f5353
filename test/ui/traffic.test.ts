/** The traffic model (tap events → connections and diagram arrows), the plain-language answers, hex input. */
import { describe, expect, it } from 'vitest';
import type { TapEvent, TappedFrame } from '../../sandbox/engine/tap-events.ts';
import { ahCodes, closeCodeName, explainStatus } from '../../sandbox/ui/explain.ts';
import { normalizeHex, spacedHex } from '../../sandbox/ui/hex.ts';
import { applyTapEvent, connectionTimings, emptyTraffic, formatDuration, frameLabel, LIMITS, startGeneration, type TrafficState } from '../../sandbox/ui/traffic-model.ts';

const frame = (overrides: Partial<TappedFrame>): TappedFrame => ({
  fin: true,
  rsv: [false, false, false],
  opcode: 1,
  opcodeName: 'text',
  masked: true,
  payloadLength: 5,
  preview: 'hello',
  previewEncoding: 'text',
  ...overrides,
});

/** One WebSocket through the proxy, as the tap reports it. */
function upgradeEvents(connection: number, start: number): TapEvent[] {
  const e = <T extends TapEvent['type']>(type: T, offset: number, rest: object) => ({ type, connection, time: start + offset, ...rest }) as TapEvent;
  return [
    e('connection-open', 0, { client: '127.0.0.1:50000', local: '127.0.0.1:80', tls: false }),
    e('head', 1, { hop: 'client->proxy', head: 'GET /ws/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n' }),
    e('route', 2, { routing: { outcome: 'proxy', explanation: 'ProxyPass /ws/ ws://localhost:8080/ matched', matched: { directive: 'ProxyPass /ws/ ws://localhost:8080/', file: '/etc/apache2/sites-enabled/000-default.conf', line: 8 }, targetUrl: 'ws://localhost:8080/', upgrade: true } }),
    e('head', 3, { hop: 'proxy->backend', head: 'GET / HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' }),
    e('head', 5, { hop: 'backend->proxy', head: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n' }),
    e('head', 6, { hop: 'proxy->client', head: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n' }),
    e('response', 6, { status: 101, explanation: '101: upgraded' }),
    e('frame', 10, { direction: 'client->backend', frame: frame({}) }),
    e('frame', 11, { direction: 'backend->client', frame: frame({ masked: false, payloadLength: 11, preview: 'Echo: hello' }) }),
    e('frame', 20, { direction: 'client->backend', frame: frame({ opcode: 8, opcodeName: 'close', payloadLength: 2, preview: '03e8', previewEncoding: 'hex', closeCode: 1000 }) }),
    e('tunnel-close', 21, { reason: 'client closed', durationMs: 15, bytesFromClient: 30, bytesFromBackend: 20 }),
    e('access-log', 22, { line: '127.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /ws/ HTTP/1.1" 101 0' }),
    e('connection-close', 22, { reason: 'tunnel closed' }),
  ];
}

function fold(state: TrafficState, events: TapEvent[]): void {
  for (const event of events) applyTapEvent(state, event);
}

describe('the traffic model', () => {
  it('folds one upgrade into a connection record with both hops, the route, frames and timings', () => {
    const state = emptyTraffic();
    fold(state, upgradeEvents(1, 1000));
    const record = state.connections.get(1)!;
    expect(record.heads['client->proxy']?.text).toMatch(/^GET \/ws\/ HTTP\/1\.1/);
    expect(record.heads['proxy->backend']?.text).toMatch(/^GET \/ HTTP\/1\.1/);
    expect(record.route?.matched?.line).toBe(8);
    expect(record.response).toMatchObject({ status: 101 });
    expect(record.frames.map((f) => f.frame.opcodeName)).toEqual(['text', 'text', 'close']);
    expect(record.accessLog).toHaveLength(1);
    expect(connectionTimings(record)).toEqual({ handshake: 5, backend: 2, total: 22, tunnel: 15 });
    expect(state.arrows.map((arrow) => `${arrow.from}>${arrow.to} ${arrow.kind}`)).toEqual([
      'client>apache open',
      'client>apache head',
      'apache>apache route',
      'apache>backend head',
      'backend>apache head',
      'apache>client head',
      'client>backend frame',
      'backend>client frame',
      'client>backend frame',
      'apache>apache tunnel-close',
      'apache>client close',
    ]);
    expect(state.arrows.find((arrow) => arrow.from === 'apache' && arrow.to === 'client' && arrow.kind === 'head')).toMatchObject({ label: 'HTTP/1.1 101 Switching Protocols', tone: 'good' });
    expect(state.arrows[2].label).toBe('ProxyPass /ws/ ws://localhost:8080/ (line 8)');
  });

  it('labels frames with opcode, payload, length, mask and close codes', () => {
    expect(frameLabel(frame({}))).toBe('text "hello" 5 B masked');
    expect(frameLabel(frame({ opcode: 2, opcodeName: 'binary', preview: '00ff', previewEncoding: 'hex', payloadLength: 2, masked: false }))).toBe('binary 00ff 2 B');
    expect(frameLabel(frame({ opcode: 8, opcodeName: 'close', closeCode: 1001, closeReason: 'bye', payloadLength: 5 }))).toBe('close 1001 "bye" 5 B masked');
    expect(frameLabel(frame({ fin: false }))).toContain('FIN=0');
  });

  it('keeps connections apart when a new config numbers them from 1 again', () => {
    const state = emptyTraffic();
    fold(state, upgradeEvents(1, 1000).slice(0, 7));
    startGeneration(state);
    // The old proxy's tunnel closes after the new config started: still connection 1 of the old run.
    fold(state, upgradeEvents(1, 2000).slice(-3));
    fold(state, upgradeEvents(1, 3000));
    expect([...state.connections.keys()]).toEqual([1, 2]);
    expect(state.connections.get(1)?.tunnel).toBeDefined();
    expect(state.connections.get(2)?.proxyConnection).toBe(1);
    expect(state.connections.get(2)?.heads['client->proxy']?.time).toBe(3001);
  });

  it('puts error-log lines in the log and on their connection', () => {
    const state = emptyTraffic();
    fold(state, upgradeEvents(1, 0).slice(0, 4));
    applyTapEvent(state, {
      type: 'error-log',
      connection: 1,
      time: 5,
      entry: { module: 'proxy', level: 'error', code: 'AH00957', message: 'ws: attempt to connect to 127.0.0.1:8080 (localhost) failed', osError: '(111)Connection refused' },
      line: '[…] [proxy:error] [pid 1:tid 1] (111)Connection refused: AH00957: ws: attempt to connect to 127.0.0.1:8080 (localhost) failed',
    });
    applyTapEvent(state, { type: 'error-log', connection: 0, time: 6, entry: { module: 'mpm_event', level: 'notice', code: 'AH00489', message: 'resuming normal operations' }, line: 'AH00489' });
    expect(state.errorLog.map((entry) => entry.code)).toEqual(['AH00957', 'AH00489']);
    expect(state.connections.get(1)?.errorLog).toHaveLength(1);
    expect(state.arrows.at(-1)).toMatchObject({ kind: 'error-log', label: 'AH00957 [proxy:error]', tone: 'bad' });
  });

  it('stays bounded however many connections and frames arrive', () => {
    const state = emptyTraffic();
    for (let connection = 1; connection <= LIMITS.connections + 20; connection++) fold(state, upgradeEvents(connection, connection * 100));
    expect(state.connections.size).toBe(LIMITS.connections);
    expect(state.arrows.length).toBeLessThanOrEqual(LIMITS.arrows);
    const busy = emptyTraffic();
    fold(busy, upgradeEvents(1, 0).slice(0, 6));
    for (let index = 0; index < LIMITS.framesPerConnection + 10; index++) applyTapEvent(busy, { type: 'frame', connection: 1, time: index, direction: 'client->backend', frame: frame({}) });
    expect(busy.connections.get(1)?.frames).toHaveLength(LIMITS.framesPerConnection);
    expect(busy.connections.get(1)?.framesDropped).toBe(10);
  });

  it('formats durations', () => {
    expect(formatDuration(0.25)).toBe('0.25 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(Number.NaN)).toBe('–');
  });
});

describe('plain-language answers', () => {
  it('names the AH code that explains a failure', () => {
    expect(explainStatus({ status: 503, wantedUpgrade: true, errorCodes: ['AH00957', 'AH00959'] }, 'en')).toBe('503: the backend refused the connection (AH00957)');
    expect(explainStatus({ status: 503, wantedUpgrade: true, errorCodes: ['AH00957'] }, 'ja')).toBe('503: バックエンドが接続を拒否しました (AH00957)');
  });

  it('says when a WebSocket request was answered without an upgrade', () => {
    expect(explainStatus({ status: 200, wantedUpgrade: true, errorCodes: [] }, 'en')).toMatch(/^200: no upgrade happened/);
    expect(explainStatus({ status: 200, wantedUpgrade: false, errorCodes: [] }, 'en')).toBe('200: a backend answered the request');
    expect(explainStatus({ status: 101, wantedUpgrade: true, errorCodes: [] }, 'en')).toMatch(/^101: the upgrade went through/);
    expect(explainStatus({ status: 302, wantedUpgrade: false, errorCodes: [], location: 'https://example.com/' }, 'en')).toBe('302: a redirect: the client is told to go elsewhere → https://example.com/');
    expect(explainStatus({ status: 418, wantedUpgrade: false, errorCodes: [] }, 'en')).toBe('418: the request was refused');
  });

  it('finds AH codes in log lines and names close codes', () => {
    expect(ahCodes(['x AH00957: a', 'AH01114: b AH00957'])).toEqual(['AH00957', 'AH01114']);
    expect(closeCodeName(1006, 'en')).toBe('abnormal closure (no close frame)');
    expect(closeCodeName(4001, 'ja')).toBe('アプリケーション定義');
  });
});

describe('hex input', () => {
  it('accepts spaced, prefixed and separated hex, whole bytes only', () => {
    expect(normalizeHex('48 65 6c-6C 0x6f')).toBe('48656c6c6f');
    expect(normalizeHex('de:ad:BE:EF')).toBe('deadbeef');
    expect(normalizeHex('abc')).toBeNull();
    expect(normalizeHex('zz')).toBeNull();
    expect(normalizeHex('')).toBeNull();
    expect(spacedHex('48656c6c6f')).toBe('48 65 6c 6c 6f');
    expect(spacedHex('00'.repeat(70), 4)).toBe('00 00 00 00 …');
  });
});
