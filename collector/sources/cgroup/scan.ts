/**
 * Number parsing straight from the bytes of a cgroup or /proc file, for the scrape hot path: no
 * string per file, per line or per field. Each scanner handles only the plain ASCII shape the
 * kernel writes and answers `FALLBACK` (or false) for anything else; the caller then decodes the
 * text and asks core/cgroup's string parser, so odd input gets exactly core's answer, malformed
 * verdict included. Integers of more than 15 digits (beyond exact accumulation in a double) are
 * converted with Number() on their digits, which is what core does, so values are identical.
 */

/** Not a value: the caller must decide with the string parser. */
export const FALLBACK = Symbol('fallback');

const SPACE = 0x20;
const NL = 0x0a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_EXACT_DIGITS = 15;

/** What String.prototype.trim removes, restricted to ASCII (other bytes go to the fallback). */
export function isSpace(b: number): boolean {
  return b === SPACE || (b >= 0x09 && b <= 0x0d);
}

/** Digits in [start, end) as a number; NaN unless every byte is a digit and there is one. */
export function digitsAt(buf: Buffer, start: number, end: number): number {
  if (end <= start) return NaN;
  if (end - start > MAX_EXACT_DIGITS) {
    for (let i = start; i < end; i++) if ((buf[i] as number) < ZERO || (buf[i] as number) > NINE) return NaN;
    return Number(buf.toString('latin1', start, end));
  }
  let v = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b < ZERO || b > NINE) return NaN;
    v = v * 10 + (b - ZERO);
  }
  return v;
}

/** `-?digits` in [start, end) with surrounding ASCII whitespace, as core's parseInt64 reads it. */
export function intAt(buf: Buffer, start: number, end: number, signed: boolean): number {
  let s = start;
  let e = end;
  while (s < e && isSpace(buf[s] as number)) s++;
  while (e > s && isSpace(buf[e - 1] as number)) e--;
  const neg = signed && s < e && buf[s] === MINUS;
  const v = digitsAt(buf, neg ? s + 1 : s, e);
  return neg ? -v : v;
}

/** A whole-file unsigned integer (core parseUint); FALLBACK when not plainly one. */
export function scanUint(buf: Buffer, len: number): number | typeof FALLBACK {
  const v = intAt(buf, 0, len, false);
  return Number.isNaN(v) ? FALLBACK : v;
}

/** A whole-file signed integer (core parseInt64). */
export function scanInt(buf: Buffer, len: number): number | typeof FALLBACK {
  const v = intAt(buf, 0, len, true);
  return Number.isNaN(v) ? FALLBACK : v;
}

/** The v1 "no limit" value and above, as core parseLimit treats it. */
const UNLIMITED_THRESHOLD = 2 ** 62;

/** A limit (core parseLimit): "max" or a huge v1 number is null (unlimited). */
export function scanLimit(buf: Buffer, len: number): number | null | typeof FALLBACK {
  let s = 0;
  let e = len;
  while (s < e && isSpace(buf[s] as number)) s++;
  while (e > s && isSpace(buf[e - 1] as number)) e--;
  if (e - s === 3 && buf[s] === 0x6d && buf[s + 1] === 0x61 && buf[s + 2] === 0x78) return null; // "max"
  const v = digitsAt(buf, s, e);
  if (Number.isNaN(v)) return FALLBACK;
  return v >= UNLIMITED_THRESHOLD ? null : v;
}

/**
 * The wanted keys of a "key value" file (memory.stat, cpu.stat, memory.events, oom_control),
 * compared as bytes so no key string is made per line.
 */
export class KeyTable {
  readonly keys: readonly string[];
  private readonly bytes: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.keys = keys;
    this.bytes = keys.map((k) => Buffer.from(k, 'latin1'));
  }

  indexOf(buf: Buffer, start: number, end: number): number {
    const n = end - start;
    for (let k = 0; k < this.bytes.length; k++) {
      const key = this.bytes[k] as Buffer;
      if (key.length !== n) continue;
      let i = 0;
      while (i < n && key[i] === buf[start + i]) i++;
      if (i === n) return k;
    }
    return -1;
  }
}

/**
 * Fills `out[i]` with the value of `table.keys[i]` (NaN when absent; a repeated key keeps its
 * last value, as core's Map does). False when a line is not plainly `key -?digits`: the caller
 * falls back to core parseFlatKeyed, which also says whether the file is malformed.
 */
export function scanFlatKeyed(buf: Buffer, len: number, table: KeyTable, out: Float64Array): boolean {
  out.fill(NaN);
  let line = 0;
  while (line < len) {
    let sp = -1;
    let nl = line;
    while (nl < len && buf[nl] !== NL) {
      if (sp < 0 && buf[nl] === SPACE) sp = nl;
      nl++;
    }
    if (nl > line) {
      if (sp <= line) return false;
      const v = intAt(buf, sp + 1, nl, true);
      if (Number.isNaN(v)) return false;
      const k = table.indexOf(buf, line, sp);
      if (k >= 0) out[k] = v;
    }
    line = nl + 1;
  }
  return true;
}
