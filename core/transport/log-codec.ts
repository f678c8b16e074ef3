import type { ContainerIdentity, LogBatch, LogRecord, LogStream } from '../event';

/**
 * Wire format 2 of `cargoscope.logs.v1` values: a compact binary batch. JSON spent ~600 bytes on a
 * 256-byte line (per-record id, origin object, key names, escapes), and the bytes fed to gzip are
 * most of the shipping cost. Here what all records share is said once, in a JSON header
 * (source, container identity, the file keys), and each record is:
 *
 *   flags         1 byte: bit 0 stderr; bits 1–2 error (0 none, 1 unparseable, 2 truncated,
 *                 3 invalid_utf8); bit 3 explicit id follows; bit 4 file key index follows
 *   [file key]    varint index into header.fileKeys (when bit 4; else the previous record's)
 *   offset        zigzag varint, relative to the previous record's end offset (records of a
 *                 joined partial line complete out of file order, so it can go backwards)
 *   length        varint, endOffset − offset
 *   time          varint bytes shared with the previous record's time, varint n, n bytes
 *   [id]          varint n, n bytes (when bit 3: an id not of the derived form below)
 *   message       varint n, n bytes of UTF-8
 *
 * The id every consumer indexes by is not sent when it is the derived one,
 * `<container id>:<file key>:<offset>` — the decoder rebuilds exactly the same string, so replays
 * stay idempotent. Layout: magic `CSLB`, format byte 2, varint header length, header, varint
 * record count, records. Decoding never throws: a value that does not add up is `malformed`.
 */
export const LOGS_MAGIC = Buffer.from('CSLB', 'latin1');
export const LOGS_WIRE_VERSION = 2;
export const LOGS_CONTENT_TYPE = 'application/vnd.cargoscope.logs+binary; version=2';

const ERROR_CODES = [undefined, 'unparseable', 'truncated', 'invalid_utf8'] as const;
const F_STDERR = 1;
const F_EXPLICIT_ID = 8;
const F_FILE_KEY = 16;

interface Header {
  readonly source: string;
  readonly container: ContainerIdentity;
  readonly fileKeys: readonly string[];
}

/** A reused, growing scratch area: one encode at a time (the event loop is single-threaded). */
let scratch = Buffer.allocUnsafe(1 << 20);

export function isLogBatchValue(value: Buffer): boolean {
  return value.length >= 5 && value[0] === 0x43 && value[1] === 0x53 && value[2] === 0x4c && value[3] === 0x42;
}

export function encodeLogBatch(batch: LogBatch): Buffer {
  const fileKeys: string[] = [];
  const keyIndex = new Map<string, number>();
  for (const r of batch.records) {
    if (!keyIndex.has(r.origin.fileKey)) {
      keyIndex.set(r.origin.fileKey, fileKeys.length);
      fileKeys.push(r.origin.fileKey);
    }
  }
  const header: Header = { source: batch.source, container: batch.container, fileKeys };
  const w = new Writer();
  w.raw(LOGS_MAGIC);
  w.byte(LOGS_WIRE_VERSION);
  w.string(JSON.stringify(header));
  w.varint(batch.records.length);
  const idBase = `${batch.container.id}:`;
  let key = -1;
  let prevEnd = 0;
  let prevTime = '';
  for (const r of batch.records) {
    w.reserve(48 + 3 * (r.time.length + r.message.length + r.id.length));
    const k = keyIndex.get(r.origin.fileKey) as number;
    const explicitId = r.id !== `${idBase}${r.origin.fileKey}:${r.origin.offset}`;
    w.byte((r.stream === 'stderr' ? F_STDERR : 0) | (ERROR_CODES.indexOf(r.error) << 1) | (explicitId ? F_EXPLICIT_ID : 0) | (k !== key ? F_FILE_KEY : 0));
    if (k !== key) w.varint(k);
    key = k;
    w.varint(zigzag(r.origin.offset - prevEnd));
    w.varint(r.origin.endOffset - r.origin.offset);
    prevEnd = r.origin.endOffset;
    const shared = sharedPrefix(prevTime, r.time);
    w.varint(shared);
    w.string(shared === 0 ? r.time : r.time.slice(shared));
    prevTime = r.time;
    if (explicitId) w.string(r.id);
    w.string(r.message);
  }
  return w.done();
}

