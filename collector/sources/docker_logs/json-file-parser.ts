import { isUtf8 } from 'node:buffer';
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

/** Parses `buf[start, end)` (one line without its `\n`) into `out`; never throws. */
export function parseJsonFileLine(buf: Buffer, start: number, end: number, out: ParsedLine): void {
  if (!fastParse(buf, start, end, out)) slowParse(buf, start, end, out);
}

/** Also used by the decoder's crash-recovery split: `{"log":"` starts every json-file record. */
export function recordStartAfter(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(PREFIX, start + 1);
  return at >= 0 && at < end ? at : -1;
}

function fastParse(buf: Buffer, start: number, end: number, out: ParsedLine): boolean {
  if (!matches(buf, start, PREFIX, end)) return false;
  const s = start + PREFIX.length;
  let i = s;
  let escapes = 0;
  let lastEscape = -1;
  let high = 0;
  // One pass over the message: find the closing quote, remember escapes and non-ASCII bytes.
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) break;
    high |= c;
    if (c === BACKSLASH) {
      escapes++;
      lastEscape = i;
      i++;
    }
  }
  if (i >= end) return false;
  const q = i;
  if (!matches(buf, q, STREAM_KEY, end)) return false;
  let p = q + STREAM_KEY.length;
  let stream: LogStream;
  if (matches(buf, p, OUT, end)) stream = 'stdout';
  else if (matches(buf, p, ERR, end)) stream = 'stderr';
  else return false;
  p += 3;
  if (!matches(buf, p, TIME_KEY, end)) return false;
  const ts = p + TIME_KEY.length;
  const te = buf.indexOf(QUOTE, ts);
  if (te < 0 || te !== end - 2 || buf[end - 1] !== 0x7d) return false;
  // The usual shapes need no unescaping: none (a partial chunk) or just the final `\n`.
  const newlineOnly = escapes === 1 && lastEscape === q - 2 && buf[q - 1] === LOWER_N;
  if (escapes > 0 && !newlineOnly) return decodeEscaped(buf, s, q, stream, buf.toString('latin1', ts, te), out);
  const msgEnd = newlineOnly ? q - 2 : q;
  out.ok = true;
  out.stream = stream;
  out.time = buf.toString('latin1', ts, te);
  out.partial = !newlineOnly;
  out.bytes = msgEnd - s;
  if (high < 0x80) {
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
