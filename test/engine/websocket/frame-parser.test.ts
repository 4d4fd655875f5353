import { describe, expect, it } from 'vitest';
import { WebSocketFrameParser } from '../../../sandbox/engine/websocket/frame-parser.ts';
import type { FrameParserOptions, FrameParserOutput } from '../../../sandbox/engine/websocket/frame-parser.ts';

const hex = (text: string) => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function parseAll(bytes: Uint8Array, options: FrameParserOptions): FrameParserOutput[] {
  return new WebSocketFrameParser(options).push(bytes);
}

/** Same stream fed one byte at a time: the result must not depend on chunk boundaries. */
function parseByteByByte(bytes: Uint8Array, options: FrameParserOptions): FrameParserOutput[] {
  const parser = new WebSocketFrameParser(options);
  const outputs: FrameParserOutput[] = [];
  for (let index = 0; index < bytes.length; index++) outputs.push(...parser.push(bytes.subarray(index, index + 1)));
  return outputs;
}

const server = { sender: 'server' } as const;
const client = { sender: 'client' } as const;
const plain = { fin: true, rsv: [false, false, false] as [boolean, boolean, boolean] };

describe('WebSocketFrameParser on the RFC 6455 section 5.7 examples', () => {
  it('reads a single-frame unmasked text message', () => {
    expect(parseAll(hex('81 05 48656c6c6f'), server)).toEqual([
      {
        type: 'frame',
        offset: 0,
        headerLength: 2,
        frame: { ...plain, opcode: 1, opcodeName: 'text', masked: false, payloadLength: 5, preview: 'Hello', previewEncoding: 'text' },
      },
    ]);
  });

  it('reads and unmasks a single-frame masked text message', () => {
    expect(parseAll(hex('81 85 37fa213d 7f9f4d5158'), client)).toEqual([
      {
        type: 'frame',
        offset: 0,
        headerLength: 6,
        frame: { ...plain, opcode: 1, opcodeName: 'text', masked: true, payloadLength: 5, preview: 'Hello', previewEncoding: 'text' },
      },
    ]);
  });

  it('reads a fragmented unmasked text message as two frames', () => {
    const outputs = parseAll(hex('01 03 48656c 80 02 6c6f'), server);
    expect(outputs.map((output) => output.type === 'frame' && [output.offset, output.frame.fin, output.frame.opcodeName, output.frame.preview])).toEqual([
      [0, false, 'text', 'Hel'],
      [5, true, 'continuation', 'lo'],
    ]);
  });

  it('reads an unmasked ping and a masked pong', () => {
    const ping = parseAll(hex('89 05 48656c6c6f'), server)[0];
    const pong = parseAll(hex('8a 85 37fa213d 7f9f4d5158'), client)[0];
    expect(ping.type === 'frame' && [ping.frame.opcodeName, ping.frame.preview]).toEqual(['ping', 'Hello']);
    expect(pong.type === 'frame' && [pong.frame.opcodeName, pong.frame.masked, pong.frame.preview]).toEqual(['pong', true, 'Hello']);
  });

  it('reads a 256-byte binary frame with a 16-bit length and previews 125 bytes as hex', () => {
    const payload = new Uint8Array(256).map((_, index) => index);
    const outputs = parseAll(new Uint8Array([...hex('82 7e 0100'), ...payload]), server);
    expect(outputs).toEqual([
      {
        type: 'frame',
        offset: 0,
        headerLength: 4,
        frame: {
          ...plain,
          opcode: 2,
          opcodeName: 'binary',
          masked: false,
          payloadLength: 256,
          preview: Buffer.from(payload.subarray(0, 125)).toString('hex'),
          previewEncoding: 'hex',
        },
      },
    ]);
  });

  it('reads a 64 KiB binary frame with a 64-bit length', () => {
    const frame = new Uint8Array(10 + 65536);
    frame.set(hex('82 7f 0000000000010000'));
    const outputs = parseAll(frame, server);
    expect(outputs.length).toBe(1);
    expect(outputs[0].type === 'frame' && [outputs[0].headerLength, outputs[0].frame.payloadLength]).toEqual([10, 65536]);
  });
});

