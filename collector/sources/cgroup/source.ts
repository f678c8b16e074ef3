import { access } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import {
  CgroupResolver, locateFromTexts, readBlkio, readCpu, readCpuset, readMemory, readPids, readSmallFile,
  type CgroupLocation, type FileProblem,
} from '../../../core/cgroup';
import type { SourceContext } from '../../../core/component/types';
import type { ContainerMetrics, MetricSample } from '../../../core/event';
import { MACHINE_METRIC } from '../../../core/naming';
import { forEachLimited } from '../../discovery/docker-discovery';
import { AutoDiscovery, type DiscoveryHandle } from '../../discovery/open';
import type { DiscoveredContainer } from '../../discovery/types';
import { DeviceNames } from '../../scrape/devices';
import { MetricsSource, type ScrapeResult } from '../../scrape/metrics-source';
import { parseNetDev } from '../../scrape/procfs';
import type { CgroupSourceConfig } from './config';
import { isGoneProblem, mapCgroupReadings, type CgroupReadings } from './map';
import { OpenFileCache } from './open-files';

/** Per container run: where its cgroups are and what does not change while it runs. */
interface RunState {
  readonly container: DiscoveredContainer;
  readonly loc: CgroupLocation;
  readonly cpusetCpus: number | null;
}

type Located = RunState | 'gone';

/**
 * The embedded default: reads each container's cgroup files (v1 and v2) and its init process's
 * /proc/<pid>/net/dev directly, with no daemon in between. Where a container's cgroups are is
 * resolved once per run (per discovery object) and kept.
 */
export class CgroupSource extends MetricsSource {
  private discovery: DiscoveryHandle | undefined;
  private readonly resolver: CgroupResolver;
  private readonly devices: DeviceNames;
  private readonly runs = new Map<string, RunState>();
  private readonly files = new OpenFileCache();
  private readonly machine: readonly MetricSample[];

  constructor(
    private readonly config: CgroupSourceConfig,
    discovery?: DiscoveryHandle,
  ) {
    super({ intervalMs: config.interval_secs * 1000, jitterRatio: config.jitter_ratio });
    this.discovery = discovery;
    this.resolver = new CgroupResolver({ procRoot: config.proc_root });
    this.devices = new DeviceNames(`${config.proc_root}/partitions`);
    this.machine = Object.freeze([
      { name: MACHINE_METRIC.cpuCores, kind: 'gauge' as const, value: cpus().length, labels: undefined },
      { name: MACHINE_METRIC.memoryBytes, kind: 'gauge' as const, value: totalmem(), labels: undefined },
    ]);
  }

  protected async open(ctx: SourceContext): Promise<void> {
    await this.devices.load();
    if (!this.discovery) {
      const auto = new AutoDiscovery(this.config.discovery, { node: ctx.node, logger: ctx.logger, episodes: this.episodes });
      await auto.start();
      this.discovery = auto;
    }
  }

  protected close(): Promise<void> {
    this.discovery?.close();
    this.runs.clear();
    this.files.closeAll();
    return Promise.resolve();
  }

  protected async collect(signal: AbortSignal): Promise<ScrapeResult | undefined> {
    const discovery = this.discovery;
    if (!discovery) return undefined;
    await discovery.refresh();
    const list = discovery.list();
    const out: (ContainerMetrics | undefined)[] = new Array<ContainerMetrics | undefined>(list.length);
    const indexes = list.map((_, i) => i);
    await forEachLimited(indexes, this.config.concurrency, async (i) => {
      if (!signal.aborted) out[i] = await this.readContainer(list[i] as DiscoveredContainer);
    });
    this.prune(list);
    return { containers: out.filter((c): c is ContainerMetrics => c !== undefined), machine: this.machine };
  }

  /** Drops run state of containers discovery no longer lists, so churn cannot grow memory. */
  private prune(list: readonly DiscoveredContainer[]): void {
    const live = new Set(list.map((c) => c.identity.id));
    for (const [id, run] of [...this.runs]) if (!live.has(id)) this.forgetRun(id, run);
  }

  /** Drops a run and closes its descriptors (a restart gets new cgroups and a new pid). */
  private forgetRun(id: string, run: RunState): void {
    this.runs.delete(id);
    for (const dir of new Set([...run.loc.dirs.values()].map((d) => d.dir))) this.files.release(`${dir}/`);
    if (run.container.pid > 0) this.files.release(`${this.config.proc_root}/${run.container.pid}/`);
  }

  private async readContainer(c: DiscoveredContainer): Promise<ContainerMetrics | undefined> {
    const run = await this.runState(c);
    if (run === 'gone') return undefined; // stopped between discovery and now: skipped, not an error
    const readings = await this.read(c, run);
    const problems = [
      ...(readings.cpu?.problems ?? []), ...(readings.memory?.problems ?? []),
      ...(readings.blkio?.problems ?? []), ...(readings.pids?.problems ?? []),
    ];
    const incomplete = c.identity.isSandbox
      ? c.network === 'own' && readings.network === null
      : readings.cpu?.usageNs == null || readings.memory?.usageBytes == null;
    if (incomplete && (await this.isGone(c, run))) {
      this.forgetRun(c.identity.id, run);
      return undefined;
    }
    this.countProblems(c.identity.id, problems, incomplete);
    const samples = mapCgroupReadings(readings, c, (k) => this.devices.name(k));
    return { container: c.identity, startedAtMs: c.startedAtMs, samples };
  }

