import { USER_HZ, parseCpuMax, type ControllerDir, type FileProblem } from '../../../core/cgroup';
import type { CpuView, MemoryView } from './map';
import type { ControllerFiles } from './plan';
import { KeyTable } from './scan';
import { FileSlot, collectProblems, type ByteReader, type SlotKind } from './slots';

/**
 * The cpu and memory readers of one container run: slots parsed from bytes, then derived exactly
 * as core/cgroup's cpuFromFiles / memoryFromFiles derive the same fields from text (each line
 * below names the core rule it mirrors). Views are reused objects, overwritten every scrape.
 */

/** Missing files that are normal (old kernels; v2 without the cpu controller), as in core. */
const CPU_OPTIONAL = new Set(['cpuacct.usage_user', 'cpuacct.usage_sys', 'cpuacct.usage_all', 'cpu.max', 'cpu.weight']);
const NS_PER_US = 1000;

class CpuViewState implements CpuView {
  usageNs: number | null = null;
  userNs: number | null = null;
  systemNs: number | null = null;
  throttling: { periods: number; throttledPeriods: number; throttledNs: number } | null = null;
  readonly quota: { quotaUs: number | null; periodUs: number | null } = { quotaUs: null, periodUs: null };
  shares: number | null = null;
  weight: number | null = null;
  readonly problems: FileProblem[] = [];
  private readonly throttle = { periods: 0, throttledPeriods: 0, throttledNs: 0 };

  constructor(readonly version: 1 | 2) {}

  /** `periods` undefined: no throttling counters (core sets `throttling: null`). */
  setThrottling(periods: number | undefined, throttledPeriods: number, throttledNs: number): void {
    if (periods === undefined) {
      this.throttling = null;
      return;
    }
    this.throttle.periods = periods;
    this.throttle.throttledPeriods = throttledPeriods;
    this.throttle.throttledNs = throttledNs;
    this.throttling = this.throttle;
  }
}

const slot = (cg: ControllerDir, name: string, kind: SlotKind): FileSlot => new FileSlot(name, `${cg.dir}/${name}`, kind);

const V1_CPU_STAT = new KeyTable(['nr_periods', 'nr_throttled', 'throttled_time']);
const V1_ACCT_STAT = new KeyTable(['user', 'system']);

/** v1: cpu.stat and the limits from the cpu hierarchy, usage from cpuacct (maybe mounted apart). */
export class CpuV1Reads {
  private readonly view = new CpuViewState(1);
  private readonly stat: FileSlot;
  private readonly spec: readonly FileSlot[];
  private readonly cpuSlots: readonly FileSlot[];
  private readonly acct: readonly FileSlot[];
  private readonly usage: FileSlot | undefined;
  private readonly user: FileSlot | undefined;
  private readonly sys: FileSlot | undefined;
  private readonly acctStat: FileSlot | undefined;

  constructor(cpu: ControllerDir, acct: ControllerDir | undefined, acctFiles: ControllerFiles) {
    this.stat = slot(cpu, 'cpu.stat', V1_CPU_STAT);
    this.spec = [slot(cpu, 'cpu.cfs_quota_us', 'int'), slot(cpu, 'cpu.cfs_period_us', 'uint'), slot(cpu, 'cpu.shares', 'uint')];
    this.cpuSlots = [this.stat, ...this.spec];
    const kinds: Readonly<Record<string, SlotKind>> = { 'cpuacct.stat': V1_ACCT_STAT };
    this.acct = acct ? acctFiles.scrape.map((n) => slot(acct, n, kinds[n] ?? 'uint')) : [];
    const find = (name: string): FileSlot | undefined => this.acct.find((s) => s.name === name);
    this.usage = find('cpuacct.usage');
    this.user = find('cpuacct.usage_user');
    this.sys = find('cpuacct.usage_sys');
    this.acctStat = find('cpuacct.stat');
  }

