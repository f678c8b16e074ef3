import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import {
  CgroupResolver, locateFromTexts, readCpuset, readSmallFile, type CgroupLocation, type FileProblem,
} from '../../../core/cgroup';
import type { SourceContext } from '../../../core/component/types';
import type { ContainerMetrics, MetricSample } from '../../../core/event';
import { MACHINE_METRIC } from '../../../core/naming';
import { forEachLimited } from '../../discovery/docker-discovery';
import { AutoDiscovery, type DiscoveryHandle } from '../../discovery/open';
import type { DiscoveredContainer } from '../../discovery/types';
import { DeviceNames } from '../../scrape/devices';
import { MetricsSource, type ScrapeResult } from '../../scrape/metrics-source';
import type { CgroupSourceConfig } from './config';
import { isGoneProblem, mapCgroupReadings, type CgroupReadings } from './map';
import { NetDevReader } from './netdev';
import { OpenFileCache } from './open-files';
import { SPEC_REFRESH_SCRAPES, planRun, readPlanned, type RunReads } from './plan';

/** Per container run: where its cgroups are, which files to read, and what does not change while it runs. */
interface RunState {
  readonly container: DiscoveredContainer;
  readonly loc: CgroupLocation;
  readonly reads: RunReads;
  readonly cpusetCpus: number | null;
  /** Its init process's /proc/<pid>/net/dev and the reader that keeps its interfaces between scrapes. */
  readonly netPath: string;
  readonly net: NetDevReader;
  /** Error-episode keys, made once rather than per scrape. */
  readonly cgroupKey: string;
  readonly netKey: string;
  /** Scrapes since the limits (spec files) were last read; starts due. */
  scrapesSinceSpec: number;
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
  /** The discovery list last pruned against: it is replaced, never mutated, when membership changes. */
  private prunedList: readonly DiscoveredContainer[] | undefined;

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
    // Locating cgroups is async and happens once per run; the reads are synchronous preads.
    const unlocated = list.filter((c) => this.runs.get(c.identity.id)?.container !== c);
    const located = new Map<string, Located>();
    await forEachLimited(unlocated, this.config.concurrency, async (c) => {
      if (!signal.aborted) located.set(c.identity.id, await this.runState(c));
    });
    const out: ContainerMetrics[] = [];
    for (const c of list) {
      if (signal.aborted) break;
      const run = located.get(c.identity.id) ?? this.runs.get(c.identity.id);
      // 'gone': stopped between discovery and now: skipped, not an error.
      const metrics = run === undefined || run === 'gone' ? undefined : this.readContainer(c, run);
      if (metrics) out.push(metrics);
    }
    if (list !== this.prunedList || located.size > 0) this.prune(list);
    return { containers: out, machine: this.machine };
  }

  /** Drops run state of containers discovery no longer lists, so churn cannot grow memory. */
  private prune(list: readonly DiscoveredContainer[]): void {
    this.prunedList = list;
    const live = new Set(list.map((c) => c.identity.id));
    for (const [id, run] of [...this.runs]) if (!live.has(id)) this.forgetRun(id, run);
  }

  /** Drops a run and closes its descriptors (a restart gets new cgroups and a new pid). */
  private forgetRun(id: string, run: RunState): void {
    this.runs.delete(id);
    for (const dir of new Set([...run.loc.dirs.values()].map((d) => d.dir))) this.files.release(`${dir}/`);
    if (run.container.pid > 0) this.files.release(`${this.config.proc_root}/${run.container.pid}/`);
  }

  private readContainer(c: DiscoveredContainer, run: RunState): ContainerMetrics | undefined {
    const readings = this.read(c, run);
    const incomplete = c.identity.isSandbox
      ? c.network === 'own' && readings.network === null
      : readings.cpu?.usageNs == null || readings.memory?.usageBytes == null;
    if (incomplete && this.isGone(c, run)) {
      this.forgetRun(c.identity.id, run);
      return undefined;
    }
    this.countProblems(run.cgroupKey, readings, incomplete);
    const samples = mapCgroupReadings(readings, c, this.devices.name);
    return { container: c.identity, startedAtMs: c.startedAtMs, samples };
  }

  private read(c: DiscoveredContainer, run: RunState): CgroupReadings {
    const network = c.network === 'own' && c.pid > 0 ? this.readNetwork(run) : null;
    if (c.identity.isSandbox) return { cpu: null, memory: null, blkio: null, pids: null, cpusetCpus: run.cpusetCpus, network };
    const withSpec = run.scrapesSinceSpec % SPEC_REFRESH_SCRAPES === 0;
    run.scrapesSinceSpec = withSpec ? 1 : run.scrapesSinceSpec + 1;
    const r = readPlanned(run.reads, this.files, withSpec, run.cpusetCpus);
    return { cpu: r.cpu, memory: r.memory, blkio: r.blkio, pids: r.pids, cpusetCpus: r.cpusetCpus, network };
  }

  private readNetwork(run: RunState): CgroupReadings['network'] {
    const n = this.files.readBytes(run.netPath);
    if (n < 0) return null; // the process exited; the cgroup reads decide whether the container is gone
    const parsed = run.net.parse(this.files.buffer, n);
    if (!parsed) this.episodes.fail(run.netKey, 'proc_net_dev_malformed', new Error('unexpected /proc/net/dev'));
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
    const reads = planRun(loc, existsSync);
    const id = c.identity.id;
    const run: RunState = {
      container: c, loc, reads, cpusetCpus: cpuset?.view ? cpuset.view.cpus.length : null,
      netPath: `${this.config.proc_root}/${c.pid}/net/dev`, net: new NetDevReader(), cgroupKey: `cgroup:${id}`, netKey: `net:${id}`,
      scrapesSinceSpec: 0,
    };
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

  /** Gone = its init process or its cgroup directory no longer exists. Only asked after a failed read. */
  private isGone(c: DiscoveredContainer, run: RunState): boolean {
    const dir = (run.loc.dirs.get('cpuacct') ?? run.loc.dirs.get('memory'))?.dir;
    if (c.pid > 0 && !existsSync(`${this.config.proc_root}/${c.pid}`)) return true;
    return dir !== undefined && !existsSync(dir);
  }

  /**
   * Essential files missing from a live container, or any file unreadable or malformed, is an
   * error (one log line per episode). Optional files a kernel or config lacks (memsw without swap
   * accounting) are "missing" and normal.
   */
  private countProblems(key: string, r: CgroupReadings, incomplete: boolean): void {
    const bad = firstProblem(r, isBadProblem);
    if (bad) this.episodes.fail(key, 'cgroup_file_unreadable', new Error(`${bad.file}: ${bad.detail}`));
    else if (incomplete) {
      const missing = firstProblem(r, isGoneProblem);
      this.episodes.fail(key, 'cgroup_file_missing', new Error(missing ? `${missing.file}: ${missing.detail}` : 'no cpu or memory reading'));
    } else this.episodes.ok(key);
  }
}

function isBadProblem(p: FileProblem): boolean {
  return p.reason === 'permission' || p.reason === 'io' || p.reason === 'malformed';
}

/** The first problem of any controller matching `test`, without concatenating the lists every scrape. */
function firstProblem(r: CgroupReadings, test: (p: FileProblem) => boolean): FileProblem | undefined {
  return r.cpu?.problems.find(test) ?? r.memory?.problems.find(test) ?? r.blkio?.problems.find(test) ?? r.pids?.problems.find(test);
}
