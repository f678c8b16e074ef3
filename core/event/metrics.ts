import type { ContainerIdentity } from './identity';

/** Counters only ever grow within one container start; gauges are point readings. */
export type SampleKind = 'counter' | 'gauge';

/**
 * One reading. `name` comes from core/naming (`METRIC`); `labels` carry only dimensions *inside*
 * a container (device, interface, cpu, state), never the container identity.
 */
export interface MetricSample {
  readonly name: string;
  readonly kind: SampleKind;
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Everything one scrape read for one container. */
export interface ContainerMetrics {
  readonly container: ContainerIdentity;
  /** Start time of the container's current run; a new value means counters restarted from zero. */
  readonly startedAtMs: number;
  readonly samples: readonly MetricSample[];
}

/** The value of `cargoscope.metrics.v1`: one node scrape by one source. */
export interface MetricBatch {
  readonly type: 'metrics';
  readonly version: 1;
  readonly node: string;
  /** Component id of the source that produced it (for dead letters and self-telemetry). */
  readonly source: string;
  /** The only timestamp samples carry. */
  readonly scrapedAtMs: number;
  readonly containers: readonly ContainerMetrics[];
  /** Host-level readings (machine_cpu_cores, machine_memory_bytes, …). */
  readonly machine?: readonly MetricSample[];
}
