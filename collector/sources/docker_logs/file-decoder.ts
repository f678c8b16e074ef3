import { isAscii } from 'node:buffer';
import type { LogRecord, LogStream } from '../../../core/event';
import { PACKED_HEADROOM, readPackedRecords, type PackedRecords } from '../../../core/transport/log-codec';
import { LogRecordsWriter } from '../../../core/transport/log-records';
import { BATCH_OVERHEAD_BYTES } from './batcher';
import { DEFAULT_BATCH_MAX_BYTES, DEFAULT_BATCH_MAX_RECORDS } from './config';
import { LineScan, ParsedLine, parseJsonFileLine, parseScannedLine, recordStartAfter, scanJsonFileLine } from './json-file-parser';
import { MultilineJoiner, type MultilineOptions } from './multiline';
import { PartialReassembler, truncateUtf8, type EmitPiece, type RecordError } from './reassembler';

const NEWLINE = 0x0a;
/** A record's flags, offsets and lengths on the wire, at most. */
const RECORD_FRAMING_BYTES = 32;

export interface DecoderOptions {
  /** A record's id is `<container id>:<file key>:<offset of its first byte>`. */
  readonly containerId: string;
  readonly fileKey: string;
  /** Cap on a message after partial records are joined. */
  readonly maxLineBytes: number;
  readonly multiline?: MultilineOptions;
  readonly now?: () => number;
  /** Where decoded records are cut into batches (by count, and by estimated bytes). */
  readonly batchMaxRecords?: number;
  readonly batchMaxBytes?: number;
}

/** Records decoded into wire bytes, ready to be a PackedLogBatch, and where they start in the file. */
export interface DecodedBatch extends PackedRecords {
  /** Lowest start offset among its records: a checkpoint before it must not pass this. */
  readonly minOffset: number;
}

/** What went wrong since the last `takeCounts()`, for per-batch telemetry. */
export interface DecodeCounts {
  unparseable: number;
  invalid_utf8: number;
  truncated: number;
  /** Physical lines longer than any json-file record can be (cut, see `physicalCap`). */
  line_too_long: number;
  /** A record cut by a crash and glued to the next one by O_APPEND, split back apart. */
  crash_split: number;
}

function zeroCounts(): DecodeCounts {
  return { unparseable: 0, invalid_utf8: 0, truncated: 0, line_too_long: 0, crash_split: 0 };
}

/**
 * Bytes of one json-file → records: line splitting across reads, parsing, partial-record
 * reassembly, optional multiline joining and deterministic ids. Records come out already in the
 * logs wire format, cut into batches: a plain line (the common case: complete, no escapes but
 * Docker's final `\n`, valid UTF-8) is copied from the read buffer into the batch without a
 * string or object being made of it; anything else becomes a LogRecord first and is written from
 * that. Pure (no I/O): the tailer feeds it what it read and takes the batches; tests feed it
 * golden files.
 */
export class FileDecoder {
  private readonly parsed = new ParsedLine();
  private readonly spare = new ParsedLine();
  private readonly scan = new LineScan();
  private readonly writer = new LogRecordsWriter();
  /** Between the writer's begin() and seal(): always within one synchronous call (see LogRecordsWriter). */
  private writing = false;
  private batches: DecodedBatch[] = [];
  private readonly batchMaxRecords: number;
  private readonly batchMaxBytes: number;
  private readonly reassembler: PartialReassembler;
  private readonly multiline: MultilineJoiner | undefined;
  /** Bytes of an unfinished line from earlier reads, and where it starts in the file. */
  private carry: Buffer | undefined;
  private carryOffset = 0;
  /** Inside a line too long to keep: its first bytes, until its newline arrives. */
  private skipHead: Buffer | undefined;
  private counts = zeroCounts();
  /** Offset just past the last byte fed. */
  private fedTo = 0;
  private readonly physicalCap: number;
  private readonly now: () => number;

  constructor(private readonly options: DecoderOptions) {
    this.now = options.now ?? Date.now;
    this.batchMaxRecords = options.batchMaxRecords ?? DEFAULT_BATCH_MAX_RECORDS;
    this.batchMaxBytes = options.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES;
    // A json-file line holds at most a 16 KiB chunk, escaped (≤ 6 bytes per byte), plus keys and
    // attrs; anything longer is not Docker's and is cut rather than buffered without bound.
    this.physicalCap = Math.max(options.maxLineBytes, 128 * 1024) + 4096;
    const toRecord: EmitPiece = (...a) => this.record(...a);
    if (options.multiline) {
      this.multiline = new MultilineJoiner(options.multiline, toRecord, this.now);
      this.reassembler = new PartialReassembler(options.maxLineBytes, this.multiline.push);
    } else {
      this.reassembler = new PartialReassembler(options.maxLineBytes, toRecord);
    }
  }

