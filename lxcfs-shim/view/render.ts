import type { CgroupFs, CgroupLocation } from '../../core/cgroup';
import { CgroupResolver, isRootCgroup } from '../../core/cgroup';
import type { LoadavgSampler } from '../loadavg/sampler';
import { renderCpuOnline } from '../renderers/cpu-online';
import { renderCpuinfo } from '../renderers/cpuinfo';
import { renderDiskstats } from '../renderers/diskstats';
import { renderLoadavg } from '../renderers/loadavg';
import { renderMeminfo } from '../renderers/meminfo';
import { renderStat } from '../renderers/stat';
import { renderSwaps } from '../renderers/swaps';
import { renderUptime } from '../renderers/uptime';
import type { ShimFile, ShimOptions } from './files';
import { SHIM_FILES } from './files';
import type { GatherContext } from './gather';
import {
  gatherBusySeconds, gatherDevices, gatherMemory, gatherStatUsage, gatherVisibility, swapsFromMemory,
} from './gather';
import type { ReaderIdentity } from './process';
import { InitResolver, parseStartTicks } from './process';
import { closeFd, preadAll } from '../io/cached-fs';
import type { CheckedFd } from '../io/pseudo-fs';
import { isSync, openChecked, preadAllSync } from '../io/pseudo-fs';

const CLOCK_TICKS_PER_SEC = 100;
/** Readers whose location is remembered, each with up to two pinned descriptors. */
const MAX_LOCATED = 1024;

interface Located {
  readonly who: ReaderIdentity;
  readonly loc: CgroupLocation;
  /** The /proc/<pid>/cgroup text the location came from: equal text, equal location. */
  readonly text: string;
  /** Pinned /proc/<reader>/stat (only when the reader is not the cgroup pid itself). */
  readonly readerFd: CheckedFd | undefined;
  /** Pinned /proc/<cgroupPid>/cgroup. */
  readonly cgroupFd: CheckedFd | undefined;
} // USER_HZ of /proc/<pid>/stat starttime on every Linux arch we run on

export interface ViewRendererDeps {
  readonly fs: CgroupFs;
  readonly options: ShimOptions;
  readonly loadavg?: LoadavgSampler;
  readonly resolver?: CgroupResolver;
  readonly procRoot?: string;
}

/**
 * Answers "what does file F look like to process P": resolves P to the cgroup lxcfs would use
 * (its pid namespace's init), reads the host file and the cgroup values in parallel, and calls
 * the pure renderer. Any failure falls back to the host file, never to an error for the reader.
 */
export class ViewRenderer {
  private readonly ctx: GatherContext;
  private readonly resolver: CgroupResolver;
  private readonly inits: InitResolver;
  private readonly procRoot: string;
  private readonly hostPath = new Map<ShimFile, string>(SHIM_FILES.map((f) => [f.file, f.path]));
  private readonly located = new Map<number, Located>();

  constructor(private readonly deps: ViewRendererDeps) {
    this.ctx = { fs: deps.fs, options: deps.options };
    this.procRoot = deps.procRoot ?? '/proc';
    this.resolver = deps.resolver ?? new CgroupResolver({ fs: deps.fs, procRoot: this.procRoot });
    this.inits = new InitResolver(deps.fs, this.procRoot);
  }

  async render(file: ShimFile, pid: number): Promise<string> {
    const hostText = this.host(this.hostPath.get(file) as string);
    const cached = this.located.get(pid);
    if (cached !== undefined) {
      // Render with what this pid resolved to last time while checking, in parallel, that it is
      // still the same process in the same cgroup: the check costs no extra latency, and a
      // moved (or reused) pid gets a second, correct render.
      const [text, valid] = await Promise.all([this.renderSafely(file, cached, hostText), this.stillValid(cached)]);
      if (valid) return text;
      this.forget(pid);
    }
    const now = await this.resolve(pid);
    return now === undefined ? hostText : this.renderSafely(file, now, hostText);
  }

  /** Resolves a reader and pins descriptors that let later requests revalidate it in one read. */
  private async resolve(pid: number): Promise<Located | undefined> {
    const who = await this.inits.identify(pid);
    const cgPath = `${this.procRoot}/${who.cgroupPid}/cgroup`;
    const [loc, readerFd, cgroupFd] = await Promise.all([
      this.resolver.locateWithText(who.cgroupPid),
      pid === who.cgroupPid ? Promise.resolve(undefined) : openChecked(`${this.procRoot}/${pid}/stat`).catch(() => undefined),
      openChecked(cgPath).catch(() => undefined),
    ]);
    const l: Located | undefined = loc.ok ? { who, loc: loc.value.location, text: loc.value.text, readerFd, cgroupFd } : undefined;
    if (l === undefined || cgroupFd === undefined || (pid !== who.cgroupPid && readerFd === undefined)) {
      // Without pinned descriptors the entry could not be revalidated: use it once, keep nothing.
      for (const f of [readerFd, cgroupFd]) if (f !== undefined) closeFd(f.fd);
      return l === undefined ? undefined : { ...l, readerFd: undefined, cgroupFd: undefined };
    }
    if (this.located.size >= MAX_LOCATED) this.forgetAll(); // bounded; refilled one request each
    this.located.set(pid, l);
    return l;
  }

  /**
   * A descriptor of /proc/<pid>/… keeps referring to the process it was opened for: once that
   * process exits, reads fail or return nothing even if the pid is reused. So "the pinned
   * descriptors still read, and the cgroup text is unchanged" proves the cached answer holds.
   */
  private async stillValid(l: Located): Promise<boolean> {
    if (l.cgroupFd === undefined) return false;
    const [cg, reader] = await Promise.all([readPinned(l.cgroupFd), l.readerFd === undefined ? 'alive' : readPinned(l.readerFd)]);
    return reader !== '' && cg === l.text;
  }

  private forget(pid: number): void {
    const l = this.located.get(pid);
    this.located.delete(pid);
    for (const f of [l?.readerFd, l?.cgroupFd]) if (f !== undefined) closeFd(f.fd);
  }

  private forgetAll(): void {
    for (const pid of [...this.located.keys()]) this.forget(pid);
  }

  /** Closes pinned descriptors (worker shutdown). */
  close(): void {
    this.forgetAll();
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

  private async renderCpuFile(file: 'cpuinfo' | 'online' | 'stat', loc: CgroupLocation, host: string): Promise<string> {
    const online = file === 'online' ? host : await this.host('/sys/devices/system/cpu/online');
    const [vis, usage] = await Promise.all([
      gatherVisibility(this.ctx, loc, online),
      file === 'stat' ? gatherStatUsage(this.ctx, loc) : Promise.resolve(null),
    ]);
    if (file === 'stat') {
      if (vis === null && (usage === null || usage.kind === 'host')) return host;
      return renderStat(host, vis ?? { cpuset: null, cpusetText: null, maxCpus: null }, usage ?? { kind: 'host' });
    }
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

/** A pinned /proc descriptor's text; '' once its process is gone (reads fail or return nothing). */
function readPinned(f: CheckedFd): string | Promise<string> {
  if (!isSync(f)) return preadAll(f.fd).catch(() => '');
  try {
    return preadAllSync(f);
  } catch {
    return '';
  }
}
