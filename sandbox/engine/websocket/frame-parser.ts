/**
 * The traffic tap's WebSocket frame parser: it watches one direction of an upgraded tunnel and
 * describes each frame (RFC 6455 section 5.2) as it completes. It only observes: callers relay
 * their chunks unchanged and hand the same chunks here; the parser copies out the few bytes it
 * needs (header, masking key, a payload preview) and never holds on to the stream.
 *
 * It is an explicit state machine in the manner of the ws library's receiver: named states, one
 * small method per state, bytes consumed as chunks arrive. A protocol violation is reported once
 * with a stable code (the same codes ws uses, so a learner can match them with what a backend
 * logs) and the parser stops parsing that direction instead of throwing: httpd itself does not
 * parse frames and keeps relaying, so the tap must not break the tunnel either.
 */
import type { TappedFrame } from '../tap-events.ts';

/** Where the parser is within the current frame. */
export type FrameParserState =
  | 'frame-header'
  | 'extended-length-16'
  | 'extended-length-64'
  | 'masking-key'
  | 'payload'
  /** A close frame went by; RFC 6455 allows nothing after it in this direction. */
  | 'after-close'
  /** A violation was reported; the rest of the stream is not parsed. */
  | 'stopped';

/** Stable codes for protocol violations (shared with the ws library where it has one). */
export type FrameErrorCode =
  | 'WS_ERR_UNEXPECTED_RSV_1'
  | 'WS_ERR_UNEXPECTED_RSV_2_3'
  | 'WS_ERR_INVALID_OPCODE'
  | 'WS_ERR_EXPECTED_FIN'
  | 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'
  | 'WS_ERR_EXPECTED_MASK'
  | 'WS_ERR_UNEXPECTED_MASK'
  | 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
  | 'WS_ERR_INVALID_CLOSE_CODE'
  | 'WS_ERR_INVALID_UTF8'
  | 'WS_ERR_DATA_AFTER_CLOSE';

/** One thing the parser noticed, with the stream offset of the frame it concerns. */
export type FrameParserOutput =
  | { type: 'frame'; frame: TappedFrame; offset: number; headerLength: number }
  | { type: 'frame-error'; code: FrameErrorCode; message: string; offset: number };

export interface FrameParserOptions {
  /** Frames from a client must be masked, frames from a server must not (RFC 6455 section 5.1). */
  sender: 'client' | 'server';
  /** permessage-deflate was negotiated, so RSV1 may mark a compressed message. */
  perMessageDeflate?: boolean;
  /** How many payload bytes to keep for the preview; default 125 (a whole control frame). */
  previewBytes?: number;
}

export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
};

/** Close codes an endpoint may put on the wire (RFC 6455 section 7.4, as ws validates them). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** Largest length a JavaScript number holds exactly; longer frames are refused like ws does. */
const MAX_SAFE_HIGH_WORD = 2 ** 21 - 1;

/** Incremental frame parser for one direction of a WebSocket tunnel. */
export class WebSocketFrameParser {
  private readonly sender: 'client' | 'server';
  private readonly perMessageDeflate: boolean;
  private readonly previewLimit: number;

  private currentState: FrameParserState = 'frame-header';
  private input: Uint8Array = new Uint8Array(0);
  private inputOffset = 0;
  /** Bytes consumed from the stream before the current chunk. */
  private streamOffset = 0;
  private output: FrameParserOutput[] = [];

  /** Header bytes gathered across chunk boundaries. */
  private readonly gathered = new Uint8Array(8);
  private gatheredLength = 0;

  // The frame being read.
  private frameOffset = 0;
  private headerLength = 0;
  private fin = false;
  private rsv: [boolean, boolean, boolean] = [false, false, false];
  private opcode = 0;
  private masked = false;
  private readonly maskingKey = new Uint8Array(4);
  private payloadLength = 0;
  private payloadRead = 0;
  /** Preview bytes of the current frame: previewLength bytes of a buffer reused from frame to frame. */
  private readonly previewBuffer: Uint8Array;
  private previewLength = 0;
  /** Scratch space for unmasking a text payload chunk before its UTF-8 check. */
  private scratch = new Uint8Array(0);

  // The message the current data frame belongs to (it may span continuation frames).
  private messageOpcode = 0;
  private messageCompressed = false;
  /** Whether the current message is text to validate as UTF-8. */
  private validatingText = false;
  /** Created on the first non-ASCII byte of a text message (ASCII needs no decoder), then reused. */
  private textValidator: TextDecoder | null = null;
  private textValidatorActive = false;

