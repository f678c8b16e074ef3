import { readdir, readFile, readlink } from 'node:fs/promises';
import { buildIdentity } from './identity';
import { parseBootTimeSecs, parseProcStartTicks, processStartMs } from '../scrape/procfs';
import type { ContainerView, DiscoveredContainer } from './types';

/**
 * Container cgroups as runtimes name them: `docker/<id>` (cgroupfs driver),
 * `docker-<id>.scope` (systemd driver), `cri-containerd-<id>.scope`, `crio-<id>.scope`,
 * `libpod-<id>.scope`, and kubepods' `.../<id>`.
 */
const CONTAINER_DIR = /^(?:[a-z-]+-)?([0-9a-f]{64})(?:\.scope)?$/;
const MAX_DEPTH = 8;

export function containerIdFromDir(name: string): string | undefined {
  return CONTAINER_DIR.exec(name)?.[1];
}

export interface CgroupWalkOptions {
  readonly node: string;
  readonly filter: (labels: Readonly<Record<string, string>>) => Record<string, string>;
  /** The hierarchy to walk: the v2 mount, or one v1 controller's mount (memory by default). */
  readonly root: string;
  readonly procRoot?: string;
}

interface Found {
  readonly id: string;
  /** The cgroup path relative to the hierarchy root, as /proc/<pid>/cgroup shows it. */
  readonly path: string;
}

/** Pure part of the walk's bookkeeping: the smallest PID is the container's init process. */
export function initPid(procsText: string): number {
  let min = 0;
  for (const line of procsText.split('\n')) {
    const pid = Number(line);
    if (pid > 0 && (min === 0 || pid < min)) min = pid;
  }
  return min;
}

/**
 * The fallback when no Docker socket answers (the embedded default on a host without Docker):
 * containers are found by walking the cgroup tree. They have no names or labels, so each is its
 * own standalone workload named by its short id. Containers sharing a network namespace (a pod)
 * report it once, from the one with the oldest init process.
 */
export class CgroupWalkDiscovery implements ContainerView {
  private byId = new Map<string, DiscoveredContainer>();
  private snapshot: readonly DiscoveredContainer[] = [];
  private readonly procRoot: string;

  constructor(private readonly options: CgroupWalkOptions) {
    this.procRoot = options.procRoot ?? '/proc';
  }

  list(): readonly DiscoveredContainer[] {
    return this.snapshot;
  }

  get(id: string): DiscoveredContainer | undefined {
    return this.byId.get(id);
  }

  /** Walks again; containers already known keep their object (and so every cache keyed on it). */
  async refresh(): Promise<void> {
    const found: Found[] = [];
    await this.walk(this.options.root, '', 0, found);
    const next = new Map<string, DiscoveredContainer>();
    const boot = parseBootTimeSecs(await readFile(`${this.procRoot}/stat`, 'utf8').catch(() => '')) ?? 0;
    const netOwners = new Map<string, number>();
    for (const f of found) {
      const pid = initPid(await readFile(`${this.options.root}${f.path}/cgroup.procs`, 'utf8').catch(() => ''));
      const known = this.byId.get(f.id);
      const startedAtMs = pid > 0 ? await this.startMs(pid, boot) : 0;
      if (known && known.pid === pid && known.startedAtMs === startedAtMs) {
        next.set(f.id, known);
        continue;
      }
      const name = f.id.slice(0, 12);
      next.set(f.id, {
        identity: buildIdentity({ node: this.options.node, id: f.id, name, image: '', labels: {} }, this.options.filter),
        pid,
        startedAtMs,
        network: 'own',
        cgroupPath: f.path,
      });
    }
    for (const c of next.values()) {
      const ns = c.pid > 0 ? await readlink(`${this.procRoot}/${c.pid}/ns/net`).catch(() => '') : '';
      const owner = netOwners.get(ns);
      if (ns && (owner === undefined || c.pid < owner)) netOwners.set(ns, c.pid);
    }
    const hostNs = await readlink(`${this.procRoot}/1/ns/net`).catch(() => '');
    for (const [id, c] of next) {
      const ns = c.pid > 0 ? await readlink(`${this.procRoot}/${c.pid}/ns/net`).catch(() => '') : '';
      const network = !ns ? 'none' : ns === hostNs ? 'host' : netOwners.get(ns) === c.pid ? 'own' : 'shared';
      if (network !== c.network) next.set(id, { ...c, network });
    }
    this.byId = next;
    this.snapshot = [...next.values()];
  }

  private async startMs(pid: number, boot: number): Promise<number> {
    const ticks = parseProcStartTicks(await readFile(`${this.procRoot}/${pid}/stat`, 'utf8').catch(() => ''));
    return ticks === undefined || boot === 0 ? 0 : processStartMs(boot, ticks);
  }

  private async walk(dir: string, rel: string, depth: number, out: Found[]): Promise<void> {
    if (depth > MAX_DEPTH) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = `${rel}/${e.name}`;
      const id = containerIdFromDir(e.name);
      // Child cgroups of a container (systemd inside it) belong to it: stop descending.
      if (id) out.push({ id, path });
      else await this.walk(`${dir}/${e.name}`, path, depth + 1, out);
    }
  }
}