describe('WebSocketFrameParser as a passive tap', () => {
  it('gives the same frames whether the stream arrives whole or one byte at a time', () => {
    const bytes = hex('81 85 37fa213d 7f9f4d5158  89 80 01020304  88 82 00000000 03e8');
    const whole = parseAll(bytes, client);
    expect(whole.map((output) => output.type === 'frame' && output.frame.opcodeName)).toEqual(['text', 'ping', 'close']);
    expect(parseByteByByte(bytes, client)).toEqual(whole);
  });

  it('never changes a byte of the chunks it observes', () => {
    const bytes = hex('81 85 37fa213d 7f9f4d5158');
    const copy = bytes.slice();
    parseAll(bytes, client);
    expect(bytes).toEqual(copy);
  });

  it('reports each frame at its offset in the stream', () => {
    const outputs = parseAll(hex('81 01 41  81 02 4243  82 00'), server);
    expect(outputs.map((output) => output.offset)).toEqual([0, 3, 7]);
  });

  it('reports a frame only once its last payload byte has arrived', () => {
    const parser = new WebSocketFrameParser(server);
    expect(parser.push(hex('81 05 4865'))).toEqual([]);
    expect(parser.state).toBe('payload');
    const outputs = parser.push(hex('6c6c6f 81'));
    expect(outputs.map((output) => output.type === 'frame' && output.frame.preview)).toEqual(['Hello']);
    expect(parser.state).toBe('frame-header');
  });

  it('keeps a preview that ends inside a multi-byte character as text', () => {
    const payload = new TextEncoder().encode('a' + 'あ'.repeat(60)); // 181 bytes; byte 125 falls inside a character
    const outputs = parseAll(new Uint8Array([...hex('81 7e 00b5'), ...payload]), server);
    expect(outputs[0].type === 'frame' && outputs[0].frame.preview).toBe('a' + 'あ'.repeat(41));
    expect(outputs[0].type === 'frame' && outputs[0].frame.previewEncoding).toBe('text');
  });

  it('accepts a character split across two fragments and a ping between them', () => {
    // "é" is c3 a9: c3 ends the first fragment, a9 starts the continuation.
    const outputs = parseAll(hex('01 02 41c3  89 00  80 02 a942'), server);
    expect(outputs.map((output) => output.type)).toEqual(['frame', 'frame', 'frame']);
    expect(outputs.map((output) => output.type === 'frame' && output.frame.previewEncoding)).toEqual(['text', 'text', 'hex']);
  });

  it('reads the close code and reason of a close frame', () => {
    const outputs = parseAll(hex('88 8c 00000000 03e9 676f696e672061776179'), client);
    expect(outputs).toEqual([
      {
        type: 'frame',
        offset: 0,
        headerLength: 6,
        frame: {
          ...plain,
          opcode: 8,
          opcodeName: 'close',
          masked: true,
          payloadLength: 12,
          preview: '03e9676f696e672061776179',
          previewEncoding: 'hex',
          closeCode: 1001,
          closeReason: 'going away',
        },
      },
    ]);
  });

  it('reads an empty close frame without a code', () => {
    const outputs = parseAll(hex('88 00'), server);
    expect(outputs[0].type === 'frame' && outputs[0].frame).toEqual({
      ...plain,
      opcode: 8,
      opcodeName: 'close',
      masked: false,
      payloadLength: 0,
      preview: '',
      previewEncoding: 'hex',
    });
    expect(outputs[0].type === 'frame' && 'closeCode' in outputs[0].frame).toBe(false);
  });

  it('allows RSV1 on the first frame of a message when permessage-deflate was negotiated, previewed as hex', () => {
    const outputs = parseAll(hex('41 03 f24801  80 02 0000'), { sender: 'server', perMessageDeflate: true });
    expect(outputs.map((output) => output.type === 'frame' && [output.frame.rsv[0], output.frame.previewEncoding])).toEqual([
      [true, 'hex'],
      [false, 'hex'],
    ]);
  });
});

