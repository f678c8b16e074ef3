/** The value of `cargoscope.rollups.v1`: aggregated series for one resolution window. */

export type RollupLevel = 'container' | 'pod' | 'replicaset' | 'namespace' | 'node' | 'cluster';

/** The identity of a rolled-up series: only the labels of its level and above are set. */
export interface RollupKey {
  readonly level: RollupLevel;
  readonly node?: string;
  readonly namespace?: string;
  /** Workload id (`kind/namespace/replicaSet`), for replicaset level and below. */
  readonly workload?: string;
  readonly replicaset?: string;
  readonly deployment?: string;
  readonly pod?: string;
  readonly container?: string;
}

export interface RollupSeries {
  readonly key: RollupKey;
  /** A `ROLLUP_METRIC` id from core/naming (`cpu_usage_cores`, `memory_working_set_bytes`, …). */
  readonly metric: string;
  readonly value: number;
}

export interface RollupBatch {
  readonly type: 'rollups';
  readonly version: 1;
  /** The aggregator instance that computed it. */
  readonly source: string;
  /** End of the window the values describe (epoch ms); the window is `resolutionMs` long. */
  readonly atMs: number;
  readonly resolutionMs: number;
  readonly series: readonly RollupSeries[];
}
