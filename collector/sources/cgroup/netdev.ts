import type { InterfaceCounters } from '../../scrape/common-samples';
import { parseNetDev } from '../../scrape/procfs';
import { digitsAt, isSpace } from './scan';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Interface {
  readonly nameBytes: Buffer;
  readonly name: string;
  readonly counters: Mutable<InterfaceCounters>;
}

const NL = 0x0a;
const COLON = 0x3a;
const BAR = 0x7c;
/** Interfaces remembered per container (names seen); a namespace that churns veth names is reset past this. */
const MAX_REMEMBERED = 64;
/** Fields of a /proc/net/dev line; kept: rx bytes, packets, errs, drop (0-3) and tx the same (8-11). */
const FIELDS = 16;

/**
 * /proc/<pid>/net/dev of one container, parsed from the bytes into counters reused every scrape
 * (no string per line or field; interface names are made once). Same answers as parseNetDev,
 * which is asked instead whenever the bytes are not plainly what the kernel writes.
 */
export class NetDevReader {
  private readonly known: Interface[] = [];
  private readonly out = new Map<string, InterfaceCounters>();
  private readonly fields = new Float64Array(FIELDS);

  /** The interfaces (loopback left out), or undefined when the text is malformed. */
  parse(buf: Buffer, len: number): ReadonlyMap<string, InterfaceCounters> | undefined {
    const fast = this.scan(buf, len);
    return fast ?? parseNetDev(buf.toString('utf8', 0, len));
  }

  /** undefined: not the plain shape, decide with the string parser. */
  private scan(buf: Buffer, len: number): ReadonlyMap<string, InterfaceCounters> | undefined {
    let p = 0;
    let bar = false;
    for (; p < len && buf[p] !== NL; p++) if (buf[p] === BAR) bar = true;
    if (!bar) return undefined;
    p = buf.indexOf(NL, p + 1);
    if (p < 0 || p >= len) p = len;
    this.out.clear();
    for (let line = p + 1; line < len;) {
      let end = line;
      let colon = -1;
      while (end < len && buf[end] !== NL) {
        const b = buf[end] as number;
        if (b >= 0x80) return undefined;
        if (colon < 0 && b === COLON) colon = end;
        end++;
      }
      if (colon >= 0 && !this.line(buf, line, colon, end)) return undefined;
      line = end + 1;
    }
    return this.out;
  }

  /** One `name: 16 numbers` line; false when it is not plainly that. */
  private line(buf: Buffer, start: number, colon: number, end: number): boolean {
    let n = 0;
    for (let p = colon + 1; p < end;) {
      while (p < end && isSpace(buf[p] as number)) p++;
      if (p >= end) break;
      let q = p;
      while (q < end && !isSpace(buf[q] as number)) q++;
      const v = digitsAt(buf, p, q);
      if (Number.isNaN(v)) return false;
      if (n < FIELDS) this.fields[n] = v;
      n++;
      p = q;
    }
    if (n < FIELDS) return false;
    let s = start;
    let e = colon;
    while (s < e && isSpace(buf[s] as number)) s++;
    while (e > s && isSpace(buf[e - 1] as number)) e--;
    if (e - s === 2 && buf[s] === 0x6c && buf[s + 1] === 0x6f) return true; // "lo": the container's own traffic
    const iface = this.interface(buf, s, e);
    const f = this.fields;
    const c = iface.counters;
    c.rxBytes = f[0] as number;
    c.rxPackets = f[1] as number;
    c.rxErrors = f[2] as number;
    c.rxDropped = f[3] as number;
    c.txBytes = f[8] as number;
    c.txPackets = f[9] as number;
    c.txErrors = f[10] as number;
    c.txDropped = f[11] as number;
    this.out.set(iface.name, c);
    return true;
  }

  private interface(buf: Buffer, s: number, e: number): Interface {
    for (const k of this.known) if (k.nameBytes.length === e - s && buf.compare(k.nameBytes, 0, k.nameBytes.length, s, e) === 0) return k;
    if (this.known.length >= MAX_REMEMBERED) this.known.length = 0;
    const nameBytes = Buffer.from(buf.subarray(s, e));
    const k: Interface = {
      nameBytes, name: nameBytes.toString('latin1'),
      counters: { rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
    };
    this.known.push(k);
    return k;
  }
}
