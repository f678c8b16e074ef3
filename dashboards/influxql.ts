import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import type { ROLLUP_METRIC } from '../core/naming';
import { dsRef } from './datasources';
import { INFLUX } from '../core/naming';

/** The target Grafana's InfluxDB (InfluxQL) plugin stores for a raw query. */
export interface InfluxTarget extends cog.Dataquery {
  refId?: string;
  datasource: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

/**
 * A raw InfluxQL target. The SDK has no InfluxDB query builder, so this is the small typed one:
 * raw queries rather than the visual editor's parts, because the roll-up sums need subqueries.
 */
export class InfluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly target: InfluxTarget;

  constructor(query: string) {
    this.target = { datasource: dsRef('influxdb'), query, rawQuery: true, resultFormat: 'time_series', _implementsDataqueryVariant: () => undefined };
  }

  alias(alias: string): this {
    this.target.alias = alias;
    return this;
  }

  table(): this {
    this.target.resultFormat = 'table';
    return this;
  }

  build(): InfluxTarget {
    return { ...this.target };
  }
}

/** Tag filters: each value is a template variable name (matched as a regex so `All` works) or a literal. */
export type TagFilter = Readonly<Record<string, { readonly variable: string } | { readonly equals: string }>>;

export function whereClause(filter: TagFilter): string {
  const parts = Object.entries(filter).map(([tag, f]) =>
    'variable' in f ? `"${tag}" =~ /^$${f.variable}$/` : `"${tag}" = '${f.equals.replace(/'/g, "\\'")}'`,
  );
  return [...parts, '$timeFilter'].join(' AND ');
}

function groupBy(tags: readonly string[]): string {
  return ['time($__interval)', ...tags.map((t) => `"${t}"`)].join(', ');
}

function from(measurement: string): string {
  return `"${INFLUX.retention.raw}"."${measurement}"`;
}

type RollupMetric = (typeof ROLLUP_METRIC)[keyof typeof ROLLUP_METRIC];

/** The tags that identify one series at a level (besides `aggregator`). */
const IDENTITY: Readonly<Record<string, readonly string[]>> = {
  container: ['namespace', 'pod', 'container', 'node'],
  pod: ['namespace', 'pod', 'node'],
  replicaset: ['namespace', 'replicaset'],
  namespace: ['namespace'],
  node: ['node'],
  cluster: [],
};

/**
 * A roll-up field at a level, summed by `by` like Prometheus' `sum by`: the subquery takes one
 * value per series and window (a series is a level's identity plus the writing aggregator, since
 * above the replica set each aggregator writes a partial sum), the outer query adds them up.
 * Ratios cannot be summed; they are averaged, exact with a single aggregator. `count` counts series.
 */
export function rollupQuery(metric: RollupMetric, level: string, filter: TagFilter, by: readonly string[], op?: 'sum' | 'mean' | 'count'): string {
  const identity = IDENTITY[level];
  if (!identity) throw new Error(`unknown roll-up level ${level}`);
  const where = whereClause({ [INFLUX.rollupTag.level]: { equals: level }, ...filter });
  const inner = `SELECT mean("${metric.id}") AS "v" FROM ${from(INFLUX.rollupMeasurement)} WHERE ${where} GROUP BY ${groupBy([INFLUX.rollupTag.aggregator, ...identity])}`;
  const outer = op ?? (metric.unit === 'ratio' ? 'mean' : 'sum');
  return `SELECT ${outer}("v") FROM (${inner}) WHERE $timeFilter GROUP BY ${groupBy(by)} fill(none)`;
}

/** A Telegraf-named container measurement; `rate` turns a counter field into a per-second rate. */
export function measurementQuery(measurement: string, field: string, filter: TagFilter, by: readonly string[], rate = false): string {
  const select = rate ? `non_negative_derivative(mean("${field}"), 1s)` : `mean("${field}")`;
  return `SELECT ${select} FROM ${from(measurement)} WHERE ${whereClause(filter)} GROUP BY ${groupBy(by)} fill(none)`;
}
