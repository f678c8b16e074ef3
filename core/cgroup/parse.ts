/**
 * Pure parsers for the text formats of cgroup v1 and v2 files. Each takes the file text and
 * returns a value or `undefined` when the text does not have the expected shape; the callers turn
 * `undefined` into a `malformed` problem naming the file.
 */

/**
 * cgroup v1 reports "no limit" as PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712 on x86-64),
 * which is not exactly representable as a double. Anything at or above 2^62 is treated as
 * unlimited, which no real limit reaches.
 */
const UNLIMITED_THRESHOLD = 2 ** 62;

/** A single unsigned integer ("1234\n"). */
export function parseUint(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/** A signed integer ("-1\n" is how cpu.cfs_quota_us says "no quota"). */
export function parseInt64(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return undefined;
  return Number(t);
}

/**
 * A limit: v2 writes "max", v1 writes a huge number. Both become `null` (unlimited).
 * Returns `undefined` only for malformed text.
 */
export function parseLimit(text: string): number | null | undefined {
  const t = text.trim();
  if (t === 'max') return null;
  const n = parseUint(t);
  if (n === undefined) return undefined;
  return n >= UNLIMITED_THRESHOLD ? null : n;
}

/** "key value" per line: memory.stat, cpu.stat, memory.events, cpuacct.stat, oom_control. */
export function parseFlatKeyed(text: string): Map<string, number> | undefined {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const sp = line.indexOf(' ');
    if (sp <= 0) return undefined;
    const value = parseInt64(line.slice(sp + 1));
    if (value === undefined) return undefined;
    out.set(line.slice(0, sp), value);
  }
  return out;
}

/** Space-separated integers: cpuacct.usage_percpu. */
export function parseUintList(text: string): number[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const out: number[] = [];
  for (const tok of t.split(/\s+/)) {
    const n = parseUint(tok);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** A cpu list such as "0-3,8,10-11" (cpuset.cpus). Empty text is an empty set. */
export function parseCpuList(text: string): number[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const cpus = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The inverse of parseCpuList, in the kernel's own compact form. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

export interface CpuMax {
  /** Microseconds per period, or null for "max" (no quota). */
  readonly quotaUs: number | null;
  readonly periodUs: number;
}

/** v2 cpu.max: "max 100000" or "150000 100000". */
export function parseCpuMax(text: string): CpuMax | undefined {
  const m = /^(max|\d+)\s+(\d+)\s*$/.exec(text.trim());
  if (m === null) return undefined;
  return { quotaUs: m[1] === 'max' ? null : Number(m[1]), periodUs: Number(m[2]) };
}

export interface CpuTimes {
  readonly userNs: number;
  readonly systemNs: number;
}

/** v1 cpuacct.usage_all: a "cpu user system" header, then "N user_ns system_ns" per CPU. */
export function parseUsageAll(text: string): CpuTimes[] | undefined {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0]?.trim() !== 'cpu user system') return undefined;
  const out: CpuTimes[] = [];
  for (const line of lines.slice(1)) {
    const m = /^(\d+)\s+(\d+)\s+(\d+)$/.exec(line.trim());
    if (m === null) return undefined;
    out[Number(m[1])] = { userNs: Number(m[2]), systemNs: Number(m[3]) };
  }
  for (let i = 0; i < out.length; i++) out[i] ??= { userNs: 0, systemNs: 0 };
  return out;
}

export interface DeviceIo {
  readonly major: number;
  readonly minor: number;
  readBytes: number;
  writeBytes: number;
  discardBytes: number;
  readOps: number;
  writeOps: number;
  discardOps: number;
}

function emptyDevice(major: number, minor: number): DeviceIo {
  return { major, minor, readBytes: 0, writeBytes: 0, discardBytes: 0, readOps: 0, writeOps: 0, discardOps: 0 };
}

/**
 * v1 blkio.throttle.io_service_bytes / io_serviced ("8:0 Read 1234" lines plus "Total"). Fills
 * the bytes or the ops half of the per-device records in `into`.
 */
export function parseBlkioLines(
  text: string,
  kind: 'bytes' | 'ops',
  into: Map<string, DeviceIo>,
): boolean {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('Total')) continue;
    const m = /^(\d+):(\d+)\s+(\w+)\s+(\d+)$/.exec(t);
    if (m === null) return false;
    const key = `${m[1]}:${m[2]}`;
    const dev = into.get(key) ?? emptyDevice(Number(m[1]), Number(m[2]));
    into.set(key, dev);
    const value = Number(m[4]);
    const op = m[3];
    if (op === 'Read') dev[kind === 'bytes' ? 'readBytes' : 'readOps'] = value;
    else if (op === 'Write') dev[kind === 'bytes' ? 'writeBytes' : 'writeOps'] = value;
    else if (op === 'Discard') dev[kind === 'bytes' ? 'discardBytes' : 'discardOps'] = value;
  }
  return true;
}

const IO_STAT_KEYS: Record<string, keyof Omit<DeviceIo, 'major' | 'minor'>> = {
  rbytes: 'readBytes',
  wbytes: 'writeBytes',
  dbytes: 'discardBytes',
  rios: 'readOps',
  wios: 'writeOps',
  dios: 'discardOps',
};

/** v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device. */
export function parseIoStat(text: string): DeviceIo[] | undefined {
  const out: DeviceIo[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    const [devText, ...pairs] = t.split(/\s+/);
    const dm = /^(\d+):(\d+)$/.exec(devText ?? '');
    if (dm === null) return undefined;
    const dev = emptyDevice(Number(dm[1]), Number(dm[2]));
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      const field = IO_STAT_KEYS[pair.slice(0, eq)];
      const value = parseUint(pair.slice(eq + 1));
      if (eq > 0 && field !== undefined && value !== undefined) dev[field] = value;
    }
    out.push(dev);
  }
  return out;
}
