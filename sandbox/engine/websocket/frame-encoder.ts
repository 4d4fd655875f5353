/**
 * Builds WebSocket frames byte by byte, for tests and for the sandbox's frame playground. It does
 * no validation on purpose: tests need to produce frames that break the rules.
 */

export interface FrameSpec {
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  opcode: number;
  payload?: Uint8Array | string;
  /** A 4-byte masking key (client frames); omitted means an unmasked frame. */
  maskingKey?: Uint8Array;
  /** Override the length written in the header (to build lying frames); default the payload's length. */
  declaredLength?: number;
}

/** Encode one frame: header, optional extended length and masking key, masked payload. */
export function encodeFrame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const length = spec.declaredLength ?? payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const maskBytes = spec.maskingKey ? 4 : 0;
  const frame = new Uint8Array(2 + lengthBytes + maskBytes + payload.length);

  frame[0] =
    ((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | (spec.opcode & 0x0f);
  frame[1] = (spec.maskingKey ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  const view = new DataView(frame.buffer);
  if (lengthBytes === 2) view.setUint16(2, length);
  if (lengthBytes === 8) {
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length >>> 0);
  }
  const payloadStart = 2 + lengthBytes + maskBytes;
  if (spec.maskingKey) frame.set(spec.maskingKey.subarray(0, 4), 2 + lengthBytes);
  for (let index = 0; index < payload.length; index++) {
    frame[payloadStart + index] = spec.maskingKey ? payload[index] ^ spec.maskingKey[index & 3] : payload[index];
  }
  return frame;
}

/** Encode a close frame's payload: a 2-byte code and a UTF-8 reason. */
export function encodeClosePayload(code: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}