  /** Create a parser for frames sent by a client or by a server. */
  constructor(options: FrameParserOptions) {
    this.sender = options.sender;
    this.perMessageDeflate = options.perMessageDeflate ?? false;
    this.previewLimit = options.previewBytes ?? 125;
    this.previewBuffer = new Uint8Array(Math.max(this.previewLimit, 125));
  }

  /** The state the parser is in, for display and tests. */
  get state(): FrameParserState {
    return this.currentState;
  }

  /** Observe the next chunk of the stream; returns the frames completed and errors found in it. */
  push(chunk: Uint8Array): FrameParserOutput[] {
    // A plain view: subarrays of a Node Buffer go through its species constructor, which costs
    // more than the parse itself on a busy tunnel.
    this.input = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.inputOffset = 0;
    this.output = [];
    let progressing = true;
    while (progressing) {
      switch (this.currentState) {
        case 'frame-header':
          progressing = this.readFrameHeader();
          break;
        case 'extended-length-16':
          progressing = this.readExtendedLength16();
          break;
        case 'extended-length-64':
          progressing = this.readExtendedLength64();
          break;
        case 'masking-key':
          progressing = this.readMaskingKey();
          break;
        case 'payload':
          progressing = this.readPayload();
          break;
        case 'after-close':
          progressing = this.rejectDataAfterClose();
          break;
        case 'stopped':
          progressing = false;
          break;
      }
    }
    this.streamOffset += chunk.length;
    const produced = this.output;
    this.output = [];
    return produced;
  }

  private readFrameHeader(): boolean {
    if (this.gatheredLength === 0) this.frameOffset = this.streamOffset + this.inputOffset;
    const header = this.gather(2);
    if (header === null) return false;
    this.headerLength = 2;
    this.fin = (header[0] & 0x80) !== 0;
    this.rsv = [(header[0] & 0x40) !== 0, (header[0] & 0x20) !== 0, (header[0] & 0x10) !== 0];
    this.opcode = header[0] & 0x0f;
    this.masked = (header[1] & 0x80) !== 0;
    this.payloadLength = header[1] & 0x7f;

    const violation = this.checkFrameHeader();
    if (violation !== null) return this.fail(violation.code, violation.message);

    if (this.payloadLength === 126) this.currentState = 'extended-length-16';
    else if (this.payloadLength === 127) this.currentState = 'extended-length-64';
    else this.afterLength();
    return true;
  }