  /** Feeds `chunk[0, length)`, read from file offset `offset` (must follow what was fed before). */
  feed(chunk: Buffer, length: number, offset: number): void {
    try {
      this.feedLines(chunk.subarray(0, length), offset);
    } finally {
      this.sealBatch();
    }
  }

  private feedLines(data: Buffer, offset: number): void {
    const length = data.length;
    this.fedTo = offset + length;
    let pos = 0;
    if (this.skipHead) pos = this.skipLongLine(data, offset);
    else if (this.carry) {
      // Only the line cut by the previous read is joined, not the whole read: copying every
      // read behind its carry cost a copy of the file and a buffer's worth of garbage per read.
      const nl = data.indexOf(NEWLINE);
      const joined = Buffer.concat([this.carry, nl < 0 ? data : data.subarray(0, nl)]);
      this.carry = undefined;
      if (nl < 0) {
        this.keepUnfinished(joined, 0, this.carryOffset, true);
        return;
      }
      this.line(joined, 0, joined.length, this.carryOffset, isAscii(joined));
      pos = nl + 1;
    }
    // One SIMD pass over the read spares every line its own check for bytes ≥ 0x80.
    const ascii = isAscii(data.subarray(pos));
    while (pos < data.length) {
      const nl = data.indexOf(NEWLINE, pos);
      if (nl < 0) break;
      this.line(data, pos, nl, offset, ascii);
      pos = nl + 1;
    }
    if (pos < data.length) this.keepUnfinished(data, pos, offset);
  }

  /** Emits held multiline records whose flush timeout passed. */
  tick(nowMs = this.now()): void {
    this.multiline?.flushExpired(nowMs);
    this.sealBatch();
  }

  /**
   * The file will not grow again (rotated and drained, or deleted): an unfinished last line is a
   * truncated record now, and held partial or multiline records are emitted as they are.
   */
  finish(): void {
    if (this.skipHead) this.emitLongLine(this.fedTo);
    if (this.carry) {
      const carry = this.carry;
      this.carry = undefined;
      this.counts.truncated++;
      this.raw(carry, 0, carry.length, this.carryOffset, this.fedTo, 'truncated');
    }
    this.reassembler.flush(this.fedTo);
    this.multiline?.flush();
    this.sealBatch();
  }

  /** Batches decoded so far, their records in the order they completed. */
  takeBatches(): DecodedBatch[] {
    const out = this.batches;
    this.batches = [];
    return out;
  }

  /** Records decoded so far, read back from the batches (for tests and tools; the tailer ships the batches). */
  take(): LogRecord[] {
    return this.takeBatches().flatMap((b) => readPackedRecords(b, this.options.containerId));
  }

  takeCounts(): DecodeCounts {
    const c = this.counts;
    c.truncated += this.reassembler.takeTruncated() + (this.multiline?.takeTruncated() ?? 0);
    this.counts = zeroCounts();
    return c;
  }

  /** Where a restart must begin so nothing held (unfinished line, partial, multiline) is lost. */
  safeOffset(): number {
    let held = Math.min(this.reassembler.heldOffset(), this.multiline?.heldOffset() ?? Infinity);
    if (this.carry || this.skipHead) held = Math.min(held, this.carryOffset);
    return held === Infinity ? this.fedTo : held;
  }

  /** Drops everything held, to re-read from `offset`. */
  reset(offset: number): void {
    this.carry = undefined;
    this.skipHead = undefined;
    this.reassembler.reset();
    this.multiline?.reset();
    this.batches = [];
    this.fedTo = offset;
  }

