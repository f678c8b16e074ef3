import type { CgroupFs, ControllerDir } from '../../core/cgroup';
import type { Avenrun, LoadavgInput } from '../renderers/loadavg';
import { LOAD_SAMPLE_MS, nextAvenrun } from '../renderers/loadavg';

interface Node {
  readonly cg: ControllerDir;
  avenrun: Avenrun;
  running: number;
  total: number;
  lastPid: number;
  lastReadMs: number;
}

/** Nested cgroups deeper than this below the container's are not counted (lxcfs uses 3 too). */
const MAX_DEPTH = 3;
/** A cgroup nobody read for this long stops being sampled. */
const IDLE_EXPIRY_MS = 10 * 60 * 1000;
/** Parallel /proc reads per sampling pass: bounded so a huge cgroup cannot flood the threadpool. */
const READ_CONCURRENCY = 16;

/** Pure: the state letter of /proc/<tid>/stat (after the parenthesised comm). */
export function parseTaskState(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  return close < 0 ? undefined : stat.charAt(close + 2);
}

/**
 * Keeps a kernel-style load average per cgroup, like lxcfs -l: a cgroup starts being sampled
 * the first time someone reads its loadavg, every 5 s its threads in state R or D are counted.
 * Sampling runs in the background, so a read never waits for it.
 */
export class LoadavgSampler {
  private readonly nodes = new Map<string, Node>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly fs: CgroupFs,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sampleAll(), LOAD_SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The current figures for a cgroup, registering it for sampling on first use. */
  read(cg: ControllerDir, initPid: number): LoadavgInput {
    let node = this.nodes.get(cg.dir);
    if (node === undefined) {
      node = { cg, avenrun: [0, 0, 0], running: 0, total: 1, lastPid: initPid, lastReadMs: 0 };
      this.nodes.set(cg.dir, node);
    }
    node.lastReadMs = this.now();
    return { avenrun: node.avenrun, running: node.running, total: node.total, lastPid: node.lastPid };
  }

  /** Every sampled cgroup's current figures (published to the serving threads). */
  figures(): Array<[string, LoadavgInput]> {
    return [...this.nodes].map(([dir, n]) => [dir, { avenrun: n.avenrun, running: n.running, total: n.total, lastPid: n.lastPid }]);
  }

  /** One sampling pass over every registered cgroup (exposed for tests). */
  async sampleAll(): Promise<void> {
    if (this.running) return; // a slow pass must not pile up behind itself
    this.running = true;
    try {
      const cutoff = this.now() - IDLE_EXPIRY_MS;
      for (const [dir, node] of this.nodes) {
        if (node.lastReadMs < cutoff) {
          this.nodes.delete(dir);
          continue;
        }
        const sample = await this.count(node.cg);
        if (sample === undefined) {
          this.nodes.delete(dir); // the cgroup is gone
          continue;
        }
        node.avenrun = nextAvenrun(node.avenrun, sample.running);
        node.running = sample.running;
        node.total = sample.total;
        node.lastPid = sample.lastPid;
      }
    } finally {
      this.running = false;
    }
  }

  private async count(cg: ControllerDir): Promise<{ running: number; total: number; lastPid: number } | undefined> {
    const tids = await this.threads(cg.dir, cg.version, 0);
    if (tids === undefined) return undefined;
    let running = 0;
    let lastPid = 0;
    for (let i = 0; i < tids.length; i += READ_CONCURRENCY) {
      const batch = tids.slice(i, i + READ_CONCURRENCY);
      const stats = await Promise.all(batch.map((t) => this.fs.readText(`/proc/${t}/stat`)));
      stats.forEach((s, j) => {
        if (!s.ok) return;
        const state = parseTaskState(s.text);
        if (state === 'R' || state === 'D') running++;
        lastPid = Math.max(lastPid, batch[j] ?? 0);
      });
    }
    return { running, total: tids.length, lastPid };
  }

  /** Thread ids of a cgroup and its descendants (v1 `tasks`, v2 `cgroup.threads`). */
  private async threads(dir: string, version: 1 | 2, depth: number): Promise<number[] | undefined> {
    const [list, entries] = await Promise.all([
      this.fs.readText(`${dir}/${version === 1 ? 'tasks' : 'cgroup.threads'}`),
      depth < MAX_DEPTH ? this.fs.listSubdirs(dir) : Promise.resolve(undefined),
    ]);
    if (!list.ok) return undefined;
    const out = list.text.split('\n').filter((l) => l !== '').map(Number);
    if (entries?.ok === true) {
      const nested = await Promise.all(entries.value.map((c) => this.threads(`${dir}/${c}`, version, depth + 1)));
      for (const n of nested) if (n !== undefined) out.push(...n);
    }
    return out;
  }
}
