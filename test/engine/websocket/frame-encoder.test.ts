import { describe, expect, it } from 'vitest';
import { encodeClosePayload, encodeFrame } from '../../../sandbox/engine/websocket/frame-encoder.ts';
import { WebSocketFrameParser } from '../../../sandbox/engine/websocket/frame-parser.ts';

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encodeFrame', () => {
  it('builds the RFC 6455 unmasked and masked "Hello" frames', () => {
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hello' }))).toBe('810548656c6c6f');
    expect(toHex(encodeFrame({ opcode: 1, payload: 'Hello', maskingKey: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) }))).toBe(
      '818537fa213d7f9f4d5158',
    );
  });

  it('uses the 16-bit and 64-bit length forms at 126 and 65536 bytes', () => {
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(126) }).subarray(0, 4))).toBe('827e007e');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65535) }).subarray(0, 4))).toBe('827effff');
    expect(toHex(encodeFrame({ opcode: 2, payload: new Uint8Array(65536) }).subarray(0, 10))).toBe('827f0000000000010000');
  });

  it('sets FIN and RSV bits as asked, even when that breaks the rules', () => {
    expect(toHex(encodeFrame({ opcode: 9, fin: false, rsv1: true, rsv2: true, rsv3: true }))).toBe('7900');
  });

  it('writes a declared length that differs from the payload, for lying frames', () => {
    expect(toHex(encodeFrame({ opcode: 9, declaredLength: 126, payload: '' }))).toBe('897e007e');
  });

  it('round-trips through the parser', () => {
    const frame = encodeFrame({ opcode: 8, payload: encodeClosePayload(4000, 'bye'), maskingKey: new Uint8Array([1, 2, 3, 4]) });
    const [output] = new WebSocketFrameParser({ sender: 'client' }).push(frame);
    expect(output.type === 'frame' && [output.frame.closeCode, output.frame.closeReason]).toEqual([4000, 'bye']);
  });
});

describe('encodeClosePayload', () => {
  it('puts the code big-endian before the UTF-8 reason', () => {
    expect(toHex(encodeClosePayload(1000))).toBe('03e8');
    expect(toHex(encodeClosePayload(1001, 'é'))).toBe('03e9c3a9');
  });
});
