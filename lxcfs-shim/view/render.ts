import type { CgroupFs, CgroupLocation } from '../../core/cgroup';
import { CgroupResolver, isRootCgroup } from '../../core/cgroup';
import type { ProcPidGuard } from '../io/proc-pid';
import type { LoadavgSource } from '../loadavg/shared';
import { renderCpuOnline } from '../renderers/cpu-online';
import { renderCpuinfo } from '../renderers/cpuinfo';
import { renderDiskstats } from '../renderers/diskstats';
import { renderLoadavg } from '../renderers/loadavg';
import { renderMeminfo } from '../renderers/meminfo';
import type { CpuVisibility } from '../renderers/cpus';
import type { StatUsage } from '../renderers/stat';
import { renderStat } from '../renderers/stat';
import { renderSwaps } from '../renderers/swaps';
import { renderUptime } from '../renderers/uptime';
import type { ShimFile, ShimOptions } from './files';
import { SHIM_FILES } from './files';
import type { GatherContext } from './gather';
import {
  gatherBusySeconds, gatherDevices, gatherMemory, gatherMemoryNow, gatherStatUsage, gatherStatUsageNow, gatherVisibility, gatherVisibilityNow,
  swapsFromMemory,
} from './gather';
import type { Located } from './located';
import { LocationCache } from './located';
import type { ReaderIdentity } from './process';
import { InitResolver, parseStartTicks } from './process';
import type { ReadNow } from './reads';

/** /proc/stat from its inputs, the same on the synchronous and the awaited path: host when nothing is limited. */
function statText(host: string, vis: CpuVisibility | null, usage: StatUsage): string {
  if (vis === null && usage.kind === 'host') return host;
  return renderStat(host, vis ?? { cpuset: null, cpusetText: null, maxCpus: null }, usage);
}

/** USER_HZ of /proc/<pid>/stat starttime on every Linux arch we run on. */
const CLOCK_TICKS_PER_SEC = 100;

export interface ViewRendererDeps {
  readonly fs: CgroupFs;
  readonly options: ShimOptions;
  readonly loadavg?: LoadavgSource;
  readonly resolver?: CgroupResolver;
  readonly procRoot?: string;
  /** Lets per-process /proc files be read synchronously while the mount table allows it. */
  readonly procGuard?: ProcPidGuard;
  /** Reads a file if that needs no waiting (CachedFdFs.readTextNow): enables renderNow(). */
  readonly readNow?: ReadNow;
}

/**
 * Answers "what does file F look like to process P": resolves P to the cgroup lxcfs would use
 * (its pid namespace's init), reads the host file and the cgroup values in parallel, and calls
 * the pure renderer. Any failure falls back to the host file, never to an error for the reader.
 */
export class ViewRenderer {
  private readonly ctx: GatherContext;
  private readonly resolver: CgroupResolver;
  private readonly procRoot: string;
  private readonly hostPath = new Map<ShimFile, string>(SHIM_FILES.map((f) => [f.file, f.path]));
  private readonly locations: LocationCache;

  constructor(private readonly deps: ViewRendererDeps) {
    this.ctx = { fs: deps.fs, options: deps.options };
    this.procRoot = deps.procRoot ?? '/proc';
    this.resolver = deps.resolver ?? new CgroupResolver({ fs: deps.fs, procRoot: this.procRoot });
    const inits = new InitResolver(deps.fs, this.procRoot, deps.procGuard);
    this.locations = new LocationCache(inits, this.resolver, this.procRoot, deps.procGuard);
  }

  async render(file: ShimFile, pid: number): Promise<string> {
    const hostText = this.host(this.hostPath.get(file) as string);
    const l = await this.locations.locate(pid);
    return l === undefined ? hostText : this.renderSafely(file, l, hostText);
  }

  /**
   * render() without a promise, when everything it needs is already in hand: a reader seen
   * before (locateKnown) and files on kept descriptors. meminfo and stat, the files readers poll
   * most. The text is built whole before it is returned; undefined (any file would wait): call
   * render(), which gives the same text by the longer way.
   */
  renderNow(file: ShimFile, pid: number): string | undefined {
    const now = this.deps.readNow;
    if (now === undefined || (file !== 'meminfo' && file !== 'stat')) return undefined;
    const l = this.locations.locateKnown(pid);
    const host = l === undefined ? undefined : now(this.hostPath.get(file) as string);
    if (l === undefined || host === undefined) return undefined;
    const hostText = host.ok ? host.text : '';
    try {
      return file === 'meminfo' ? this.meminfoNow(now, l.loc, hostText) : this.statNow(now, l.loc, hostText);
    } catch {
      // As renderSafely: a renderer bug never becomes a reader's EIO.
      return hostText;
    }
  }

