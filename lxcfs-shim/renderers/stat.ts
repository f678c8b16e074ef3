import { linesOf } from './format';
import type { CpuVisibility } from './cpus';
import { isVisible } from './cpus';

export interface CpuTicks {
  readonly user: number;
  readonly system: number;
}

/** Where the cgroup's CPU time comes from. */
export type StatUsage =
  /** v1 cpuacct.usage_all / usage_percpu, in ns, indexed by physical CPU. */
  | { readonly kind: 'percpu'; readonly perCpuNs: readonly { readonly userNs: number; readonly systemNs: number }[] }
  /** v2 cpu.stat user_usec/system_usec: totals only (lxcfs 5.0 serves host numbers here). */
  | { readonly kind: 'total'; readonly userNs: number; readonly systemNs: number }
  /** No accounting available: host lines for the visible CPUs, as lxcfs does. */
  | { readonly kind: 'host' };

const TICKS_PER_SEC = 100;

/** lxcfs converts with this exact double arithmetic; the same steps give the same truncation. */
export function nsToTicks(ns: number): number {
  return Math.trunc((ns / 1000.0 / 1000 / 1000) * TICKS_PER_SEC);
}

interface HostCpuLine {
  readonly phys: number;
  readonly fields: readonly number[];
  readonly rest: string;
  readonly index: number;
}

function parseCpuLine(line: string, index: number): HostCpuLine | 'other' | 'skip' {
  const m = /^cpu(\S+)/.exec(line);
  if (m === null) return 'other';
  if (!/^\d+$/.test(m[1] ?? '')) return 'skip';
  const sp = line.indexOf(' ');
  const fields = line.slice(sp).trim().split(/\s+/).map(Number);
  return { phys: Number(m[1]), fields, rest: line.slice(sp), index };
}

/**
 * Splits a cgroup's total user/system time over the visible CPUs in proportion to each CPU's
 * host busy time (where the work could have run), with largest-remainder rounding so the
 * per-CPU ticks add up exactly to the totals.
 */
export function distributeTicks(totalTicks: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => (sum > 0 ? (totalTicks * w) / sum : totalTicks / weights.length));
  const out = shares.map(Math.floor);
  let left = totalTicks - out.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  return out;
}

function busy(f: readonly number[]): number {
  // user nice system [idle] iowait irq softirq steal guest guest_nice, as lxcfs sums them.
  return f.reduce((a, b, i) => (i === 3 ? a : a + b), 0);
}

function perCpuTicks(usage: StatUsage, visible: readonly HostCpuLine[]): Map<number, CpuTicks> | null {
  if (usage.kind === 'host') return null;
  const out = new Map<number, CpuTicks>();
  if (usage.kind === 'percpu') {
    usage.perCpuNs.forEach((c, phys) => out.set(phys, { user: nsToTicks(c.userNs), system: nsToTicks(c.systemNs) }));
    return out;
  }
  const weights = visible.map((l) => busy(l.fields));
  const users = distributeTicks(nsToTicks(usage.userNs), weights);
  const systems = distributeTicks(nsToTicks(usage.systemNs), weights);
  visible.forEach((l, i) => out.set(l.phys, { user: users[i] ?? 0, system: systems[i] ?? 0 }));
  return out;
}

/**
 * /proc/stat for a cgroup, per lxcfs 5.0.3 without the CPU view: the visible CPUs' lines keep
 * their physical numbers, user and system come from the cgroup, idle absorbs the rest of the
 * CPU's time, nice/iowait/irq/… are 0; the summary line is the sum; other lines pass through.
 * With a CPU view limit the first `maxCpus` visible CPUs are kept and renumbered from 0.
 */
export function renderStat(host: string, v: CpuVisibility, usage: StatUsage): string {
  const lines = linesOf(host).slice(1);
  const parsed = lines.map((l, i) => parseCpuLine(l, i));
  let visible = parsed.filter((p): p is HostCpuLine => typeof p !== 'string' && isVisible(p.phys, v));
  if (v.maxCpus !== null) visible = visible.slice(0, v.maxCpus);
  const ticks = perCpuTicks(usage, visible);
  const rendered = new Map<number, string>();
  const sum = new Array<number>(10).fill(0);
  visible.forEach((l, n) => {
    const name = v.maxCpus !== null ? n : l.phys;
    const cg = ticks?.get(l.phys);
    if (l.fields.length < 10 || cg === undefined) {
      rendered.set(l.index, `cpu${name}${l.rest}`);
      if (ticks === null) l.fields.forEach((x, i) => { if (i < 10) sum[i] = (sum[i] ?? 0) + x; });
      return;
    }
    const all = busy(l.fields);
    const used = cg.user + cg.system;
    const idle = (l.fields[3] ?? 0) + (all >= used ? all - used : 0);
    rendered.set(l.index, `cpu${name} ${cg.user} 0 ${cg.system} ${idle} 0 0 0 0 0 0\n`);
    sum[0] = (sum[0] ?? 0) + cg.user;
    sum[2] = (sum[2] ?? 0) + cg.system;
    sum[3] = (sum[3] ?? 0) + idle;
  });
  let out = `cpu  ${sum.join(' ')}\n`;
  parsed.forEach((p, i) => {
    if (p === 'other') out += lines[i] as string;
    else if (p !== 'skip') out += rendered.get(i) ?? '';
  });
  return out;
}