  /** The header rules, in the order the ws receiver applies them, so the first error reported matches. */
  private checkFrameHeader(): { code: FrameErrorCode; message: string } | null {
    const [rsv1, rsv2, rsv3] = this.rsv;
    if (rsv2 || rsv3) return { code: 'WS_ERR_UNEXPECTED_RSV_2_3', message: 'RSV2 and RSV3 must be clear' };
    if (rsv1 && !this.perMessageDeflate) return { code: 'WS_ERR_UNEXPECTED_RSV_1', message: 'RSV1 must be clear' };

    const isControl = this.opcode >= 0x8;
    if (this.opcode === 0x0) {
      // Compression is signalled on the first frame of a message only.
      if (rsv1) return { code: 'WS_ERR_UNEXPECTED_RSV_1', message: 'RSV1 must be clear' };
      if (this.messageOpcode === 0) return { code: 'WS_ERR_INVALID_OPCODE', message: 'invalid opcode 0' };
    } else if (this.opcode === 0x1 || this.opcode === 0x2) {
      if (this.messageOpcode !== 0) return { code: 'WS_ERR_INVALID_OPCODE', message: `invalid opcode ${this.opcode}` };
    } else if (isControl && this.opcode <= 0xa) {
      if (!this.fin) return { code: 'WS_ERR_EXPECTED_FIN', message: 'FIN must be set' };
      if (rsv1) return { code: 'WS_ERR_UNEXPECTED_RSV_1', message: 'RSV1 must be clear' };
      if (this.payloadLength > 125 || (this.opcode === 0x8 && this.payloadLength === 1)) {
        return { code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', message: `invalid payload length ${this.payloadLength}` };
      }
    } else {
      return { code: 'WS_ERR_INVALID_OPCODE', message: `invalid opcode ${this.opcode}` };
    }

    if (this.sender === 'client' && !this.masked) return { code: 'WS_ERR_EXPECTED_MASK', message: 'MASK must be set' };
    if (this.sender === 'server' && this.masked) return { code: 'WS_ERR_UNEXPECTED_MASK', message: 'MASK must be clear' };
    return null;
  }

  private readExtendedLength16(): boolean {
    const bytes = this.gather(2);
    if (bytes === null) return false;
    this.headerLength += 2;
    this.payloadLength = (bytes[0] << 8) | bytes[1];
    this.afterLength();
    return true;
  }

  private readExtendedLength64(): boolean {
    const bytes = this.gather(8);
    if (bytes === null) return false;
    this.headerLength += 8;
    const high = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const low = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    if (high > MAX_SAFE_HIGH_WORD) {
      return this.fail('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'Unsupported WebSocket frame: payload length > 2^53 - 1');
    }
    this.payloadLength = high * 2 ** 32 + low;
    this.afterLength();
    return true;
  }

  private afterLength(): void {
    this.currentState = this.masked ? 'masking-key' : 'payload';
    if (!this.masked) this.startPayload();
  }

  private readMaskingKey(): boolean {
    const key = this.gather(4);
    if (key === null) return false;
    this.headerLength += 4;
    this.maskingKey.set(key);
    this.currentState = 'payload';
    this.startPayload();
    return true;
  }

  private startPayload(): void {
    this.payloadRead = 0;
    // Control payloads are at most 125 bytes and a close reason is needed whole, so keep them all.
    this.previewLength = this.isControl() ? this.payloadLength : Math.min(this.payloadLength, this.previewLimit);
    if (this.opcode === 0x1 || this.opcode === 0x2) {
      this.messageOpcode = this.opcode;
      this.messageCompressed = this.rsv[0];
      // Compressed text can only be checked after inflating, which the tap does not do.
      this.validatingText = this.opcode === 0x1 && !this.messageCompressed;
      this.textValidatorActive = false;
    }
  }

  private readPayload(): boolean {
    const available = this.input.length - this.inputOffset;
    const wanted = this.payloadLength - this.payloadRead;
    if (wanted > 0 && available === 0) return false;
    const length = Math.min(available, wanted);
    const raw = this.input.subarray(this.inputOffset, this.inputOffset + length);
    const validate = !this.isControl() && this.validatingText;
    // Only text needs every byte unmasked (for its UTF-8 check); otherwise just the preview's.
    if (validate && !this.textValidatorActive && isAsciiMasked(raw, this.masked ? this.maskingKey : null, this.payloadRead)) {
      // All ASCII: valid UTF-8 whatever came before (no partial sequence can be pending), so only
      // the preview's bytes need unmasking.
      this.keepPreview(raw);
      this.inputOffset += length;
      this.payloadRead += length;
    } else if (validate) {
      const unmasked = this.unmaskToScratch(raw, this.payloadRead, length);
      if (this.payloadRead < this.previewLength) this.previewBuffer.set(unmasked.subarray(0, this.previewLength - this.payloadRead), this.payloadRead);
      this.inputOffset += length;
      this.payloadRead += length;
      if (!this.validateText(unmasked, false)) return false;
    } else {
      this.keepPreview(raw);
      this.inputOffset += length;
      this.payloadRead += length;
    }
    if (this.payloadRead < this.payloadLength) return false;
    return this.finishFrame();
  }

  private finishFrame(): boolean {
    const isDataFrame = !this.isControl();
    if (isDataFrame && this.fin && !this.validateText(EMPTY, true)) return false;

    const described = describePreview(this.previewBuffer.subarray(0, Math.min(this.previewLength, this.previewLimit)), this.previewIsCut(), this.showsAsText());
    const frame: TappedFrame = {
      fin: this.fin,
      rsv: this.rsv,
      opcode: this.opcode,
      opcodeName: OPCODE_NAMES[this.opcode],
      masked: this.masked,
      payloadLength: this.payloadLength,
      preview: described.preview,
      previewEncoding: described.previewEncoding,
    };
    if (this.opcode === 0x8 && !this.describeClose(frame)) return false;

    this.output.push({ type: 'frame', frame, offset: this.frameOffset, headerLength: this.headerLength });
    if (isDataFrame && this.fin) {
      this.messageOpcode = 0;
      this.validatingText = false;
      this.textValidatorActive = false;
    }
    this.currentState = this.opcode === 0x8 ? 'after-close' : 'frame-header';
    return true;
  }

  /** Fill in the close code and reason, or report why they are invalid. */
  private describeClose(frame: TappedFrame): boolean {
    if (this.payloadLength < 2) return true;
    const code = (this.previewBuffer[0] << 8) | this.previewBuffer[1];
    if (!isValidCloseCode(code)) return this.fail('WS_ERR_INVALID_CLOSE_CODE', `invalid status code ${code}`, this.frameOffset);
    const reason = decodeUtf8(this.previewBuffer.subarray(2, this.previewLength), false);
    if (reason === null) return this.fail('WS_ERR_INVALID_UTF8', 'invalid UTF-8 sequence', this.frameOffset);
    frame.closeCode = code;
    frame.closeReason = reason;
    return true;
  }

  /** Feed a text message's bytes to a streaming UTF-8 check; at the message's end, incomplete sequences fail too. */
  private validateText(bytes: Uint8Array, endOfMessage: boolean): boolean {
    if (!this.validatingText) return true;
    // ASCII is valid UTF-8 and leaves no partial sequence behind, so the decoder only starts at
    // the first chunk with a byte >= 0x80 and sees every byte from there on.
    if (!this.textValidatorActive) {
      if (isAscii(bytes)) return true;
      this.textValidatorActive = true;
      this.textValidator ??= new TextDecoder('utf-8', { fatal: true });
    }
    try {
      this.textValidator!.decode(bytes, { stream: !endOfMessage });
      return true;
    } catch {
      // A decoder that threw may hold state; the next message gets a fresh one.
      this.textValidator = null;
      return this.fail('WS_ERR_INVALID_UTF8', 'invalid UTF-8 sequence', this.frameOffset);
    }
  }

  private rejectDataAfterClose(): boolean {
    if (this.inputOffset >= this.input.length) return false;
    return this.fail('WS_ERR_DATA_AFTER_CLOSE', 'data after a close frame', this.streamOffset + this.inputOffset);
  }

  private isControl(): boolean {
    return this.opcode >= 0x8;
  }

  /** Whether the preview may end inside a character: it was cut short, or the message goes on in another frame. */
  private previewIsCut(): boolean {
    return Math.min(this.previewLength, this.previewLimit) < this.payloadLength || (!this.fin && !this.isControl());
  }

  /** Text and ping/pong data are meant to be read; binary, compressed data and close payloads are shown as hex. */
  private showsAsText(): boolean {
    if (this.opcode === 0x8) return false; // its code and reason are reported separately
    if (this.isControl()) return true;
    if (this.messageCompressed) return false;
    return (this.opcode === 0x0 ? this.messageOpcode : this.opcode) === 0x1;
  }

  /** Copy `length` bytes into the gather buffer, across chunks; null until all have arrived. */
  private gather(length: number): Uint8Array | null {
    const take = Math.min(length - this.gatheredLength, this.input.length - this.inputOffset);
    for (let index = 0; index < take; index++) this.gathered[this.gatheredLength + index] = this.input[this.inputOffset + index];
    this.gatheredLength += take;
    this.inputOffset += take;
    if (this.gatheredLength < length) return null;
    this.gatheredLength = 0;
    return this.gathered.subarray(0, length);
  }

  /** Copy the part of `raw` (payload bytes from `payloadRead` on) that falls in the preview, unmasked. */
  private keepPreview(raw: Uint8Array): void {
    if (this.payloadRead >= this.previewLength) return;
    const take = Math.min(raw.length, this.previewLength - this.payloadRead);
    if (this.masked) unmaskInto(this.previewBuffer, this.payloadRead, raw, take, this.maskingKey, this.payloadRead);
    else this.previewBuffer.set(raw.subarray(0, take), this.payloadRead);
  }

  /**
   * The first `length` of `bytes` unmasked, in a scratch buffer reused across chunks; `position`
   * is where they sit in the payload (the mask cycles every 4).
   */
  private unmaskToScratch(bytes: Uint8Array, position: number, length: number): Uint8Array {
    if (!this.masked) return bytes.subarray(0, length);
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, 2 * this.scratch.length, 4096));
    unmaskInto(this.scratch, 0, bytes, length, this.maskingKey, position);
    return this.scratch.subarray(0, length);
  }

