import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import type { ROLLUP_METRIC} from '../core/naming';
import { rollupSeriesName } from '../core/naming';
import { dsRef } from './datasources';

/** Label matchers: a template variable (regex match, so `All` = `.*` works), a regex, or a literal value. */
export type Matchers = Readonly<Record<string, { readonly variable: string } | { readonly regex: string } | { readonly equals: string }>>;

function matcher(label: string, m: Matchers[string]): string {
  if ('variable' in m) return `${label}=~"$${m.variable}"`;
  if ('regex' in m) return `${label}=~"${m.regex}"`;
  return `${label}="${m.equals.replace(/["\\]/g, '\\$&')}"`;
}

export function selector(metric: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([label, m]) => matcher(label, m));
  return parts.length > 0 ? `${metric}{${parts.join(',')}}` : metric;
}

export type RollupMetric = (typeof ROLLUP_METRIC)[keyof typeof ROLLUP_METRIC];

/**
 * A roll-up series summed by `by`. Each aggregator exposes partial sums for the workloads it owns
 * (and Prometheus adds instance labels), so every level is re-summed over what `by` does not name.
 * Ratios are not summed but averaged: exact per workload, approximate above it with several aggregators.
 */
export function rollup(metric: RollupMetric, level: string, matchers: Matchers, by: readonly string[]): string {
  const series = selector(rollupSeriesName(level, metric), matchers);
  const op = metric.unit === 'ratio' ? 'avg' : 'sum';
  return `${op} by (${by.join(', ')}) (${series})`;
}

/** `rate()` of a counter over Grafana's rate interval, summed by `by`. */
export function sumRate(metric: string, matchers: Matchers, by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (rate(${selector(metric, matchers)}[$__rate_interval]))`;
}

/**
 * Counters that appear only after their first increment (drops, errors) are padded with zero
 * for every component that exists, so a healthy pipeline shows 0 rather than "No data".
 */
export function sumRateOrZero(metric: string, presentMetric: string, matchers: Matchers, by: readonly string[]): string {
  return `${sumRate(metric, matchers, by)} or (${sumRate(presentMetric, matchers, by)} * 0)`;
}

export function promTarget(expr: string, legend?: string): DataqueryBuilder {
  const q = new DataqueryBuilder().expr(expr).datasource(dsRef('prometheus'));
  return legend === undefined ? q : q.legendFormat(legend);
}

/** `{{a}} / {{b}}` legends from label names. */
export function legendOf(labels: readonly string[]): string {
  return labels.map((l) => `{{${l}}}`).join(' / ');
}