  read(reader: ByteReader, withSpec: boolean): CpuView {
    this.stat.load(reader);
    if (withSpec) for (const s of this.spec) s.load(reader);
    for (const s of this.acct) s.load(reader);
    const v = this.view;
    const [quota, period, shares] = this.spec as [FileSlot, FileSlot, FileSlot];
    v.usageNs = this.usage?.value() ?? null;
    // usage_user ?? cpuacct.stat user ticks × 10⁹/USER_HZ
    v.userNs = this.user?.value() ?? ticks(this.acctStat?.key(0));
    v.systemNs = this.sys?.value() ?? ticks(this.acctStat?.key(1));
    v.setThrottling(this.stat.key(0), this.stat.key(1) ?? 0, this.stat.key(2) ?? 0);
    const q = quota.value();
    v.quota.quotaUs = q === null || q < 0 ? null : q;
    v.quota.periodUs = period.value();
    v.shares = shares.value();
    v.problems.length = 0;
    collectProblems(this.cpuSlots, v.problems, CPU_OPTIONAL);
    collectProblems(this.acct, v.problems, CPU_OPTIONAL);
    return v;
  }
}

function ticks(v: number | undefined): number | null {
  return v === undefined ? null : v * (1e9 / USER_HZ);
}

const V2_CPU_STAT = new KeyTable(['usage_usec', 'user_usec', 'system_usec', 'nr_periods', 'nr_throttled', 'throttled_usec']);

/** v2: everything from cpu.stat; cpu.max and cpu.weight with the limits. */
export class CpuV2Reads {
  private readonly view = new CpuViewState(2);
  private readonly stat: FileSlot;
  private readonly max: FileSlot;
  private readonly weight: FileSlot;
  private readonly all: readonly FileSlot[];
  private maxValue: ReturnType<typeof parseCpuMax>;

  constructor(cg: ControllerDir) {
    this.stat = slot(cg, 'cpu.stat', V2_CPU_STAT);
    this.max = slot(cg, 'cpu.max', 'text');
    this.weight = slot(cg, 'cpu.weight', 'uint');
    this.all = [this.stat, this.max, this.weight];
  }

  read(reader: ByteReader, withSpec: boolean): CpuView {
    this.stat.load(reader);
    if (withSpec) {
      this.max.load(reader);
      this.weight.load(reader);
      this.maxValue = this.cpuMax();
    }
    const v = this.view;
    const us = (i: number): number | null => {
      const x = this.stat.key(i);
      return x === undefined ? null : x * NS_PER_US;
    };
    v.usageNs = us(0);
    v.userNs = us(1);
    v.systemNs = us(2);
    v.setThrottling(this.stat.key(3), this.stat.key(4) ?? 0, us(5) ?? 0);
    const max = this.maxValue;
    v.quota.quotaUs = max?.quotaUs ?? null;
    v.quota.periodUs = max?.periodUs ?? null;
    v.weight = this.weight.value();
    v.problems.length = 0;
    collectProblems(this.all, v.problems, CPU_OPTIONAL);
    return v;
  }

  /** cpu.max is parsed (as text, by core's parser) once per spec refresh; a malformed one stays reported. */
  private cpuMax(): ReturnType<typeof parseCpuMax> {
    const t = this.max.textRead;
    if (!t?.ok || this.max.problem) return undefined;
    const parsed = parseCpuMax(t.text);
    if (parsed === undefined) this.max.markMalformed(t.text);
    return parsed;
  }
}

/** memory.stat keys the samples use: v1 hierarchical `total_*` first, then the cgroup's own. */
const V1_MEM_STAT = new KeyTable(['total_cache', 'cache', 'total_rss', 'rss', 'total_inactive_file', 'inactive_file', 'total_swap', 'swap']);
const V2_MEM_STAT = new KeyTable(['file', 'anon', 'inactive_file']);
const V1_OOM = new KeyTable(['oom_kill']);
const V2_EVENTS = new KeyTable(['max', 'oom_kill']);

