import type { LogStream } from '../../../core/event';

export type RecordError = 'unparseable' | 'truncated' | 'invalid_utf8';

/**
 * The next stage's input, as positional arguments so the hot path builds no intermediate object
 * per line: byte range in the file, Docker's timestamp, stream, text and its UTF-8 size.
 */
export type EmitPiece = (
  offset: number,
  endOffset: number,
  time: string,
  stream: LogStream,
  message: string,
  bytes: number,
  error: RecordError | undefined,
) => void;

interface Pending {
  readonly offset: number;
  readonly time: string;
  readonly parts: string[];
  bytes: number;
  truncated: boolean;
  error: RecordError | undefined;
}

/**
 * Joins Docker's partial records: a message longer than 16 KiB is written as several json-file
 * records, all but the last without a trailing newline. stdout and stderr are copied by separate
 * goroutines in dockerd, so their records can interleave: each stream has its own slot.
 * The merged message is capped at `maxBytes`; the rest is dropped and the record marked `truncated`.
 */
export class PartialReassembler {
  private stdout: Pending | undefined;
  private stderr: Pending | undefined;
  /** Messages cut at the cap since the last `takeTruncated()`. */
  private truncatedCount = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly next: EmitPiece,
  ) {}

  /** One parsed json-file record. `partial`: its text did not end with a newline. */
  push(offset: number, endOffset: number, time: string, stream: LogStream, message: string, bytes: number, partial: boolean, error: RecordError | undefined): void {
    const slot = stream === 'stdout' ? this.stdout : this.stderr;
    if (!slot && !partial) {
      if (bytes <= this.maxBytes) this.next(offset, endOffset, time, stream, message, bytes, error);
      else this.emitCut(offset, endOffset, time, stream, message);
      return;
    }
    const p = slot ?? this.open(stream, offset, time, error);
    this.append(p, message, bytes);
    if (error && !p.error) p.error = error;
    if (partial) return;
    this.emitHeld(stream, p, endOffset);
  }

  /** A partial record of `stream` is waiting for its continuation. */
  holds(stream: LogStream): boolean {
    return (stream === 'stdout' ? this.stdout : this.stderr) !== undefined;
  }

  /** Lowest file offset still held (Infinity when nothing is): checkpoints must not pass it. */
  heldOffset(): number {
    return Math.min(this.stdout?.offset ?? Infinity, this.stderr?.offset ?? Infinity);
  }

  /** The file is final (rotated and drained, or deleted): what is held will never be continued. */
  flush(endOffset: number): void {
    // Emit in file order so records stay ordered by offset.
    const both = [this.stdout, this.stderr].filter((p): p is Pending => p !== undefined).sort((a, b) => a.offset - b.offset);
    for (const p of both) this.emitHeld(p === this.stdout ? 'stdout' : 'stderr', p, endOffset);
  }

  /** Emits the stream's held record as it is (its end is known some other way). */
  close(stream: LogStream, endOffset: number): void {
    const p = stream === 'stdout' ? this.stdout : this.stderr;
    if (p) this.emitHeld(stream, p, endOffset);
  }

  /** The timestamp of the stream's held record, if one is held. */
  heldTime(stream: LogStream): string | undefined {
    return (stream === 'stdout' ? this.stdout : this.stderr)?.time;
  }

  reset(): void {
    this.stdout = undefined;
    this.stderr = undefined;
  }

  takeTruncated(): number {
    const n = this.truncatedCount;
    this.truncatedCount = 0;
    return n;
  }

  private open(stream: LogStream, offset: number, time: string, error: RecordError | undefined): Pending {
    const p: Pending = { offset, time, parts: [], bytes: 0, truncated: false, error };
    if (stream === 'stdout') this.stdout = p;
    else this.stderr = p;
    return p;
  }

  private append(p: Pending, message: string, bytes: number): void {
    if (p.truncated) return;
    const room = this.maxBytes - p.bytes;
    if (bytes <= room) {
      p.parts.push(message);
      p.bytes += bytes;
      return;
    }
    const cut = truncateUtf8(message, room);
    p.parts.push(cut);
    p.bytes += Buffer.byteLength(cut);
    p.truncated = true;
  }

  private emitHeld(stream: LogStream, p: Pending, endOffset: number): void {
    if (stream === 'stdout') this.stdout = undefined;
    else this.stderr = undefined;
    if (p.truncated) this.truncatedCount++;
    const message = p.parts.length === 1 ? (p.parts[0] as string) : p.parts.join('');
    this.next(p.offset, endOffset, p.time, stream, message, p.bytes, p.truncated ? 'truncated' : p.error);
  }

  private emitCut(offset: number, endOffset: number, time: string, stream: LogStream, message: string): void {
    this.truncatedCount++;
    const cut = truncateUtf8(message, this.maxBytes);
    this.next(offset, endOffset, time, stream, cut, Buffer.byteLength(cut), 'truncated');
  }
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}
