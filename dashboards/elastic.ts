import {
  CountBuilder, DataqueryBuilder, DateHistogramBuilder, LogsBuilder, TermsBuilder, TermsOrder,
} from '@grafana/grafana-foundation-sdk/elasticsearch';
import { dsRef } from './datasources';
import { ECS } from '../core/naming';

/** Lucene over ECS fields; each part a `field:$variable` filter or a literal clause, AND-ed. */
export function lucene(parts: ReadonlyArray<readonly [field: string, variable: string] | string>): string {
  return parts.map((p) => (typeof p === 'string' ? `(${p})` : `${p[0]}:$${p[1]}`)).join(' AND ');
}

function base(query: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(dsRef('elasticsearch')).query(query).timeField(ECS.timestamp);
}

/** Raw documents for a logs panel, newest first. */
export function logsQuery(query: string): DataqueryBuilder {
  return base(query).queryType('logs').metrics([new LogsBuilder().id('1')]);
}

/** Document count over time, one series per value of `field` (top `size` by count). */
export function countOverTime(query: string, field?: string, size = 10): DataqueryBuilder {
  const histogram = new DateHistogramBuilder().id('2').field(ECS.timestamp).settings({ interval: 'auto', min_doc_count: '0' });
  const buckets = field
    ? [new TermsBuilder().id('3').field(field).settings({ size: String(size), order: TermsOrder.Desc, orderBy: '_count', min_doc_count: '1' }), histogram]
    : [histogram];
  return base(query).metrics([new CountBuilder().id('1')]).bucketAggs(buckets);
}

/** Document count per value of `field` over the whole range (tables, bar gauges). */
export function countByTerm(query: string, field: string, size = 10): DataqueryBuilder {
  const terms = new TermsBuilder().id('2').field(field).settings({ size: String(size), order: TermsOrder.Desc, orderBy: '_count', min_doc_count: '1' });
  return base(query).metrics([new CountBuilder().id('1')]).bucketAggs([terms]);
}