class MemoryViewState implements MemoryView {
  usageBytes: number | null = null;
  limitBytes: number | null = null;
  swapUsageBytes: number | null = null;
  swapLimitBytes: number | null = null;
  memswLimitBytes: number | null = null;
  failcnt: number | null = null;
  events: { max: number | null; oomKill: number | null } | null = null;
  stat: { rss: number; cache: number; swap: number | null; inactiveFile: number } | null = null;
  readonly problems: FileProblem[] = [];
  readonly eventsState = { max: null as number | null, oomKill: null as number | null };
  readonly statState = { rss: 0, cache: 0, swap: null as number | null, inactiveFile: 0 };

  constructor(readonly version: 1 | 2) {}
}

/** The memory controller, v1 or v2, in the order core's memoryFromFiles consults the files. */
export class MemoryReads {
  private readonly view: MemoryViewState;
  private readonly scrape: readonly FileSlot[];
  private readonly spec: readonly FileSlot[];

  constructor(private readonly cg: ControllerDir) {
    this.view = new MemoryViewState(cg.version);
    this.scrape = cg.version === 2
      ? [slot(cg, 'memory.stat', V2_MEM_STAT), slot(cg, 'memory.events', V2_EVENTS), slot(cg, 'memory.current', 'uint'), slot(cg, 'memory.swap.current', 'uint')]
      : [slot(cg, 'memory.stat', V1_MEM_STAT), slot(cg, 'memory.usage_in_bytes', 'uint'), slot(cg, 'memory.oom_control', V1_OOM), slot(cg, 'memory.failcnt', 'uint')];
    this.spec = cg.version === 2
      ? [slot(cg, 'memory.max', 'limit'), slot(cg, 'memory.swap.max', 'limit')]
      : [slot(cg, 'memory.limit_in_bytes', 'limit'), slot(cg, 'memory.memsw.limit_in_bytes', 'limit')];
  }

  read(reader: ByteReader, withSpec: boolean): MemoryView {
    for (const s of this.scrape) s.load(reader);
    if (withSpec) for (const s of this.spec) s.load(reader);
    const v = this.view;
    const [stat, second, third, fourth] = this.scrape as [FileSlot, FileSlot, FileSlot, FileSlot];
    const [limit, swapLimit] = this.spec as [FileSlot, FileSlot];
    v.stat = stat.ok ? v.statState : null;
    v.limitBytes = limit.value();
    if (this.cg.version === 2) {
      // statFields v2: file, anon, inactive_file (0 when absent); events.max / oom_kill
      v.statState.cache = stat.key(0) ?? 0;
      v.statState.rss = stat.key(1) ?? 0;
      v.statState.inactiveFile = stat.key(2) ?? 0;
      v.statState.swap = null;
      v.events = second.ok ? v.eventsState : null;
      v.eventsState.max = second.key(0) ?? null;
      v.eventsState.oomKill = second.key(1) ?? null;
      v.usageBytes = third.value();
      v.swapUsageBytes = fourth.value();
      v.swapLimitBytes = swapLimit.value();
      v.memswLimitBytes = null;
      v.failcnt = null;
    } else {
      // statFields v1: total_<k> ?? <k> ?? 0 (swap: ?? null); events from oom_control's oom_kill
      v.statState.cache = stat.key(0) ?? stat.key(1) ?? 0;
      v.statState.rss = stat.key(2) ?? stat.key(3) ?? 0;
      v.statState.inactiveFile = stat.key(4) ?? stat.key(5) ?? 0;
      v.statState.swap = stat.key(6) ?? stat.key(7) ?? null;
      v.usageBytes = second.value();
      v.events = third.ok ? v.eventsState : null;
      v.eventsState.max = null;
      v.eventsState.oomKill = third.key(0) ?? null;
      v.failcnt = fourth.value();
      v.memswLimitBytes = swapLimit.value();
      // swapUsage: memsw.usage is not read, so null; swapLimit: memsw − limit when both are set
      v.swapUsageBytes = null;
      v.swapLimitBytes = v.memswLimitBytes === null || v.limitBytes === null ? null : Math.max(0, v.memswLimitBytes - v.limitBytes);
    }
    v.problems.length = 0;
    collectProblems(this.scrape, v.problems);
    collectProblems(this.spec, v.problems);
    return v;
  }
}