  private fail(code: FrameErrorCode, message: string, offset = this.frameOffset): boolean {
    this.output.push({ type: 'frame-error', code, message: `Invalid WebSocket frame: ${message}`, offset });
    this.currentState = 'stopped';
    return false;
  }
}

/**
 * Write `length` bytes of `bytes` XOR the masking key to `out` at `outOffset`; `position` is where
 * the bytes sit in the payload. Into a caller's buffer: a fresh array per frame would cost an
 * allocation (and, above 64 bytes, off-heap memory) on every frame of a busy tunnel.
 */
function unmaskInto(out: Uint8Array, outOffset: number, bytes: Uint8Array, length: number, key: Uint8Array, position: number): void {
  const k0 = key[position & 3];
  const k1 = key[(position + 1) & 3];
  const k2 = key[(position + 2) & 3];
  const k3 = key[(position + 3) & 3];
  let index = 0;
  for (; index + 3 < length; index += 4) {
    out[outOffset + index] = bytes[index] ^ k0;
    out[outOffset + index + 1] = bytes[index + 1] ^ k1;
    out[outOffset + index + 2] = bytes[index + 2] ^ k2;
    out[outOffset + index + 3] = bytes[index + 3] ^ k3;
  }
  for (; index < length; index++) out[outOffset + index] = bytes[index] ^ key[(position + index) & 3];
}