export type LogDecodeResult = { readonly ok: true; readonly event: LogBatch } | { readonly ok: false; readonly reason: string; readonly detail: string };

export function decodeLogBatch(value: Buffer): LogDecodeResult {
  if (value[4] !== LOGS_WIRE_VERSION) return { ok: false, reason: 'unknown_version', detail: `logs wire format ${value[4]} is not supported (expected ${LOGS_WIRE_VERSION})` };
  try {
    const r = new Reader(value, 5);
    const header = JSON.parse(r.string()) as Partial<Header>;
    const { source, container, fileKeys } = header;
    if (typeof source !== 'string' || typeof container !== 'object' || container === null || typeof container.id !== 'string' || !Array.isArray(fileKeys)) {
      return { ok: false, reason: 'malformed', detail: 'logs batch header lacks source, container or fileKeys' };
    }
    const count = r.varint();
    const records: LogRecord[] = [];
    const idBase = `${container.id}:`;
    let fileKey: string | undefined;
    let prevEnd = 0;
    let prevTime = '';
    for (let i = 0; i < count; i++) {
      const flags = r.byte();
      if (flags & F_FILE_KEY) fileKey = fileKeys[r.varint()] as string | undefined;
      if (typeof fileKey !== 'string') throw new RangeError(`record ${i} has no file key`);
      const offset = prevEnd + unzigzag(r.varint());
      const endOffset = offset + r.varint();
      prevEnd = endOffset;
      const shared = r.varint();
      if (shared > prevTime.length) throw new RangeError(`record ${i} shares more of the time than there is`);
      const time = prevTime.slice(0, shared) + r.string();
      prevTime = time;
      const id = flags & F_EXPLICIT_ID ? r.string() : `${idBase}${fileKey}:${offset}`;
      const message = r.string();
      const stream: LogStream = flags & F_STDERR ? 'stderr' : 'stdout';
      const error = ERROR_CODES[(flags >> 1) & 3];
      const origin = { fileKey, offset, endOffset };
      records.push(error === undefined ? { id, time, stream, message, origin } : { id, time, stream, message, origin, error });
    }
    if (!r.atEnd) throw new RangeError(`${value.length - r.pos} bytes after the last record`);
    return { ok: true, event: { type: 'logs', version: 1, source, container, records } };
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `logs batch: ${(err as Error).message}` };
  }
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** LEB128 varints with plain arithmetic (offsets pass 2^32), strings with a length prefix. */
class Writer {
  pos = 0;

  reserve(bytes: number): void {
    if (this.pos + bytes <= scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, this.pos + bytes));
    scratch.copy(grown, 0, 0, this.pos);
    scratch = grown;
  }

  byte(b: number): void {
    scratch[this.pos++] = b;
  }

  raw(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(scratch, this.pos);
    this.pos += bytes.length;
  }

  varint(n: number): void {
    while (n >= 0x80) {
      scratch[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    scratch[this.pos++] = n;
  }

  /**
   * Writes the UTF-8 bytes first, behind a length prefix as wide as the longest the string could
   * need (3 bytes per UTF-16 unit), then fills the prefix in, padded — one pass over the string.
   */
  string(s: string): void {
    const max = s.length * 3;
    this.reserve(max + 8);
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

  /** A copy of what was written: the scratch is reused by the next encode. */
  done(): Buffer {
    const out = Buffer.from(scratch.subarray(0, this.pos));
    // One huge line must not pin a huge scratch for the life of the process.
    if (scratch.length > 8 << 20) scratch = Buffer.allocUnsafe(1 << 20);
    return out;
  }
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  get atEnd(): boolean {
    return this.pos === this.buf.length;
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
