import type { LogStream } from '../../../core/event';
import { truncateUtf8, type EmitPiece, type RecordError } from './reassembler';

export interface MultilineOptions {
  /** A line matching it starts a new record; others continue the current one. */
  readonly start: RegExp;
  readonly maxLines: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

interface Held {
  offset: number;
  endOffset: number;
  time: string;
  parts: string[];
  bytes: number;
  lines: number;
  lastAtMs: number;
  truncated: boolean;
  error: RecordError | undefined;
}

/**
 * Joins continuation lines (stack traces) into the record their start line opened, per stream,
 * the way Fluent Bit's and Vector's start-pattern modes do. A held record is emitted when the next
 * start line arrives, when it reaches `maxLines`, or when `timeoutMs` passed without a
 * continuation (the caller drives `flushExpired` from its poll loop). Lines forwarded raw with an
 * error mark are never joined: they pass straight through.
 */
export class MultilineJoiner {
  private stdout: Held | undefined;
  private stderr: Held | undefined;
  private truncatedCount = 0;

  constructor(
    private readonly options: MultilineOptions,
    private readonly next: EmitPiece,
    private readonly now: () => number = Date.now,
  ) {}

  /** Same shape as the reassembler's output, so it can be chained in as the next stage. */
  readonly push: EmitPiece = (offset, endOffset, time, stream, message, bytes, error) => {
    if (error === 'unparseable' || error === 'invalid_utf8') {
      this.next(offset, endOffset, time, stream, message, bytes, error);
      return;
    }
    const held = stream === 'stdout' ? this.stdout : this.stderr;
    if (held && !this.options.start.test(message)) {
      this.append(held, endOffset, message, bytes, error);
      if (held.lines >= this.options.maxLines) this.emit(stream, held);
      return;
    }
    if (held) this.emit(stream, held);
    // A first line that does not match the start pattern still opens a record: nothing to join it to.
    const fresh: Held = { offset, endOffset, time, parts: [message], bytes, lines: 1, lastAtMs: this.now(), truncated: error === 'truncated', error };
    if (stream === 'stdout') this.stdout = fresh;
    else this.stderr = fresh;
  };

  /** Emits records whose last line is older than the timeout. */
  flushExpired(nowMs = this.now()): void {
    const limit = nowMs - this.options.timeoutMs;
    const both = [this.stdout, this.stderr].filter((h): h is Held => h !== undefined && h.lastAtMs <= limit).sort((a, b) => a.offset - b.offset);
    for (const h of both) this.emit(h === this.stdout ? 'stdout' : 'stderr', h);
  }

  flush(): void {
    this.flushExpired(Infinity);
  }

  heldOffset(): number {
    return Math.min(this.stdout?.offset ?? Infinity, this.stderr?.offset ?? Infinity);
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

  private append(h: Held, endOffset: number, message: string, bytes: number, error: RecordError | undefined): void {
    h.endOffset = endOffset;
    h.lines++;
    h.lastAtMs = this.now();
    if (error === 'truncated') h.truncated = true;
    const room = this.options.maxBytes - h.bytes - 1;
    if (room >= bytes) {
      h.parts.push(message);
      h.bytes += bytes + 1;
      return;
    }
    if (!h.truncated || room > 0) {
      const cut = truncateUtf8(message, room);
      if (cut) h.parts.push(cut);
      h.bytes += Buffer.byteLength(cut) + 1;
    }
    h.truncated = true;
  }

  private emit(stream: LogStream, h: Held): void {
    if (stream === 'stdout') this.stdout = undefined;
    else this.stderr = undefined;
    if (h.truncated) this.truncatedCount++;
    const message = h.parts.length === 1 ? (h.parts[0] as string) : h.parts.join('\n');
    this.next(h.offset, h.endOffset, h.time, stream, message, h.bytes, h.truncated ? 'truncated' : h.error);
  }
}

/** Compiles a start pattern from config or a label; an invalid one is reported, not thrown. */
export function compileStartPattern(source: string | null | undefined): RegExp | undefined | Error {
  if (source === null || source === undefined || source === '') return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