describe('WebSocketFrameParser protocol violations', () => {
  const errorOf = (bytes: string, options: FrameParserOptions = server) => {
    const outputs = parseAll(hex(bytes), options);
    const error = outputs.find((output) => output.type === 'frame-error');
    return error && error.type === 'frame-error' ? { code: error.code, message: error.message, offset: error.offset } : undefined;
  };

  it('reports RSV1 without a negotiated extension', () => {
    expect(errorOf('c1 00')).toEqual({ code: 'WS_ERR_UNEXPECTED_RSV_1', message: 'Invalid WebSocket frame: RSV1 must be clear', offset: 0 });
  });

  it('reports RSV2 or RSV3', () => {
    expect(errorOf('a1 00')?.code).toBe('WS_ERR_UNEXPECTED_RSV_2_3');
    expect(errorOf('91 00')?.message).toBe('Invalid WebSocket frame: RSV2 and RSV3 must be clear');
  });

  it('reports RSV1 on a continuation frame or a control frame even with permessage-deflate', () => {
    const deflate = { sender: 'server', perMessageDeflate: true } as const;
    expect(errorOf('41 01 00  c0 00', deflate)).toEqual({ code: 'WS_ERR_UNEXPECTED_RSV_1', message: 'Invalid WebSocket frame: RSV1 must be clear', offset: 3 });
    expect(errorOf('c9 00', deflate)?.code).toBe('WS_ERR_UNEXPECTED_RSV_1');
  });

  it('reports reserved opcodes', () => {
    expect(errorOf('83 00')).toEqual({ code: 'WS_ERR_INVALID_OPCODE', message: 'Invalid WebSocket frame: invalid opcode 3', offset: 0 });
    expect(errorOf('8b 00')?.message).toBe('Invalid WebSocket frame: invalid opcode 11');
  });

  it('reports a continuation frame with no message to continue', () => {
    expect(errorOf('80 00')?.message).toBe('Invalid WebSocket frame: invalid opcode 0');
  });

  it('reports a new data message inside an unfinished fragmented one', () => {
    expect(errorOf('01 01 41  81 01 42')).toEqual({ code: 'WS_ERR_INVALID_OPCODE', message: 'Invalid WebSocket frame: invalid opcode 1', offset: 3 });
  });

  it('reports a fragmented control frame', () => {
    expect(errorOf('09 00')).toEqual({ code: 'WS_ERR_EXPECTED_FIN', message: 'Invalid WebSocket frame: FIN must be set', offset: 0 });
  });

  it('reports a control frame longer than 125 bytes', () => {
    expect(errorOf('89 7e 007e')).toEqual({
      code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      message: 'Invalid WebSocket frame: invalid payload length 126',
      offset: 0,
    });
  });

  it('reports a close frame with a 1-byte payload', () => {
    expect(errorOf('88 01 03')?.message).toBe('Invalid WebSocket frame: invalid payload length 1');
  });

  it('reports an unmasked frame from a client and a masked frame from a server', () => {
    expect(errorOf('81 00', client)).toEqual({ code: 'WS_ERR_EXPECTED_MASK', message: 'Invalid WebSocket frame: MASK must be set', offset: 0 });
    expect(errorOf('81 80 00000000', server)).toEqual({ code: 'WS_ERR_UNEXPECTED_MASK', message: 'Invalid WebSocket frame: MASK must be clear', offset: 0 });
  });

  it('reports a 64-bit length beyond 2^53 - 1', () => {
    expect(errorOf('82 7f 0020000000000000')).toEqual({
      code: 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
      message: 'Invalid WebSocket frame: Unsupported WebSocket frame: payload length > 2^53 - 1',
      offset: 0,
    });
  });

  it('reports close codes that must not appear on the wire', () => {
    expect(errorOf('88 02 03ed')).toEqual({ code: 'WS_ERR_INVALID_CLOSE_CODE', message: 'Invalid WebSocket frame: invalid status code 1005', offset: 0 });
    expect(errorOf('88 02 0bb7')?.message).toBe('Invalid WebSocket frame: invalid status code 2999');
    expect(errorOf('88 02 0bb8')).toBeUndefined();
  });

  it('reports invalid UTF-8 in a text message and in a close reason', () => {
    expect(errorOf('81 02 c328')).toEqual({ code: 'WS_ERR_INVALID_UTF8', message: 'Invalid WebSocket frame: invalid UTF-8 sequence', offset: 0 });
    expect(errorOf('88 03 03e8 ff')?.code).toBe('WS_ERR_INVALID_UTF8');
  });

  it('reports a text message that ends in the middle of a character', () => {
    expect(errorOf('01 01 41  80 01 c3')).toEqual({ code: 'WS_ERR_INVALID_UTF8', message: 'Invalid WebSocket frame: invalid UTF-8 sequence', offset: 3 });
  });

  it('reports bytes after a close frame', () => {
    expect(errorOf('88 02 03e8  81 00')).toEqual({ code: 'WS_ERR_DATA_AFTER_CLOSE', message: 'Invalid WebSocket frame: data after a close frame', offset: 4 });
  });

  it('stops parsing the direction after a violation and ignores the rest', () => {
    const parser = new WebSocketFrameParser(server);
    const first = parser.push(hex('81 01 41  83 00  81 01 42'));
    expect(first.map((output) => output.type)).toEqual(['frame', 'frame-error']);
    expect(parser.state).toBe('stopped');
    expect(parser.push(hex('81 01 43'))).toEqual([]);
  });

  it('reports the violation found in the frame header before the payload has arrived', () => {
    const parser = new WebSocketFrameParser(server);
    expect(parser.push(hex('89 7e')).map((output) => output.type)).toEqual(['frame-error']);
  });
});

