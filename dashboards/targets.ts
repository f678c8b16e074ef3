import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { MetricStore } from './hierarchy';
import { InfluxQueryBuilder } from './influxql';
import { legendOf, promTarget } from './promql';

/** The same question asked of either metric store; `by` names the series (legend / alias). */
export interface QueryPair {
  readonly prom: string;
  readonly influx: string;
  readonly by: readonly string[];
  /** Prometheus: evaluate once at the end of the range (tables, bar gauges). */
  readonly instant?: boolean;
  readonly legend?: string;
}

export function target(store: MetricStore, q: QueryPair): cog.Builder<cog.Dataquery> {
  if (store === 'prometheus') {
    const t = promTarget(q.prom, q.legend ?? (q.by.length > 0 ? legendOf(q.by) : undefined));
    return q.instant ? t.instant() : t;
  }
  const alias = q.legend ?? q.by.map((tag) => `$tag_${tag}`).join(' / ');
  const t = new InfluxQueryBuilder(q.influx);
  return alias ? t.alias(alias) : t;
}
