import type { RollupKey, RollupLevel, RollupSeries } from '../../../core/event';
import { ROLLUP_METRIC as R } from '../../../core/naming';
import type { ContainerDerived } from './derive';

interface Accumulator {
  readonly key: RollupKey;
  cpuCores: number;
  cpuSeen: boolean;
  cpuLimit: number;
  allCpuLimited: boolean;
  workingSet: number;
  memSeen: boolean;
  memLimit: number;
  allMemLimited: boolean;
  throttled: number;
  periods: number;
  rx: number;
  tx: number;
  netSeen: boolean;
  fsRead: number;
  fsWrite: number;
  fsSeen: boolean;
  restarts: number;
  running: number;
}

const LEVELS: readonly RollupLevel[] = ['container', 'pod', 'replicaset', 'namespace', 'node', 'cluster'];

/** The series key of a container's contribution at each level (only that level's labels). */
export function keyAt(level: RollupLevel, d: ContainerDerived): RollupKey {
  const c = d.container;
  const w = c.workload;
  switch (level) {
    case 'cluster':
      return { level };
    case 'node':
      return { level, node: c.node };
    case 'namespace':
      return { level, namespace: w.namespace };
    case 'replicaset':
      return { level, namespace: w.namespace, workload: w.id, replicaset: w.replicaSet, ...(w.deployment ? { deployment: w.deployment } : {}) };
    case 'pod':
      return { ...keyAt('replicaset', d), level, node: c.node, pod: w.pod };
    case 'container':
      return { ...keyAt('pod', d), level, container: c.containerName };
  }
}

function keyString(k: RollupKey): string {
  return `${k.level}|${k.node ?? ''}|${k.namespace ?? ''}|${k.workload ?? ''}|${k.pod ?? ''}|${k.container ?? ''}`;
}

function newAccumulator(key: RollupKey): Accumulator {
  return {
    key, cpuCores: 0, cpuSeen: false, cpuLimit: 0, allCpuLimited: true, workingSet: 0, memSeen: false, memLimit: 0, allMemLimited: true,
    throttled: 0, periods: 0, rx: 0, tx: 0, netSeen: false, fsRead: 0, fsWrite: 0, fsSeen: false, restarts: 0, running: 0,
  };
}

/**
 * Network counters of Kubernetes pods: all containers of a pod share the sandbox's network
 * namespace, so each reports the pod's traffic. Counting it once per pod — from the sandbox when
 * present, else from one member — keeps sums right at every level.
 */
function networkOwners(containers: readonly ContainerDerived[]): Set<ContainerDerived> {
  const byPod = new Map<string, ContainerDerived>();
  const owners = new Set<ContainerDerived>();
  for (const d of containers) {
    if (d.container.workload.kind !== 'kubernetes') {
      owners.add(d);
      continue;
    }
    const pod = `${d.container.node}|${d.container.workload.namespace}|${d.container.workload.pod}`;
    const current = byPod.get(pod);
    if (!current || (d.container.isSandbox && !current.container.isSandbox)) byPod.set(pod, d);
  }
  for (const d of byPod.values()) owners.add(d);
  return owners;
}

function add(acc: Accumulator, d: ContainerDerived, ownsNetwork: boolean): void {
  if (ownsNetwork && d.rxBytesPerSecond !== undefined) {
    acc.rx += d.rxBytesPerSecond;
    acc.tx += d.txBytesPerSecond ?? 0;
    acc.netSeen = true;
  }
  if (d.container.isSandbox) return; // the pause container counts for nothing else
  acc.running += 1;
  acc.restarts += d.restarted;
  if (d.cpuCores !== undefined) [acc.cpuCores, acc.cpuSeen] = [acc.cpuCores + d.cpuCores, true];
  if (d.cpuLimitCores !== undefined) acc.cpuLimit += d.cpuLimitCores;
  else acc.allCpuLimited = false;
  if (d.workingSetBytes !== undefined) [acc.workingSet, acc.memSeen] = [acc.workingSet + d.workingSetBytes, true];
  if (d.memoryLimitBytes !== undefined) acc.memLimit += d.memoryLimitBytes;
  else acc.allMemLimited = false;
  acc.throttled += d.throttledPeriods ?? 0;
  acc.periods += d.periods ?? 0;
  if (d.fsReadBytesPerSecond !== undefined) {
    acc.fsRead += d.fsReadBytesPerSecond;
    acc.fsWrite += d.fsWriteBytesPerSecond ?? 0;
    acc.fsSeen = true;
  }
}