describe('WebSocketFrameParser on long text payloads (the word-at-a-time ASCII check)', () => {
  const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
  /** A text frame, masked with `key` when `masked`, placed `shift` bytes into a larger buffer. */
  function textFrame(payload: Uint8Array, masked: boolean, shift: number): Uint8Array {
    const header = [0x81, (masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff];
    const bytes = new Uint8Array(shift + header.length + (masked ? 4 : 0) + payload.length);
    bytes.set(header, shift);
    let at = shift + header.length;
    if (masked) {
      bytes.set(key, at);
      at += 4;
    }
    for (let index = 0; index < payload.length; index++) bytes[at + index] = masked ? payload[index] ^ key[index & 3] : payload[index];
    return bytes.subarray(shift);
  }

  const ascii = (length: number) => new TextEncoder().encode('abcdefghij'.repeat(Math.ceil(length / 10)).slice(0, length));

  // Payloads long enough for the 32-bit path, at every alignment of the underlying buffer, with a
  // non-ASCII byte in the unaligned head, in the middle words and in the tail.
  for (const masked of [true, false]) {
    for (const shift of [0, 1, 2, 3]) {
      it(`${masked ? 'masked' : 'unmasked'}, buffer offset ${shift}: all-ASCII passes; a lone 0xff anywhere fails; a valid é anywhere passes`, () => {
        const sender = masked ? 'client' : 'server';
        const length = 1003;
        const plain = new WebSocketFrameParser({ sender }).push(textFrame(ascii(length), masked, shift));
        expect(plain.map((output) => output.type)).toEqual(['frame']);
        for (const position of [0, 1, 2, 5, 500, 997, 1001]) {
          const invalid = ascii(length);
          invalid[position] = 0xff;
          const outputs = new WebSocketFrameParser({ sender }).push(textFrame(invalid, masked, shift));
          expect(outputs.map((output) => (output.type === 'frame-error' ? output.code : output.type)), `0xff at ${position}`).toEqual(['WS_ERR_INVALID_UTF8']);

          const accented = ascii(length);
          accented.set([0xc3, 0xa9], position);
          const valid = new WebSocketFrameParser({ sender }).push(textFrame(accented, masked, shift));
          expect(valid.map((output) => output.type), `é at ${position}`).toEqual(['frame']);
        }
      });
    }
  }

  it('previews the first 125 unmasked bytes of a long masked text frame split across chunks', () => {
    const payload = ascii(1000);
    const frame = textFrame(payload, true, 1);
    const parser = new WebSocketFrameParser({ sender: 'client' });
    const outputs = [frame.subarray(0, 7), frame.subarray(7, 60), frame.subarray(60)].flatMap((chunk) => parser.push(chunk));
    expect(outputs).toHaveLength(1);
    const [output] = outputs;
    expect(output.type === 'frame' && output.frame.preview).toBe(new TextDecoder().decode(payload.subarray(0, 125)));
  });

  it('previews binary as lower-case hex of the unmasked bytes', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, index) => (index * 37) & 0xff);
    const header = [0x82, 0x80 | 126, 300 >> 8, 300 & 0xff, ...key];
    const masked = Uint8Array.from(payload, (byte, index) => byte ^ key[index & 3]);
    const [output] = new WebSocketFrameParser({ sender: 'client' }).push(Uint8Array.from([...header, ...masked]));
    const expected = Array.from(payload.subarray(0, 125), (byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(output.type === 'frame' && output.frame.preview).toBe(expected);
    expect(output.type === 'frame' && output.frame.previewEncoding).toBe('hex');
  });
});
