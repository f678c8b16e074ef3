import type { ContainerIdentity, ContainerMetrics, MetricBatch, MetricSample, RollupBatch } from '../../../core/event';
import { CONTAINER_LABEL, CONTAINER_METRIC } from '../../../core/naming';
import { escapeLabelValue, formatValue, joinLabels } from './exposition';
import { renderOwners, renderRollups } from './rollup-render';

interface ContainerSeries {
  readonly identity: ContainerIdentity;
  /** `id="…",name="…",…` computed once per container identity. */
  readonly labelPrefix: string;
  samples: readonly MetricSample[];
  lastSeenMs: number;
}

interface Family {
  kind: 'counter' | 'gauge';
  lines: string[];
}

/**
 * The latest reading of every live container, rendered with cAdvisor's names and labels so
 * dashboards written for cAdvisor work unchanged. Containers not seen for `stalenessMs` are
 * removed, like cAdvisor drops series of containers that are gone. No sample timestamps: the
 * scrape time is the sample time, as Prometheus expects from an exporter.
 */
export class ContainerSeriesState {
  private readonly containers = new Map<string, ContainerSeries>();
  private readonly machine = new Map<string, { samples: readonly MetricSample[]; lastSeenMs: number }>();
  /** The newest roll-up window per producing aggregator (a whole window replaces the last). */
  private readonly rollups = new Map<string, RollupBatch>();

  constructor(private readonly stalenessMs: number) {}

  get size(): number {
    return this.containers.size;
  }

  applyRollups(batch: RollupBatch): void {
    const current = this.rollups.get(batch.source);
    if (!current || current.atMs <= batch.atMs) this.rollups.set(batch.source, batch);
  }

  apply(batch: MetricBatch): void {
    for (const c of batch.containers) this.applyContainer(c, batch.scrapedAtMs);
    if (batch.machine && batch.machine.length > 0) this.machine.set(batch.node, { samples: batch.machine, lastSeenMs: batch.scrapedAtMs });
  }

  /** Drops series of containers (and nodes) not seen since `now - stalenessMs`. */
  expire(now: number): number {
    let removed = 0;
    for (const [id, series] of this.containers) {
      if (now - series.lastSeenMs > this.stalenessMs) {
        this.containers.delete(id);
        removed += 1;
      }
    }
    for (const [node, m] of this.machine) if (now - m.lastSeenMs > this.stalenessMs) this.machine.delete(node);
    for (const [source, r] of this.rollups) if (now - r.atMs > this.stalenessMs) this.rollups.delete(source);
    return removed;
  }

  render(): string {
    const families = new Map<string, Family>();
    const add = (sample: MetricSample, prefix: string): void => {
      let family = families.get(sample.name);
      if (!family) families.set(sample.name, (family = { kind: sample.kind, lines: [] }));
      family.lines.push(`${sample.name}${joinLabels(prefix, sample.labels)} ${formatValue(sample.value)}`);
    };
    for (const series of this.containers.values()) {
      for (const sample of series.samples) add(sample, series.labelPrefix);
      add({ name: CONTAINER_METRIC.lastSeen, kind: 'gauge', value: series.lastSeenMs / 1000 }, series.labelPrefix);
    }
    for (const [node, m] of this.machine) for (const sample of m.samples) add(sample, `node="${escapeLabelValue(node)}"`);
    const out: string[] = [];
    for (const [name, family] of families) {
      out.push(`# HELP ${name} cargoscope per-container series (cAdvisor-compatible).`, `# TYPE ${name} ${family.kind}`, ...family.lines);
    }
    const rollups = new Map<string, string[]>();
    renderRollups(this.rollups.values(), rollups);
    for (const [name, lines] of rollups) out.push(`# HELP ${name} cargoscope roll-up.`, `# TYPE ${name} gauge`, ...lines);
    const text = out.length > 0 ? `${out.join('\n')}\n` : '';
    return text + renderOwners([...this.containers.values()].map((c) => c.identity));
  }

  private applyContainer(c: ContainerMetrics, at: number): void {
    const existing = this.containers.get(c.container.id);
    if (existing) {
      existing.samples = c.samples;
      existing.lastSeenMs = at;
      return;
    }
    this.containers.set(c.container.id, { identity: c.container, labelPrefix: containerLabelPrefix(c), samples: c.samples, lastSeenMs: at });
  }
}

function containerLabelPrefix(c: ContainerMetrics): string {
  const id = c.container;
  const kube = id.workload.kind === 'kubernetes';
  const pairs: Array<[string, string]> = [
    [CONTAINER_LABEL.id, id.id.startsWith('/') ? id.id : `/docker/${id.id}`],
    [CONTAINER_LABEL.name, id.name],
    [CONTAINER_LABEL.image, id.image],
    [CONTAINER_LABEL.namespace, id.workload.namespace],
    [CONTAINER_LABEL.pod, id.workload.pod],
    [CONTAINER_LABEL.container, kube ? id.containerName : id.name],
    ['node', id.node],
  ];
  return pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}