/** Preview text for the tap: decoded text when it should and can be read, otherwise hex. */
function describePreview(preview: Uint8Array, cut: boolean, asText: boolean): Pick<TappedFrame, 'preview' | 'previewEncoding'> {
  if (asText) {
    // A cut preview may end inside a multi-byte character; that alone does not make it binary.
    const text = decodeUtf8(preview, cut);
    if (text !== null) return { preview: text, previewEncoding: 'text' };
  }
  return { preview: toHex(preview), previewEncoding: 'hex' };
}

const EMPTY = new Uint8Array(0);
/** Shared by non-streaming decodes only: a decode without `stream` leaves no state behind. */
const wholeDecoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, truncated: boolean): string | null {
  try {
    if (!truncated) return wholeDecoder.decode(bytes);
    if (isAscii(bytes)) return latin1Ascii(bytes);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return null;
  }
}

/** Scratch for isAsciiMasked's key word. */
const keyWordBytes = new Uint8Array(4);
const keyWordView = new Uint32Array(keyWordBytes.buffer);

/**
 * Whether masked bytes unmask to ASCII: the top bit of each byte equals the key byte's top bit
 * (`key` null: unmasked bytes). Checked a 32-bit word at a time over the aligned middle, since a
 * text frame's every byte goes through here: byte by byte, a 16 KiB message cost the tap more
 * than relaying it.
 */
function isAsciiMasked(bytes: Uint8Array, key: Uint8Array | null, position: number): boolean {
  const keyTopBit = (offset: number) => (key === null ? 0 : key[(position + offset) & 3] & 0x80);
  const length = bytes.length;
  let index = 0;
  const misalignment = (4 - (bytes.byteOffset & 3)) & 3;
  for (; index < misalignment && index < length; index++) if (((bytes[index] & 0x80) ^ keyTopBit(index)) !== 0) return false;
  const words = (length - index) >>> 2;
  // A view costs an allocation: worth it for long payloads only.
  if (words >= 64) {
    // The key's top bits laid out in memory order, so the word compares the same on any endianness.
    for (let offset = 0; offset < 4; offset++) keyWordBytes[offset] = keyTopBit(index + offset);
    const keyWord = keyWordView[0];
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + index, words);
    for (let word = 0; word < words; word++) if (((view[word] & 0x80808080) ^ keyWord) !== 0) return false;
    index += words * 4;
  }
  for (; index < length; index++) if (((bytes[index] & 0x80) ^ keyTopBit(index)) !== 0) return false;
  return true;
}

function isAscii(bytes: Uint8Array): boolean {
  return isAsciiMasked(bytes, null, 0);
}

/**
 * Strings are built by one native decode of a byte buffer rather than by concatenation: `+=` per
 * character leaves a rope of small strings that JSON.stringify must flatten, for every frame.
 * ASCII decodes the same under any decoder, and this one never throws.
 */
const asciiDecoder = new TextDecoder('utf-8');

function latin1Ascii(bytes: Uint8Array): string {
  return asciiDecoder.decode(bytes);
}

const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
/** Scratch for toHex's ASCII digits, grown as needed and reused. */
let hexScratch = new Uint8Array(256);

/** Lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  if (hexScratch.length < 2 * bytes.length) hexScratch = new Uint8Array(2 * bytes.length);
  for (let index = 0; index < bytes.length; index++) {
    hexScratch[2 * index] = HEX_DIGITS[bytes[index] >> 4];
    hexScratch[2 * index + 1] = HEX_DIGITS[bytes[index] & 0x0f];
  }
  return asciiDecoder.decode(hexScratch.subarray(0, 2 * bytes.length));
}
