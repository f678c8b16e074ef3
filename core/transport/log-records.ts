import type { LogRecord, LogStream } from '../event';

/**
 * The record section of logs wire format 2 (the layout is described in log-codec.ts): a writer
 * that takes records either as strings (a LogRecord) or as byte ranges of the buffer they were
 * read from, and the reader that turns the section back into LogRecords. A record written either
 * way decodes to the same LogRecord (string lengths are padded varints, byte ranges exact ones).
 */

type RecordError = NonNullable<LogRecord['error']>;

const ERROR_CODES = [undefined, 'unparseable', 'truncated', 'invalid_utf8'] as const;
const F_STDERR = 1;
const F_EXPLICIT_ID = 8;
const F_FILE_KEY = 16;
/** Times share their prefix with the previous record's; longer ones (never Docker's) share nothing. */
const TIME_MEMORY = 64;

function errorCode(error: RecordError | undefined): number {
  return error === undefined ? 0 : ERROR_CODES.indexOf(error);
}

/**
 * One scratch area for every writer. Why shared: a writer per tailed file with a buffer of its own
 * would grow memory with the number of containers. Sound because a writer fills it only between
 * `begin()` and `seal()`, inside one synchronous call: nothing else runs in between.
 */
let scratch = Buffer.allocUnsafe(1 << 20);
/** The writer (its token) between whose begin() and seal() the scratch is. */
let owner: object | undefined;

export class LogRecordsWriter {
  private readonly token = {};
  private pos = 0;
  private records = 0;
  private prevEnd = 0;
  private key = -1;
  /**
   * The previous record's time, up to TIME_MEMORY bytes, where it is: in the buffer it was copied
   * from (unchanged until `seal()`: a section is written within one synchronous call) or, for a
   * string, its ASCII prefix in `ownTime`. Sharing stops at the first byte ≥ 0x80, so the count is
   * also the decoder's count of UTF-16 units.
   */
  private readonly ownTime = Buffer.allocUnsafe(TIME_MEMORY);
  private prevTime: Buffer = this.ownTime;
  private prevTimeAt = 0;
  private prevTimeLength = 0;
  /** Lowest start offset among the records written since `begin()`. */
  minOffset = Infinity;

  get count(): number {
    return this.records;
  }

  /** Bytes written since `begin()`. */
  get byteLength(): number {
    return this.pos;
  }

  /** Starts a record section in the shared scratch (whatever another writer left unsealed is dropped). */
  begin(): void {
    owner = this.token;
    this.pos = 0;
    this.records = 0;
    this.prevEnd = 0;
    this.key = -1;
    this.prevTime = this.ownTime;
    this.prevTimeLength = 0;
    this.minOffset = Infinity;
  }

  /**
   * A copy of the section written since `begin()`, behind `headroom` unused bytes (room for the
   * batch's header, so framing it needs no second copy); the scratch is free for the next writer.
   */
  seal(headroom = 0): Buffer {
    this.claimed();
    const out = Buffer.allocUnsafe(headroom + this.pos);
    scratch.copy(out, headroom, 0, this.pos);
    owner = undefined;
    // One huge line must not pin a huge scratch for the life of the process.
    if (scratch.length > 8 << 20) scratch = Buffer.allocUnsafe(1 << 20);
    return out;
  }

  /** A record whose texts are strings; `explicitId` when its id is not the derived one. */
  addRecord(record: LogRecord, keyIndex: number, explicitId: boolean): void {
    const { time, message } = record;
    this.reserve(48 + 3 * (time.length + message.length + (explicitId ? record.id.length : 0)));
    this.head(record.stream, record.error, explicitId, keyIndex, record.origin.offset, record.origin.endOffset);
    const shared = this.sharedWithString(time);
    this.varint(shared);
    this.string(shared === 0 ? time : time.slice(shared));
    this.rememberTimeString(time);
    if (explicitId) this.string(record.id);
    this.string(message);
  }

  /**
   * A record whose time and message are `src[timeStart, timeEnd)` and `src[messageStart, messageEnd)`,
   * both valid UTF-8 (the caller checked): copied as they are, no string is made of either.
   */
  addBytes(stream: LogStream, offset: number, endOffset: number, src: Buffer, timeStart: number, timeEnd: number, messageStart: number, messageEnd: number): void {
    const timeLength = timeEnd - timeStart;
    const messageLength = messageEnd - messageStart;
    this.reserve(40 + timeLength + messageLength);
    this.head(stream, undefined, false, 0, offset, endOffset);
    const limit = Math.min(this.prevTimeLength, timeLength);
    const prev = this.prevTime;
    const at = this.prevTimeAt;
    let shared = 0;
    for (; shared < limit; shared++) {
      const c = src[timeStart + shared] as number;
      if (c !== prev[at + shared] || c >= 0x80) break;
    }
    this.varint(shared);
    this.bytes(src, timeStart + shared, timeEnd);
    this.prevTime = src;
    this.prevTimeAt = timeStart;
    this.prevTimeLength = Math.min(timeLength, TIME_MEMORY);
    this.bytes(src, messageStart, messageEnd);
  }