function seriesOf(acc: Accumulator): RollupSeries[] {
  const out: RollupSeries[] = [];
  const put = (metric: string, value: number): void => void out.push({ key: acc.key, metric, value });
  put(R.runningContainers.id, acc.running);
  put(R.restarts.id, acc.restarts);
  if (acc.cpuSeen) put(R.cpuUsageCores.id, acc.cpuCores);
  const cpuLimited = acc.running > 0 && acc.allCpuLimited && acc.cpuLimit > 0;
  if (cpuLimited) put(R.cpuLimitCores.id, acc.cpuLimit);
  if (cpuLimited && acc.cpuSeen) put(R.cpuUsageLimitRatio.id, acc.cpuCores / acc.cpuLimit);
  if (acc.periods > 0) put(R.cpuThrottledRatio.id, acc.throttled / acc.periods);
  if (acc.memSeen) put(R.memoryWorkingSetBytes.id, acc.workingSet);
  const memLimited = acc.running > 0 && acc.allMemLimited && acc.memLimit > 0;
  if (memLimited) put(R.memoryLimitBytes.id, acc.memLimit);
  if (memLimited && acc.memSeen) put(R.memoryWorkingSetLimitRatio.id, acc.workingSet / acc.memLimit);
  if (acc.netSeen) {
    put(R.networkReceiveBytesPerSecond.id, acc.rx);
    put(R.networkTransmitBytesPerSecond.id, acc.tx);
  }
  if (acc.fsSeen) {
    put(R.fsReadBytesPerSecond.id, acc.fsRead);
    put(R.fsWriteBytesPerSecond.id, acc.fsWrite);
  }
  return out;
}

/** A container's series keys at each level, with their map keys; worth caching per container. */
export interface ContainerKeys {
  readonly keys: ReadonlyArray<{ readonly key: RollupKey; readonly id: string }>;
}

export function containerKeys(d: ContainerDerived, levels: readonly RollupLevel[]): ContainerKeys {
  const keys: Array<{ key: RollupKey; id: string }> = [];
  for (const level of levels) {
    if (level === 'container' && d.container.isSandbox) continue;
    const key = keyAt(level, d);
    keys.push({ key, id: keyString(key) });
  }
  return { keys };
}

/**
 * Rolls the latest derived values of every container up to each level. Sums are additive;
 * ratios are recomputed from the summed numerator and denominator (never averaged), and only where
 * every member has a limit. `keysOf` lets a caller cache each container's keys across windows.
 */
export function rollUp(
  containers: readonly ContainerDerived[],
  levels: readonly RollupLevel[] = LEVELS,
  keysOf: (d: ContainerDerived) => ContainerKeys = (d) => containerKeys(d, levels),
): RollupSeries[] {
  const groups = new Map<string, Accumulator>();
  const owners = networkOwners(containers);
  for (const d of containers) {
    const owns = owners.has(d);
    for (const { key, id } of keysOf(d).keys) {
      let acc = groups.get(id);
      if (!acc) groups.set(id, (acc = newAccumulator(key)));
      add(acc, d, owns || key.level === 'container');
    }
  }
  const out: RollupSeries[] = [];
  for (const acc of groups.values()) out.push(...seriesOf(acc));
  return out;
}