  /** Closes pinned descriptors (worker shutdown). */
  close(): void {
    this.locations.close();
  }

  private async renderSafely(file: ShimFile, l: Located, hostText: Promise<string>): Promise<string> {
    const host = await hostText;
    try {
      return await this.renderFor(file, l.loc, host, l.who);
    } catch {
      // Renderers are pure and total; this guards against a bug turning into a reader's EIO.
      return host;
    }
  }

  private async host(path: string): Promise<string> {
    const r = await this.deps.fs.readText(path);
    return r.ok ? r.text : '';
  }

  private async renderFor(file: ShimFile, loc: CgroupLocation, host: string, who: ReaderIdentity): Promise<string> {
    switch (file) {
      case 'meminfo': {
        const m = await gatherMemory(this.ctx, loc);
        return m === null ? host : renderMeminfo(host, m);
      }
      case 'swaps': {
        const [m, meminfo] = await Promise.all([gatherMemory(this.ctx, loc), this.host('/proc/meminfo')]);
        return m === null ? host : renderSwaps(swapsFromMemory(meminfo, m));
      }
      case 'cpuinfo':
      case 'online':
      case 'stat':
        return this.renderCpuFile(file, loc, host);
      case 'uptime':
        return this.renderUptimeFor(loc, host, who.initPid);
      case 'loadavg': {
        const cg = loc.dirs.get('cpu') ?? loc.dirs.get('cpuacct');
        if (!this.deps.options.loadavg || this.deps.loadavg === undefined || cg === undefined || isRootCgroup(cg)) return host;
        return renderLoadavg(this.deps.loadavg.read(cg, who.cgroupPid));
      }
      case 'diskstats': {
        const b = await gatherDevices(this.ctx, loc);
        return b === null ? host : renderDiskstats(host, b.devices);
      }
    }
  }

  private meminfoNow(now: ReadNow, loc: CgroupLocation, host: string): string | undefined {
    const m = gatherMemoryNow(this.ctx, now, loc);
    return m === undefined ? undefined : m === null ? host : renderMeminfo(host, m);
  }

  /** renderCpuFile('stat') without waiting: the same inputs, each read only if it needs no wait. */
  private statNow(now: ReadNow, loc: CgroupLocation, host: string): string | undefined {
    const online = now('/sys/devices/system/cpu/online');
    if (online === undefined) return undefined;
    const vis = gatherVisibilityNow(this.ctx, now, loc, online.ok ? online.text : '');
    const usage = vis === undefined ? undefined : gatherStatUsageNow(now, loc);
    return vis === undefined || usage === undefined ? undefined : statText(host, vis, usage);
  }

  private async renderCpuFile(file: 'cpuinfo' | 'online' | 'stat', loc: CgroupLocation, host: string): Promise<string> {
    const online = file === 'online' ? host : await this.host('/sys/devices/system/cpu/online');
    const [vis, usage] = await Promise.all([
      gatherVisibility(this.ctx, loc, online),
      file === 'stat' ? gatherStatUsage(this.ctx, loc) : Promise.resolve(null),
    ]);
    if (file === 'stat') return statText(host, vis, usage ?? { kind: 'host' });
    if (vis === null) return host;
    return file === 'cpuinfo' ? renderCpuinfo(host, vis) : renderCpuOnline(host, vis);
  }

  /** Age of the reader's init from its start time; /proc/uptime's first field is "now" on the same clock. */
  private async renderUptimeFor(loc: CgroupLocation, host: string, initPid: number): Promise<string> {
    const acct = loc.dirs.get('cpuacct') ?? loc.dirs.get('cpu');
    if (acct === undefined || isRootCgroup(acct)) return host;
    const [stat, initLoc] = await Promise.all([
      this.deps.fs.readText(`${this.procRoot}/${initPid}/stat`),
      this.resolver.locate(initPid),
    ]);
    const start = stat.ok ? parseStartTicks(stat.text) : undefined;
    const now = Number(host.split(' ')[0]);
    if (start === undefined || !Number.isFinite(now)) return host;
    // lxcfs charges the idle column with the CPU time of the init's cgroup (the root for pid 1).
    const busy = initLoc.ok ? await gatherBusySeconds(this.ctx, initLoc.value) : 0;
    return renderUptime({ ageSec: now - start / CLOCK_TICKS_PER_SEC, busySec: busy });
  }
}
