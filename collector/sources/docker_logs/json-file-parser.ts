import { isAscii, isUtf8 } from 'node:buffer';
import type { LogStream } from '../../../core/event';

/**
 * Docker's json-file records, one per line:
 *   {"log":"text\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}
 * (moby's jsonlog.MarshalJSONBuf writes the keys in exactly this order; `attrs` sits between
 * `stream` and `time` when `--log-opt labels/env` is used). A `log` without a trailing newline is
 * a partial record: Docker splits messages over 16 KiB and the next record continues it.
 *
 * The fast path below recognises exactly that layout with a single forward scan and decodes the
 * message without building an object; whatever it does not recognise (attrs, other key orders,
 * escapes other than the final `\n`) goes through JSON.parse, so the result is always what
 * JSON.parse would give. The one leniency: raw control bytes inside the `log` string (which
 * Docker never writes, and JSON forbids) are accepted by the fast path rather than rejected.
 */

export type ParseError = 'unparseable' | 'invalid_utf8';

/** Reused for every line (one object per decoder, not per line) to keep the hot path allocation-light. */
export class ParsedLine {
  ok = false;
  stream: LogStream = 'stdout';
  time = '';
  /** The message without Docker's trailing newline; for a bad line, the raw line text. */
  message = '';
  /** UTF-8 bytes of `message` (exact for parsed lines). */
  bytes = 0;
  /** `log` did not end with a newline: the next record of the same stream continues it. */
  partial = false;
  error: ParseError | undefined = undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_N = 0x6e;
const PREFIX = Buffer.from('{"log":"');
const STREAM_KEY = Buffer.from('","stream":"std');
const TIME_KEY = Buffer.from('","time":"');

function matches(buf: Buffer, at: number, what: Buffer, end: number): boolean {
  if (at + what.length > end) return false;
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/**
 * Where the parts of a json-file record of the usual layout are, found by one forward scan:
 * byte ranges into the buffer, no strings made. `plain` records (the message ends with Docker's
 * `\n` and has no other escape, and is valid UTF-8) can be copied to the wire as they are.
 */
export class LineScan {
  stream: LogStream = 'stdout';
  messageStart = 0;
  /** The closing quote of `log`. */
  quote = 0;
  /** Just before Docker's trailing `\n` escape, or the closing quote for a partial record. */
  messageEnd = 0;
  timeStart = 0;
  timeEnd = 0;
  /** No escape but the final `\n`; `messageEnd` is exact. */
  unescaped = false;
  /** `log` ended with a newline: not a partial record. */
  complete = false;
  /** No byte of the message is ≥ 0x80. */
  ascii = true;
  /** Unescaped, complete and valid UTF-8: its bytes are the message. */
  plain = false;
}

/** Parses `buf[start, end)` (one line without its `\n`) into `out`; never throws. */
export function parseJsonFileLine(buf: Buffer, start: number, end: number, out: ParsedLine, scan = new LineScan()): void {
  parseScannedLine(buf, start, end, scanJsonFileLine(buf, start, end, scan), scan, out);
}

/** As parseJsonFileLine, for a line `scanJsonFileLine` has looked at already (`scanned`: what it returned). */
export function parseScannedLine(buf: Buffer, start: number, end: number, scanned: boolean, scan: LineScan, out: ParsedLine): void {
  if (!(scanned && parsedFromScan(buf, scan, out))) slowParse(buf, start, end, out);
}

/** Also used by the decoder's crash-recovery split: `{"log":"` starts every json-file record. */
export function recordStartAfter(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(PREFIX, start + 1);
  return at >= 0 && at < end ? at : -1;
}

/**
 * Fills `scan` for a record of the usual layout; false for anything else (JSON.parse decides those).
 * `knownAscii`: the caller checked that every byte of the line is below 0x80.
 */
export function scanJsonFileLine(buf: Buffer, start: number, end: number, scan: LineScan, knownAscii = false): boolean {
  if (!matches(buf, start, PREFIX, end)) return false;
  const s = start + PREFIX.length;
  let q = buf.indexOf(QUOTE, s);
  if (q < 0 || q >= end) return false;
  // The usual message ends with Docker's `\n` and has no other escape: then the first backslash
  // is that one, and memchr (indexOf) finds both it and the quote, bounded by them. Anything else
  // (a partial record, other escapes) is walked byte by byte.
  let escapes: 'none' | 'newline' | 'other';
  if (buf[q - 1] === LOWER_N && buf[q - 2] === BACKSLASH && buf.indexOf(BACKSLASH, s) === q - 2) {
    escapes = 'newline';
  } else {
    q = walkToClosingQuote(buf, s, end);
    if (q < 0) return false;
    escapes = lastWalkEscapes > 0 ? 'other' : 'none';
  }
  if (!matches(buf, q, STREAM_KEY, end)) return false;
  let p = q + STREAM_KEY.length;
  if (matches(buf, p, OUT, end)) scan.stream = 'stdout';
  else if (matches(buf, p, ERR, end)) scan.stream = 'stderr';
  else return false;
  p += 3;
  if (!matches(buf, p, TIME_KEY, end)) return false;
  const ts = p + TIME_KEY.length;
  const te = buf.indexOf(QUOTE, ts);
  if (te < 0 || te !== end - 2 || buf[end - 1] !== 0x7d) return false;
  const newlineOnly = escapes === 'newline';
  scan.messageStart = s;
  scan.quote = q;
  scan.timeStart = ts;
  scan.timeEnd = te;
  // The usual shapes need no unescaping: none (a partial chunk) or just the final `\n`.
  scan.unescaped = escapes !== 'other';
  scan.complete = newlineOnly;
  scan.messageEnd = newlineOnly ? q - 2 : q;
  scan.ascii = knownAscii || isAscii(buf.subarray(s, q));
  // Copied as bytes, the time must be ASCII too (Docker's always is): anything else goes through strings.
  scan.plain = newlineOnly && (scan.ascii || isUtf8(buf.subarray(s, q - 2))) && (knownAscii || isAscii(buf.subarray(ts, te)));
  return true;
}

/** Escapes the last walk saw (a module variable: the walk returns a position and runs per line). */
let lastWalkEscapes = 0;

/** The unescaped quote closing a JSON string that starts at `s`, or -1 before `end`. */
function walkToClosingQuote(buf: Buffer, s: number, end: number): number {
  lastWalkEscapes = 0;
  for (let i = s; i < end; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      lastWalkEscapes++;
      i++;
    }
  }
  return -1;
}

/** The strings of a scanned record; false when its escapes turn out not to be JSON. */
function parsedFromScan(buf: Buffer, scan: LineScan, out: ParsedLine): boolean {
  const { messageStart: s, messageEnd: msgEnd } = scan;
  if (!scan.unescaped) return decodeEscaped(buf, s, scan.quote, scan.stream, buf.toString('latin1', scan.timeStart, scan.timeEnd), out);
  out.ok = true;
  out.stream = scan.stream;
  out.time = buf.toString('latin1', scan.timeStart, scan.timeEnd);
  out.partial = !scan.complete;
  out.bytes = msgEnd - s;
  if (scan.ascii) {
    out.message = buf.toString('latin1', s, msgEnd);
    out.error = undefined;
  } else {
    out.message = buf.toString('utf8', s, msgEnd);
    out.error = isUtf8(buf.subarray(s, msgEnd)) ? undefined : 'invalid_utf8';
  }
  return true;
}

/** Other escapes: JSON.parse of the string literal alone is exact and far cheaper than the whole record. */
function decodeEscaped(buf: Buffer, s: number, q: number, stream: LogStream, time: string, out: ParsedLine): boolean {
  let log: unknown;
  try {
    log = JSON.parse(buf.toString('utf8', s - 1, q + 1));
  } catch {
    return false;
  }
  if (typeof log !== 'string') return false;
  const complete = log.endsWith('\n');
  out.ok = true;
  out.stream = stream;
  out.time = time;
  out.partial = !complete;
  out.message = complete ? log.slice(0, -1) : log;
  out.bytes = Buffer.byteLength(out.message);
  out.error = isUtf8(buf.subarray(s, q)) ? undefined : 'invalid_utf8';
  return true;
}

const OUT = Buffer.from('out');
const ERR = Buffer.from('err');

interface JsonFileRecord {
  log?: unknown;
  stream?: unknown;
  time?: unknown;
}

function slowParse(buf: Buffer, start: number, end: number, out: ParsedLine): void {
  const text = buf.toString('utf8', start, end);
  let rec: JsonFileRecord | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) rec = parsed;
  } catch {
    rec = undefined;
  }
  const valid = rec !== undefined && typeof rec.log === 'string' && (rec.stream === 'stdout' || rec.stream === 'stderr') && typeof rec.time === 'string';
  const utf8 = isUtf8(buf.subarray(start, end));
  if (!valid || !rec) {
    setBad(out, text, end - start, utf8 ? 'unparseable' : 'invalid_utf8');
    return;
  }
  const log = rec.log as string;
  const complete = log.endsWith('\n');
  out.ok = true;
  out.stream = rec.stream as LogStream;
  out.time = rec.time as string;
  out.partial = !complete;
  out.message = complete ? log.slice(0, -1) : log;
  out.bytes = Buffer.byteLength(out.message);
  out.error = utf8 ? undefined : 'invalid_utf8';
}

export function setBad(out: ParsedLine, raw: string, bytes: number, error: ParseError): void {
  out.ok = false;
  out.stream = 'stdout';
  out.time = '';
  out.partial = false;
  out.message = raw;
  out.bytes = bytes;
  out.error = error;
}
