/**
 * Where an HTTP/1.1 message body ends (RFC 9112 section 6.3), so a relay can pass bodies through
 * unchanged and know where the next message on a keep-alive connection begins. The chunked
 * decoder follows httpd's parse_chunk_size (modules/http/http_filters.c): strict CRLF, up to 10
 * blanks after the size, control characters refused in extensions, 64-bit sizes, and the size
 * line counted against LimitRequestFieldSize. It only counts bytes; it never copies the body.
 */

export type BodyFraming =
  /** No body at all (HEAD answers, 1xx, 204, 304, requests without a length). */
  | { kind: 'none' }
  | { kind: 'content-length'; length: number }
  | { kind: 'chunked' }
  /** The body runs until the sender closes (responses only). */
  | { kind: 'until-close' };

/** Stable codes for a body that cannot be framed. */
export type BodyErrorCode =
  | 'CHUNK_SIZE_INVALID'
  | 'CHUNK_SIZE_OVERFLOW'
  | 'CHUNK_LINE_TOO_LONG'
  | 'CHUNK_CRLF_EXPECTED'
  | 'TRAILER_INVALID'
  | 'BODY_TRUNCATED'
  /** More chunk data than `payloadLimit` (LimitRequestBody): httpd stops reading there. */
  | 'BODY_OVER_LIMIT';

export interface BodyError {
  code: BodyErrorCode;
  message: string;
  /** Offset within the body where the problem was found. */
  offset: number;
  /**
   * How httpd answers a request whose chunked body fails this way (measured through mod_proxy):
   * 413 when a size or line overflows, 400 otherwise. Absent for a truncated body.
   */
  status?: 400 | 413;
  /** The info-level line httpd logs for it (AH01590), with its OS error prefix. */
  errorLog?: { code: 'AH01590'; message: string; osError: string };
}

/** What one push found. */
export interface BodyProgress {
  /** Bytes of this chunk that belong to the body (framing included); the rest belong to the next message. */
  consumed: number;
  done: boolean;
  error?: BodyError;
}

export interface BodyDecoderOptions {
  /** Require CR before every LF in chunk framing, as httpd does by default. Default true. */
  strict?: boolean;
  /** Limit for a chunk-size line and for trailer lines (LimitRequestFieldSize). Default 8190. */
  lineLimit?: number;
  /** Receives the payload bytes of a chunked body without the chunk framing (to re-frame it). */
  onChunkData?: (data: Uint8Array) => void;
  /**
   * LimitRequestBody for a chunked body (0 or absent: none): decoding stops with BODY_OVER_LIMIT
   * right after the chunk data that passed it, as ap_http_filter does. A Content-Length is
   * checked against the limit before any of it is read (request-body-limit.ts).
   */
  payloadLimit?: number;
}

type Field = [string, string];

/** Framing of a request body from its (already validated) head fields. */
export function requestBodyFraming(headers: readonly Field[]): BodyFraming {
  const transferEncoding = fieldValue(headers, 'transfer-encoding');
  if (transferEncoding !== undefined) return { kind: 'chunked' };
  const length = parseLength(fieldValue(headers, 'content-length'));
  return length === undefined || length === 0 ? { kind: 'none' } : { kind: 'content-length', length };
}