  private head(stream: LogStream, error: RecordError | undefined, explicitId: boolean, keyIndex: number, offset: number, endOffset: number): void {
    this.claimed();
    const newKey = keyIndex !== this.key;
    scratch[this.pos++] = (stream === 'stderr' ? F_STDERR : 0) | (errorCode(error) << 1) | (explicitId ? F_EXPLICIT_ID : 0) | (newKey ? F_FILE_KEY : 0);
    if (newKey) this.varint(keyIndex);
    this.key = keyIndex;
    this.varint(zigzag(offset - this.prevEnd));
    this.varint(endOffset - offset);
    this.prevEnd = endOffset;
    this.records++;
    if (offset < this.minOffset) this.minOffset = offset;
  }

  private claimed(): void {
    // Two writers interleaving would corrupt each other's bytes: a bug, never bad input.
    if (owner !== this.token) throw new Error('log records writer used outside begin()/seal(), or interleaved with another');
  }

  /** Shared ASCII prefix with the previous time, counted in UTF-16 units (= bytes, being ASCII). */
  private sharedWithString(time: string): number {
    const limit = Math.min(this.prevTimeLength, time.length);
    const prev = this.prevTime;
    const at = this.prevTimeAt;
    let i = 0;
    for (; i < limit; i++) {
      const c = time.charCodeAt(i);
      if (c !== prev[at + i] || c >= 0x80) break;
    }
    return i;
  }

  private rememberTimeString(time: string): void {
    const keep = Math.min(time.length, TIME_MEMORY);
    let ascii = 0;
    while (ascii < keep && time.charCodeAt(ascii) < 0x80) ascii++;
    this.ownTime.write(time.slice(0, ascii), 0, 'latin1');
    this.prevTime = this.ownTime;
    this.prevTimeAt = 0;
    this.prevTimeLength = ascii;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, this.pos + bytes));
    scratch.copy(grown, 0, 0, this.pos);
    scratch = grown;
  }

  private varint(n: number): void {
    this.pos = writeVarint(scratch, this.pos, n);
  }

  private bytes(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.varint(n);
    // A few bytes (a time's suffix) copy faster in a loop than through Buffer#copy's view.
    if (n < 32) for (let i = 0; i < n; i++) scratch[this.pos + i] = src[start + i] as number;
    else src.copy(scratch, this.pos, start, end);
    this.pos += n;
  }

  /**
   * Writes the UTF-8 bytes first, behind a length prefix as wide as the longest the string could
   * need (3 bytes per UTF-16 unit), then fills the prefix in, padded — one pass over the string.
   */
  private string(s: string): void {
    const max = s.length * 3;
    const width = max < 0x80 ? 1 : max < 0x4000 ? 2 : max < 0x200000 ? 3 : max < 0x10000000 ? 4 : 5;
    const n = s.length === 0 ? 0 : scratch.write(s, this.pos + width, 'utf8');
    let v = n;
    for (let i = 0; i < width - 1; i++) {
      scratch[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    scratch[this.pos++] = v;
    this.pos += n;
  }
}

/** LEB128 at `buf[at…]`, with plain arithmetic (offsets pass 2^32); returns the position after it. */
export function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[at++] = n;
  return at;
}

export function varintLength(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** Reads `count` records at `reader`'s position; ids not sent are rebuilt as `<idBase><file key>:<offset>`. Throws RangeError on bytes that do not add up. */
export function readRecords(reader: WireReader, count: number, idBase: string, fileKeys: readonly unknown[]): LogRecord[] {
  const records: LogRecord[] = [];
  let fileKey: unknown;
  let prevEnd = 0;
  let prevTime = '';
  for (let i = 0; i < count; i++) {
    const flags = reader.byte();
    if (flags & F_FILE_KEY) fileKey = fileKeys[reader.varint()];
    if (typeof fileKey !== 'string') throw new RangeError(`record ${i} has no file key`);
    const offset = prevEnd + unzigzag(reader.varint());
    const endOffset = offset + reader.varint();
    prevEnd = endOffset;
    const shared = reader.varint();
    if (shared > prevTime.length) throw new RangeError(`record ${i} shares more of the time than there is`);
    const time = prevTime.slice(0, shared) + reader.string();
    prevTime = time;
    const id = flags & F_EXPLICIT_ID ? reader.string() : `${idBase}${fileKey}:${offset}`;
    const message = reader.string();
    const stream: LogStream = flags & F_STDERR ? 'stderr' : 'stdout';
    const error = ERROR_CODES[(flags >> 1) & 3];
    const origin = { fileKey, offset, endOffset };
    records.push(error === undefined ? { id, time, stream, message, origin } : { id, time, stream, message, origin, error });
  }
  return records;
}

export class WireReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('unexpected end of batch');
    return this.buf[this.pos++] as number;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    throw new RangeError('varint longer than 8 bytes');
  }

  string(): string {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.buf.length) throw new RangeError('string runs past the end of the batch');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }
}
