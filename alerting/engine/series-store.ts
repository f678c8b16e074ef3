import type { RollupBatch, RollupKey } from '../../core/event';

/** Labels of a roll-up series, in the order they appear on alerts. */
const KEY_LABELS = ['node', 'namespace', 'workload', 'replicaset', 'deployment', 'pod', 'container'] as const;

const SCRATCH = new Int32Array(2);

/** One roll-up series and its recent samples (ascending time), shared by every rule that reads it. */
export class SeriesBuffer {
  readonly times: number[] = [];
  readonly values: number[] = [];
  /** Index of the oldest live sample; the arrays are compacted lazily to avoid shifting per sample. */
  head = 0;

  constructor(
    readonly id: string,
    readonly metric: string,
    readonly key: RollupKey,
    /** `level` plus the key's set labels, computed once. */
    readonly labels: Readonly<Record<string, string>>,
  ) {}

  push(atMs: number, value: number): void {
    const n = this.times.length;
    if (n > this.head && (this.times[n - 1] as number) >= atMs) {
      // A replayed or duplicate window: keep the newest value for that time, never go back in time.
      if (this.times[n - 1] === atMs) this.values[n - 1] = value;
      return;
    }
    this.times.push(atMs);
    this.values.push(value);
  }

  /** Forgets samples at or before `cutoffMs`; true when none are left. */
  prune(cutoffMs: number): boolean {
    while (this.head < this.times.length && (this.times[this.head] as number) <= cutoffMs) this.head += 1;
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.values.splice(0, this.head);
      this.head = 0;
    }
    return this.head >= this.times.length;
  }

  /** [from, to) indexes of the samples in (startMs, endMs]. */
  range(startMs: number, endMs: number): [number, number] {
    this.rangeInto(startMs, endMs, SCRATCH);
    return [SCRATCH[0] as number, SCRATCH[1] as number];
  }

  /** `range` without allocating: the hot loop of rule evaluation calls this per (rule, series). */
  rangeInto(startMs: number, endMs: number, out: Int32Array): void {
    let to = this.times.length;
    while (to > this.head && (this.times[to - 1] as number) > endMs) to -= 1;
    let from = to;
    while (from > this.head && (this.times[from - 1] as number) > startMs) from -= 1;
    out[0] = from;
    out[1] = to;
  }
}

export function seriesId(metric: string, k: RollupKey): string {
  return `${metric}|${k.level}|${k.node ?? ''}|${k.namespace ?? ''}|${k.workload ?? ''}|${k.pod ?? ''}|${k.container ?? ''}`;
}

function keyLabels(k: RollupKey): Record<string, string> {
  const labels: Record<string, string> = { level: k.level };
  for (const name of KEY_LABELS) {
    const v = k[name];
    if (v !== undefined) labels[name] = v;
  }
  return labels;
}

/**
 * The recent window of every roll-up series, indexed by (metric, level) and by label value so a
 * rule finds its series without scanning them all. `generation` changes whenever the set of
 * series does, which is when rules re-run their selectors.
 */
export class SeriesStore {
  private readonly byId = new Map<string, SeriesBuffer>();
  private readonly byMetricLevel = new Map<string, SeriesBuffer[]>();
  /** `metric|level|label` → value → series; built on first use, dropped when the series set changes. */
  private postingsCache = new Map<string, Map<string, SeriesBuffer[]>>();
  private postingsGeneration = 0;
  generation = 0;

  constructor(private readonly retainMs: number) {}

  get size(): number {
    return this.byId.size;
  }

  ingest(batch: RollupBatch): void {
    for (const s of batch.series) {
      const id = seriesId(s.metric, s.key);
      let buf = this.byId.get(id);
      if (!buf) {
        buf = new SeriesBuffer(id, s.metric, s.key, keyLabels(s.key));
        this.byId.set(id, buf);
        const ml = `${s.metric}|${s.key.level}`;
        const list = this.byMetricLevel.get(ml);
        if (list) list.push(buf);
        else this.byMetricLevel.set(ml, [buf]);
        this.generation += 1;
      }
      buf.push(batch.atMs, s.value);
    }
  }

  /** Series of one metric at one level (the candidates a rule filters). */
  candidates(metric: string, level: string): readonly SeriesBuffer[] {
    return this.byMetricLevel.get(`${metric}|${level}`) ?? [];
  }

  /** Series of one metric at one level whose `label` equals `value`. */
  withLabel(metric: string, level: string, label: string, value: string): readonly SeriesBuffer[] {
    if (this.postingsGeneration !== this.generation) {
      this.postingsCache = new Map();
      this.postingsGeneration = this.generation;
    }
    const cacheKey = `${metric}|${level}|${label}`;
    let byValue = this.postingsCache.get(cacheKey);
    if (!byValue) {
      byValue = new Map();
      for (const buf of this.candidates(metric, level)) {
        const v = buf.labels[label];
        if (v === undefined) continue;
        const list = byValue.get(v);
        if (list) list.push(buf);
        else byValue.set(v, [buf]);
      }
      this.postingsCache.set(cacheKey, byValue);
    }
    return byValue.get(value) ?? [];
  }

  get(id: string): SeriesBuffer | undefined {
    return this.byId.get(id);
  }

  /** Drops samples older than the longest window and series with none left (dead containers). */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.retainMs;
    let removed = false;
    for (const [id, buf] of this.byId) {
      if (!buf.prune(cutoff)) continue;
      this.byId.delete(id);
      removed = true;
    }
    if (!removed) return;
    for (const [ml, list] of this.byMetricLevel) {
      const live = list.filter((b) => this.byId.has(b.id));
      if (live.length > 0) this.byMetricLevel.set(ml, live);
      else this.byMetricLevel.delete(ml);
    }
    this.generation += 1;
  }
}
