import { describe, expect, it } from 'vitest';
import { tapEventJson } from '../../sandbox/engine/tap-event-json.ts';
import type { TapEvent } from '../../sandbox/engine/tap-events.ts';
import { WebSocketFrameParser } from '../../sandbox/engine/websocket/frame-parser.ts';

/** A deterministic generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Text that needs JSON escaping: quotes, backslashes, control characters, non-ASCII and emoji. */
const TEXT_PIECES = ['hello', '"', '\\', '\n', '\t', '\u0001', '\u001f', 'é', '日本語', '😀', '\u2028', '</script>', ' ', '{}'];

function frameBytes(next: () => number, sender: 'client' | 'server'): Uint8Array {
  const kind = Math.floor(next() * 5);
  let opcode: number;
  let payload: Uint8Array;
  if (kind === 0) {
    opcode = 0x1;
    let text = '';
    const pieces = Math.floor(next() * 40);
    for (let index = 0; index < pieces; index++) text += TEXT_PIECES[Math.floor(next() * TEXT_PIECES.length)];
    payload = new TextEncoder().encode(text);
  } else if (kind === 1) {
    opcode = 0x2;
    payload = Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256));
  } else if (kind === 2) {
    opcode = 0x8;
    const reason = new TextEncoder().encode(TEXT_PIECES.slice(0, Math.floor(next() * 6)).join(''));
    const code = [1000, 1001, 1008, 1011, 3000, 4999][Math.floor(next() * 6)];
    payload = next() < 0.2 ? new Uint8Array(0) : Uint8Array.from([code >> 8, code & 0xff, ...reason]);
  } else {
    opcode = kind === 3 ? 0x9 : 0xa;
    payload = Uint8Array.from({ length: Math.floor(next() * 20) }, () => 0x20 + Math.floor(next() * 90));
  }
  const masked = sender === 'client';
  const lengthBytes = payload.length < 126 ? [payload.length] : [126, payload.length >> 8, payload.length & 0xff];
  const mask = masked ? Array.from({ length: 4 }, () => Math.floor(next() * 256)) : [];
  const body = payload.map((byte, index) => (masked ? byte ^ mask[index % 4] : byte));
  return Uint8Array.from([0x80 | opcode, (masked ? 0x80 : 0) | lengthBytes[0], ...lengthBytes.slice(1), ...mask, ...body]);
}

/** The event exactly as a tunnel emits it and the connection stamps it (see client-connection.ts). */
function stamped(frameEvent: { type: 'frame'; direction: 'client->backend' | 'backend->client'; frame: never }, connection: number, time: number): TapEvent {
  return { ...frameEvent, connection, time } as TapEvent;
}

describe('tapEventJson', () => {
  it('writes every frame the parser reports exactly as JSON.stringify would', () => {
    let compared = 0;
    let closesWithReason = 0;
    let hexPreviews = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const sender = next() < 0.5 ? 'client' : 'server';
      const parser = new WebSocketFrameParser({ sender });
      for (let index = 0; index < 5; index++) {
        for (const output of parser.push(frameBytes(next, sender))) {
          if (output.type !== 'frame') continue;
          const direction = sender === 'client' ? 'client->backend' : 'backend->client';
          const event = stamped({ type: 'frame', direction, frame: output.frame as never }, seed, Date.now() + next());
          expect(tapEventJson(event), `seed ${seed}`).toBe(JSON.stringify(event));
          compared += 1;
          if (output.frame.closeReason) closesWithReason += 1;
          if (output.frame.previewEncoding === 'hex') hexPreviews += 1;
        }
      }
    }
    // The generator must really produce every shape of frame for the check to mean anything
    // (a close frame ends its stream, so not every seed gets five).
    expect(compared).toBeGreaterThan(1000);
    expect(closesWithReason).toBeGreaterThan(50);
    expect(hexPreviews).toBeGreaterThan(50);
  });

  it('covers close frames with a code and reason, and hex previews', () => {
    const parser = new WebSocketFrameParser({ sender: 'server' });
    const [close] = parser.push(Uint8Array.from([0x88, 0x07, 0x03, 0xe8, 0x62, 0x22, 0x5c, 0xc3, 0xa9]));
    const binary = new WebSocketFrameParser({ sender: 'server' }).push(Uint8Array.from([0x82, 0x03, 0xff, 0x00, 0x80]))[0];
    if (close.type !== 'frame' || binary.type !== 'frame') throw new Error('expected frames');
    expect(close.frame).toMatchObject({ closeCode: 1000, closeReason: 'b"\\é' });
    expect(binary.frame.previewEncoding).toBe('hex');
    for (const frame of [close.frame, binary.frame]) {
      const event = stamped({ type: 'frame', direction: 'backend->client', frame: frame as never }, 7, 1795554153709.25);
      expect(tapEventJson(event)).toBe(JSON.stringify(event));
    }
  });

  it('writes other events with JSON.stringify', () => {
    const event: TapEvent = { type: 'head', hop: 'client->proxy', head: 'GET /ws HTTP/1.1\r\nHost: "x"\r\n\r\n', connection: 1, time: 5 };
    expect(tapEventJson(event)).toBe(JSON.stringify(event));
  });
});