/** Framing of a response body, which depends on the request method and the status too. */
export function responseBodyFraming(response: { status: number; headers: readonly Field[]; requestMethod: string }): BodyFraming {
  const { status, headers } = response;
  if (response.requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const transferEncoding = fieldValue(headers, 'transfer-encoding');
  if (transferEncoding !== undefined) return isChunkedLast(transferEncoding) ? { kind: 'chunked' } : { kind: 'until-close' };
  const length = parseLength(fieldValue(headers, 'content-length'));
  if (length === undefined) return { kind: 'until-close' };
  return length === 0 ? { kind: 'none' } : { kind: 'content-length', length };
}

type ChunkState =
  | 'size-start'
  | 'size-digits'
  | 'size-blanks'
  | 'extension'
  | 'size-lf'
  | 'data'
  | 'data-cr'
  | 'data-lf'
  | 'trailer-line'
  | 'done'
  | 'failed';

const CR = 0x0d;
const LF = 0x0a;
/** httpd tolerates this many blanks between a chunk size and its CRLF (RFC 7230 erratum 4667). */
const MAX_CHUNK_BLANKS = 10;
/** Hex digits that fit httpd's signed 64-bit apr_off_t. */
const MAX_SIZE_BITS = 63;

/** Incremental body boundary finder for one message. */
export class BodyDecoder {
  private readonly framing: BodyFraming;
  private readonly strict: boolean;
  private readonly lineLimit: number;
  private readonly onChunkData: ((data: Uint8Array) => void) | undefined;
  private readonly payloadLimit: number;
  private offset = 0;
  private payload = 0;
  private finished = false;
  private failure: BodyError | undefined;

  // Content-length.
  private remaining = 0;
  // Chunked.
  private chunkState: ChunkState = 'size-start';
  private chunkSize = 0n;
  private sizeBits = 0;
  private blanks = 0;
  private sizeLineLength = 0;
  private trailerLineLength = 0;
  private trailerLineCr = false;

  /** Start decoding a body with the given framing. */
  constructor(framing: BodyFraming, options: BodyDecoderOptions = {}) {
    this.framing = framing;
    this.strict = options.strict ?? true;
    this.lineLimit = options.lineLimit ?? 8190;
    this.onChunkData = options.onChunkData;
    this.payloadLimit = options.payloadLimit ?? 0;
    if (framing.kind === 'none') this.finished = true;
    if (framing.kind === 'content-length') {
      this.remaining = framing.length;
      this.finished = framing.length === 0;
    }
  }

  /** Payload bytes seen so far (chunk framing not counted). */
  get payloadLength(): number {
    return this.payload;
  }

  /** Whether the body has ended. */
  get done(): boolean {
    return this.finished;
  }

  /** Observe the next bytes of the stream. */
  push(chunk: Uint8Array): BodyProgress {
    if (this.finished || this.failure) return this.progress(0);
    switch (this.framing.kind) {
      case 'none':
        return this.progress(0);
      case 'until-close':
        this.offset += chunk.length;
        this.payload += chunk.length;
        return this.progress(chunk.length);
      case 'content-length': {
        const take = Math.min(this.remaining, chunk.length);
        this.remaining -= take;
        this.offset += take;
        this.payload += take;
        this.finished = this.remaining === 0;
        return this.progress(take);
      }
      case 'chunked':
        return this.progress(this.pushChunked(chunk));
    }
  }

  /** The sender closed: a body that runs until close is complete, any other unfinished body is truncated. */
  finish(): BodyProgress {
    if (!this.finished && !this.failure) {
      if (this.framing.kind === 'until-close') this.finished = true;
      else this.failure = { code: 'BODY_TRUNCATED', message: 'connection closed before the body ended', offset: this.offset };
    }
    return this.progress(0);
  }

  private progress(consumed: number): BodyProgress {
    const progress: BodyProgress = { consumed, done: this.finished };
    if (this.failure) progress.error = this.failure;
    return progress;
  }

  /** Run the chunk state machine over `chunk`; returns how many bytes it took. */
  private pushChunked(chunk: Uint8Array): number {
    let index = 0;
    while (index < chunk.length && this.chunkState !== 'done' && this.chunkState !== 'failed') {
      if (this.chunkState === 'data') {
        const take = Math.min(Number(this.chunkSize), chunk.length - index);
        if (take > 0) this.onChunkData?.(chunk.subarray(index, index + take));
        this.chunkSize -= BigInt(take);
        this.payload += take;
        index += take;
        this.offset += take;
        if (this.payloadLimit > 0 && this.payload > this.payloadLimit) {
          this.failure = { code: 'BODY_OVER_LIMIT', message: `chunk data passed the limit of ${this.payloadLimit} bytes`, offset: this.offset, status: 413 };
          this.chunkState = 'failed';
          break;
        }
        if (this.chunkSize === 0n) this.chunkState = 'data-cr';
        continue;
      }
      this.step(chunk[index]);
      index++;
      this.offset++;
    }
    if (this.chunkState === 'done') this.finished = true;
    return index;
  }

  /** One framing byte. */
  private step(byte: number): void {
    switch (this.chunkState) {
      case 'data-cr':
      case 'data-lf':
        return this.afterData(byte);
      case 'trailer-line':
        return this.trailerByte(byte);
      default:
        return this.sizeLineByte(byte);
    }
  }

  private afterData(byte: number): void {
    if (byte === LF) {
      if (this.strict && this.chunkState !== 'data-lf') return this.fail('CHUNK_CRLF_EXPECTED', 'CR missing before LF after chunk data');
      this.startSizeLine();
    } else if (byte === CR && this.chunkState === 'data-cr') {
      this.chunkState = 'data-lf';
    } else {
      this.fail('CHUNK_CRLF_EXPECTED', 'CRLF expected after chunk data');
    }
  }

  private startSizeLine(): void {
    this.chunkState = 'size-start';
    this.chunkSize = 0n;
    this.sizeBits = 0;
    this.blanks = 0;
    this.sizeLineLength = 0;
  }

  private sizeLineByte(byte: number): void {
    if (++this.sizeLineLength > this.lineLimit) return this.fail('CHUNK_LINE_TOO_LONG', 'chunk size line exceeds the limit');
    if (this.chunkState === 'size-start') {
      if (hexValue(byte) < 0) return this.fail('CHUNK_SIZE_INVALID', 'chunk size must start with a hex digit');
      this.chunkState = 'size-digits';
    }
    if (byte === LF) {
      if (this.strict && this.chunkState !== 'size-lf') return this.fail('CHUNK_CRLF_EXPECTED', 'CR missing before LF after chunk size');
      this.chunkState = this.chunkSize > 0n ? 'data' : 'trailer-line';
      this.trailerLineLength = 0;
      this.trailerLineCr = false;
    } else if (this.chunkState === 'size-lf') {
      this.fail('CHUNK_CRLF_EXPECTED', 'LF expected after CR in chunk size line');
    } else if (byte === CR) {
      this.chunkState = 'size-lf';
    } else if (byte === 0x3b /* ; */) {
      this.chunkState = 'extension';
    } else if (this.chunkState === 'extension') {
      if (byte !== 0x09 && (byte < 0x20 || byte === 0x7f)) this.fail('CHUNK_SIZE_INVALID', 'control character in chunk extension');
    } else if (byte === 0x20 || byte === 0x09) {
      this.chunkState = 'size-blanks';
      if (++this.blanks > MAX_CHUNK_BLANKS) this.fail('CHUNK_SIZE_INVALID', 'too many blanks after chunk size');
    } else if (this.chunkState === 'size-blanks') {
      this.fail('CHUNK_SIZE_INVALID', "';', CR or LF expected after chunk size");
    } else {
      this.sizeDigit(byte);
    }
  }

  private sizeDigit(byte: number): void {
    const value = hexValue(byte);
    if (value < 0) return this.fail('CHUNK_SIZE_INVALID', 'invalid character in chunk size');
    if (this.chunkSize === 0n && value === 0) return; // leading zeros cost nothing
    this.sizeBits += 4;
    this.chunkSize = (this.chunkSize << 4n) | BigInt(value);
    if (this.sizeBits > MAX_SIZE_BITS + 1 || this.chunkSize > 0x7fffffffffffffffn) this.fail('CHUNK_SIZE_OVERFLOW', 'chunk size overflows');
  }

  /** Trailer fields after the last chunk, up to an empty line. */
  private trailerByte(byte: number): void {
    if (byte === LF) {
      if (this.strict && !this.trailerLineCr) return this.fail('TRAILER_INVALID', 'CR missing before LF in trailer');
      if (this.trailerLineLength === 0) {
        this.chunkState = 'done';
        return;
      }
      this.trailerLineLength = 0;
      this.trailerLineCr = false;
      return;
    }
    if (this.trailerLineCr) return this.fail('TRAILER_INVALID', 'LF expected after CR in trailer');
    if (byte === CR) {
      this.trailerLineCr = true;
      return;
    }
    if (++this.trailerLineLength > this.lineLimit + 1) this.fail('TRAILER_INVALID', 'trailer line exceeds the limit');
  }

  private fail(code: BodyErrorCode, message: string): void {
    this.chunkState = 'failed';
    const overflow = code === 'CHUNK_SIZE_OVERFLOW' || code === 'CHUNK_LINE_TOO_LONG';
    this.failure = {
      code,
      message,
      offset: this.offset,
      status: overflow ? 413 : 400,
      errorLog: overflow
        ? { code: 'AH01590', message: 'Error reading/parsing chunk (overflow) ', osError: '(28)No space left on device' }
        : { code: 'AH01590', message: 'Error reading/parsing chunk  ', osError: '(22)Invalid argument' },
    };
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

function fieldValue(headers: readonly Field[], lowerName: string): string | undefined {
  const values = headers.filter(([name]) => name.toLowerCase() === lowerName).map(([, value]) => value);
  return values.length === 0 ? undefined : values.join(', ');
}

/** A Content-Length httpd accepts: digits only, within 64 bits. */
function parseLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value) || BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(value);
}

function isChunkedLast(value: string): boolean {
  const codings = value.split(',').map((coding) => coding.trim().split(';')[0].trim().toLowerCase());
  return codings[codings.length - 1] === 'chunked';
}
