/**
 * Splits a byte stream into protocol lines without ever holding more than `maxLineBytes` of one
 * line: a longer line is dropped (reported once through `onOversize`) and reading resumes at the
 * next newline. Lines are decoded as UTF-8 after splitting, so a multi-byte character cut across
 * chunks is never mangled. A trailing "\r" is removed (a terminal turns "\n" into "\r\n").
 */
export interface LineSplitterOptions {
  maxLineBytes: number;
  onLine(line: string): void;
  onOversize(bytes: number): void;
}

export class LineSplitter {
  private readonly options: LineSplitterOptions;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Inside a line that is already too long: skip to its end. */
  private discarding = false;
  private discardedBytes = 0;
  private readonly decoder = new TextDecoder();

  constructor(options: LineSplitterOptions) {
    this.options = options;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** End of stream: a last line without its newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.discarding) this.endLine();
  }

  private take(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.discarding) {
      this.discardedBytes += piece.length;
      return;
    }
    if (this.pendingBytes + piece.length > this.options.maxLineBytes) {
      this.discarding = true;
      this.discardedBytes = this.pendingBytes + piece.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the caller may reuse its buffer.
    this.pending.push(piece.slice());
    this.pendingBytes += piece.length;
  }

  private endLine(): void {
    if (this.discarding) {
      this.discarding = false;
      const bytes = this.discardedBytes;
      this.discardedBytes = 0;
      this.options.onOversize(bytes);
      return;
    }
    const joined = new Uint8Array(this.pendingBytes);
    let offset = 0;
    for (const piece of this.pending) {
      joined.set(piece, offset);
      offset += piece.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    let line = this.decoder.decode(joined);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() !== '') this.options.onLine(line);
  }
}