  private line(data: Buffer, start: number, end: number, base: number, ascii: boolean): void {
    const scan = this.scan;
    const scanned = scanJsonFileLine(data, start, end, scan, ascii);
    // Nothing held for its stream and no joining: the line is a record as it is, in file order.
    if (scanned && scan.plain && !this.multiline && scan.messageEnd - scan.messageStart <= this.options.maxLineBytes && !this.reassembler.holds(scan.stream)) {
      this.writeBatch(scan.timeEnd - scan.timeStart + scan.messageEnd - scan.messageStart).addBytes(scan.stream, base + start, base + end + 1, data, scan.timeStart, scan.timeEnd, scan.messageStart, scan.messageEnd);
      this.cutWhenFull();
      return;
    }
    const p = this.parsed;
    parseScannedLine(data, start, end, scanned, scan, p);
    if (p.ok) {
      this.reassembler.push(base + start, base + end + 1, p.time, p.stream, p.message, p.bytes, p.partial, p.error);
      if (p.error === 'invalid_utf8') this.counts.invalid_utf8++;
      return;
    }
    // After a crash mid-write, O_APPEND glues the cut record to the next one: split them apart.
    const next = recordStartAfter(data, start, end);
    if (next > 0) {
      parseJsonFileLine(data, next, end, this.spare, scan);
      if (this.spare.ok) {
        this.counts.crash_split++;
        this.counts.truncated++;
        this.raw(data, start, next, base + start, base + next, 'truncated');
        const s = this.spare;
        this.reassembler.push(base + next, base + end + 1, s.time, s.stream, s.message, s.bytes, s.partial, s.error);
        return;
      }
    }
    this.counts[p.error ?? 'unparseable']++;
    this.raw(data, start, end, base + start, base + end + 1, p.error ?? 'unparseable');
  }

  /** A line that is not a json-file record: forwarded as its text, marked, cut at the cap. */
  private raw(data: Buffer, start: number, end: number, offset: number, endOffset: number, error: RecordError): void {
    const cap = Math.min(end, start + this.options.maxLineBytes);
    const text = truncateUtf8(data.toString('utf8', start, cap), this.options.maxLineBytes);
    this.record(offset, endOffset, '', 'stdout', text, cap - start, error);
  }

  /** The unfinished line `data[pos…]` (file offset `base + pos`) waits for the next read. */
  private keepUnfinished(data: Buffer, pos: number, base: number, owned = false): void {
    this.carryOffset = base + pos;
    if (data.length - pos > this.physicalCap) {
      this.skipHead = Buffer.from(data.subarray(pos, pos + this.options.maxLineBytes));
      return;
    }
    // Copy unless it is ours already: the caller reuses its read buffer.
    this.carry = owned && pos === 0 ? data : Buffer.from(data.subarray(pos));
  }

  private skipLongLine(data: Buffer, base: number): number {
    const nl = data.indexOf(NEWLINE);
    if (nl < 0) return data.length;
    this.emitLongLine(base + nl + 1);
    return nl + 1;
  }

  private emitLongLine(endOffset: number): void {
    const head = this.skipHead as Buffer;
    this.skipHead = undefined;
    this.counts.line_too_long++;
    this.raw(head, 0, head.length, this.carryOffset, endOffset, 'truncated');
  }

  private record(offset: number, endOffset: number, time: string, stream: LogStream, message: string, _bytes: number, error: RecordError | undefined): void {
    const record: LogRecord = {
      id: '',
      // Raw lines carry no timestamp of their own: the time they were read stands in.
      time: time || new Date(this.now()).toISOString(),
      stream,
      message,
      origin: { fileKey: this.options.fileKey, offset, endOffset },
      error,
    };
    // The id is the derived one, rebuilt by every reader: it is not written.
    this.writeBatch(record.time.length + Buffer.byteLength(message)).addRecord(record, 0, false);
    this.cutWhenFull();
  }

  /** The writer, for a record of about `bytes` bytes: a batch it would take past the cap is closed first. */
  private writeBatch(bytes: number): LogRecordsWriter {
    if (this.writing && this.writer.count > 0 && this.writer.byteLength + bytes + RECORD_FRAMING_BYTES > this.batchMaxBytes) this.sealBatch();
    if (!this.writing) {
      this.writer.begin();
      this.writing = true;
    }
    return this.writer;
  }

  private cutWhenFull(): void {
    if (this.writer.count >= this.batchMaxRecords || this.writer.byteLength >= this.batchMaxBytes) this.sealBatch();
  }

  private sealBatch(): void {
    if (!this.writing) return;
    this.writing = false;
    const w = this.writer;
    const buffer = w.seal(PACKED_HEADROOM);
    if (w.count === 0) return;
    const estimatedBytes = BATCH_OVERHEAD_BYTES + buffer.length;
    this.batches.push({ buffer, start: PACKED_HEADROOM, count: w.count, estimatedBytes, fileKeys: [this.options.fileKey], minOffset: w.minOffset });
  }
}