  private async read(c: DiscoveredContainer, run: RunState): Promise<CgroupReadings> {
    const fs = this.files;
    const mem = run.loc.dirs.get('memory');
    const blk = run.loc.dirs.get('blkio');
    const pids = run.loc.dirs.get('pids');
    const sandbox = c.identity.isSandbox;
    const [cpu, memory, blkio, pidStats] = await Promise.all([
      sandbox ? null : readCpu(fs, run.loc).then((r) => ('usageNs' in r ? r : null)),
      sandbox || !mem ? null : readMemory(fs, mem),
      sandbox || !blk ? null : readBlkio(fs, blk),
      sandbox || !pids ? null : readPids(fs, pids),
    ]);
    const network = c.network === 'own' && c.pid > 0 ? this.readNetwork(c) : null;
    return { cpu, memory, blkio, pids: pidStats, cpusetCpus: run.cpusetCpus, network };
  }

  private readNetwork(c: DiscoveredContainer): CgroupReadings['network'] {
    const f = this.files.readSyncText(`${this.config.proc_root}/${c.pid}/net/dev`);
    if (!f.ok) return null; // the process exited; the cgroup reads decide whether the container is gone
    const parsed = parseNetDev(f.text);
    if (!parsed) this.episodes.fail(`net:${c.identity.id}`, 'proc_net_dev_malformed', new Error('unexpected /proc/net/dev'));
    return parsed ?? null;
  }

  private async runState(c: DiscoveredContainer): Promise<Located> {
    const known = this.runs.get(c.identity.id);
    if (known && known.container === c) return known;
    if (known) this.forgetRun(c.identity.id, known);
    const loc = await this.locate(c);
    if (!loc) return 'gone';
    const cs = loc.dirs.get('cpuset');
    const cpuset = cs ? await readCpuset(this.files, cs) : undefined;
    const run: RunState = { container: c, loc, cpusetCpus: cpuset?.view ? cpuset.view.cpus.length : null };
    this.runs.set(c.identity.id, run);
    return run;
  }

  private async locate(c: DiscoveredContainer): Promise<CgroupLocation | undefined> {
    if (c.pid > 0) {
      const r = await this.resolver.locate(c.pid);
      if (r.ok) return r.value;
      if (!isGoneProblem(r.problem)) this.episodes.fail(`locate:${c.identity.id}`, 'cgroup_locate_failed', new Error(r.problem.detail));
      if (!c.cgroupPath) return undefined;
    }
    if (!c.cgroupPath) return undefined;
    return this.locateByPath(c.cgroupPath);
  }

  /** For a container found by the walk with no process to ask: the same path in every hierarchy. */
  private async locateByPath(path: string): Promise<CgroupLocation | undefined> {
    const info = await readSmallFile(`${this.config.proc_root}/self/mountinfo`);
    if (!info.ok) return undefined;
    const root = this.config.discovery.cgroup_root;
    const ctl = await readSmallFile(`${root}/cgroup.controllers`);
    const v1 = ['cpu', 'cpuacct', 'cpuset', 'memory', 'blkio', 'pids'].map((c, i) => `${i + 1}:${c}:${path}`);
    return locateFromTexts([...v1, `0::${path}`].join('\n'), info.text, ctl.ok ? ctl.text : '');
  }

  /** Gone = its init process or its cgroup directory no longer exists. */
  private async isGone(c: DiscoveredContainer, run: RunState): Promise<boolean> {
    const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
    const dir = (run.loc.dirs.get('cpuacct') ?? run.loc.dirs.get('memory'))?.dir;
    if (c.pid > 0 && !(await exists(`${this.config.proc_root}/${c.pid}`))) return true;
    return dir !== undefined && !(await exists(dir));
  }

  /**
   * Essential files missing from a live container, or any file unreadable or malformed, is an
   * error (one log line per episode). Optional files a kernel or config lacks (memsw without swap
   * accounting) are "missing" and normal.
   */
  private countProblems(id: string, problems: readonly FileProblem[], incomplete: boolean): void {
    const bad = problems.find((p) => p.reason === 'permission' || p.reason === 'io' || p.reason === 'malformed');
    if (bad) this.episodes.fail(`cgroup:${id}`, 'cgroup_file_unreadable', new Error(`${bad.file}: ${bad.detail}`));
    else if (incomplete) {
      const missing = problems.find(isGoneProblem);
      this.episodes.fail(`cgroup:${id}`, 'cgroup_file_missing', new Error(missing ? `${missing.file}: ${missing.detail}` : 'no cpu or memory reading'));
    } else this.episodes.ok(`cgroup:${id}`);
  }
}
