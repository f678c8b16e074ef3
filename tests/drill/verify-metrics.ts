/**
 * Metric gaps per workload, in InfluxDB (roll-up windows, stamped with their end) and in
 * Prometheus (the scrapes of the aggregators' /metrics). A gap is judged against the fault it
 * overlaps: it may last that fault's outage plus one interval (plus 1 s of timer slack); a gap
 * that overlaps no fault may last one interval plus that slack.
 */

export interface Fault {
  readonly kind: 'kill' | 'stop';
  readonly target: string;
  readonly startMs: number;
  /** When the process was ready again, or the service passed its health check. */
  readonly endMs: number;
  /**
   * Extra time the fault keeps lasting after `endMs` as the pipeline sees it: for a SIGKILLed
   * consumer-group member, the coordinator keeps its partitions until its session expires.
   */
  readonly graceMs: number;
}

export interface GapCheck {
  readonly store: 'influxdb' | 'prometheus';
  readonly workloads: number;
  /** Workloads with too few points to judge (fewer than two in the window). */
  readonly empty: string[];
  readonly maxGapSecs: number;
  readonly worst: { workload: string; fromMs: number; toMs: number; gapSecs: number; allowedSecs: number; fault: string } | undefined;
  readonly violations: ReadonlyArray<{ workload: string; fromMs: number; gapSecs: number; allowedSecs: number; fault: string }>;
}

const SLACK_MS = 1000;

export function outageMs(f: Fault): number {
  return f.endMs - f.startMs + f.graceMs;
}

/**
 * The allowed length of a gap from `a` to `b`, and the fault that allows it: of the faults it
 * overlaps, the one it overlaps most (a gap that runs into the next fault's start is still the
 * first fault's), the longer outage on a tie.
 */
function allowance(a: number, b: number, faults: readonly Fault[], intervalMs: number): { allowedMs: number; fault: string } {
  let best = { allowedMs: intervalMs + SLACK_MS, fault: 'none', overlapMs: -1 };
  for (const f of faults) {
    const overlapMs = Math.min(b, f.endMs + f.graceMs) - Math.max(a, f.startMs);
    if (overlapMs < 0) continue;
    const allowedMs = outageMs(f) + intervalMs + SLACK_MS;
    if (overlapMs > best.overlapMs || (overlapMs === best.overlapMs && allowedMs > best.allowedMs)) {
      best = { allowedMs, fault: `${f.kind} ${f.target}`, overlapMs };
    }
  }
  return best;
}

export function checkGaps(
  store: GapCheck['store'], series: ReadonlyMap<string, readonly number[]>, faults: readonly Fault[], intervalMs: number, fromMs: number, toMs: number,
): GapCheck {
  let worst: GapCheck['worst'];
  const violations: Array<GapCheck['violations'][number]> = [];
  const empty: string[] = [];
  for (const [workload, raw] of series) {
    const times = [...raw].filter((t) => t >= fromMs && t <= toMs).sort((x, y) => x - y);
    if (times.length < 2) {
      empty.push(workload);
      continue;
    }
    for (let i = 1; i < times.length; i++) {
      const a = times[i - 1] as number;
      const b = times[i] as number;
      const { allowedMs, fault } = allowance(a, b, faults, intervalMs);
      const g = { workload, fromMs: a, toMs: b, gapSecs: (b - a) / 1000, allowedSecs: allowedMs / 1000, fault };
      if (!worst || g.gapSecs > worst.gapSecs) worst = g;
      if (b - a > allowedMs && violations.length < 20) violations.push(g);
    }
  }
  return { store, workloads: series.size, empty, maxGapSecs: worst?.gapSecs ?? 0, worst, violations };
}

function addTime(out: Map<string, number[]>, key: string, t: number): void {
  const list = out.get(key) ?? [];
  list.push(t);
  out.set(key, list);
}

/** Replica-set roll-up window ends in InfluxDB per workload (`replicaset` tag), epoch ms. */
export async function influxTimes(url: string, db: string, namespace: string, fromMs: number, toMs: number): Promise<Map<string, number[]>> {
  const q = `SELECT "cpu_usage_cores" FROM "raw"."cargoscope_rollup" WHERE "level" = 'replicaset' AND "namespace" = '${namespace}' AND time >= ${fromMs}ms AND time <= ${toMs}ms GROUP BY "replicaset"`;
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results?: Array<{ series?: Array<{ tags?: Record<string, string>; values?: Array<[number, unknown]> }> }> };
  const out = new Map<string, number[]>();
  for (const s of body.results?.[0]?.series ?? []) {
    for (const [t] of s.values ?? []) addTime(out, s.tags?.['replicaset'] ?? '', t);
  }
  return out;
}

/** Raw scrape timestamps of the replica-set CPU roll-up per workload, over every aggregator instance. */
export async function prometheusTimes(url: string, namespace: string, fromMs: number, toMs: number): Promise<Map<string, number[]>> {
  const range = Math.ceil((toMs - fromMs) / 1000);
  const q = `replicaset:container_cpu_usage_seconds:sum_rate{namespace="${namespace}"}[${range}s]`;
  const res = await fetch(`${url}/api/v1/query?time=${toMs / 1000}&query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data?: { result?: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  const out = new Map<string, number[]>();
  for (const r of body.data?.result ?? []) {
    for (const [t] of r.values) addTime(out, r.metric['replicaset'] ?? '', Math.round(t * 1000));
  }
  // The same scrape time seen from two aggregators (a hand-over) is one point.
  for (const [k, v] of out) out.set(k, [...new Set(v)]);
  return out;
}

/** Keeps the workloads named by `keep` (the steady writers: they live through the whole drill). */
export function only(series: ReadonlyMap<string, number[]>, keep: ReadonlySet<string>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of keep) out.set(name, series.get(name) ?? []);
  return out;
}
