import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { SELF_LABEL as L, SELF_METRIC as S } from '../core/naming';
import { composeDashboard } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { BOARD, boardUid } from './hierarchy';
import { ZERO_IS_GOOD, type PanelSpec } from './panels';
import { legendOf, promTarget, selector, sumRate, sumRateOrZero, type Matchers } from './promql';

const ds = dsRef('prometheus');
const COMPONENT: Matchers = { [L.componentId]: { variable: 'component' } };
const BY = [L.componentId];
/** Components that talk to Kafka, Elasticsearch or InfluxDB, whose errors get a panel of their own. */
const STORE_COMPONENTS: Matchers = { ...COMPONENT, [L.componentType]: { regex: 'topic|kafka|elasticsearch|influxdb' } };

function ts(title: string, description: string, unit: string, exprs: ReadonlyArray<readonly [string, string]>, extra: Partial<PanelSpec> = {}): PanelSpec {
  return { title, description, kind: 'timeseries', datasource: ds, unit, targets: exprs.map(([e, legend]) => promTarget(e, legend)), ...extra };
}

function events(): PanelSpec[] {
  const legend = legendOf(BY);
  return [
    ts('Events in', 'Events received per second by component.', 'short', [[sumRate(S.componentReceivedEvents, COMPONENT, BY), legend]]),
    ts('Events out', 'Events sent (delivered downstream) per second.', 'short', [[sumRate(S.componentSentEvents, COMPONENT, BY), legend]]),
    ts('Bytes in / out', 'Estimated bytes per second.', 'Bps', [
      [sumRate(S.componentReceivedBytes, COMPONENT, BY), `in ${legend}`], [sumRate(S.componentSentBytes, COMPONENT, BY), `out ${legend}`],
    ]),
    ts('Events discarded', 'Events given up on (rejected, unparseable, dropped by a full buffer).', 'short', [
      [sumRateOrZero(S.componentDiscardedEvents, S.componentReceivedEvents, COMPONENT, BY), legend],
    ], { thresholds: ZERO_IS_GOOD }),
  ];
}

function queues(): PanelSpec[] {
  const legend = legendOf([L.componentId, L.policy]);
  const by = [L.componentId, L.policy];
  return [
    ts('Queue traffic', 'Events into and out of each sink buffer.', 'short', [
      [sumRate(S.bufferReceivedEvents, COMPONENT, by), `in ${legend}`], [sumRate(S.bufferSentEvents, COMPONENT, by), `out ${legend}`],
    ]),
    ts('Backlog', 'Events waiting in each buffer: the lag between intake and delivery.', 'short', [[`sum by (${by.join(', ')}) (${selector(S.bufferEvents, COMPONENT)})`, legend]]),
    ts('Buffer drops and blocking', 'Events dropped by a full buffer, and seconds per second sources were blocked (backpressure).', 'short', [
      [sumRateOrZero(S.bufferDroppedEvents, S.bufferReceivedEvents, COMPONENT, by), `dropped ${legend}`],
      [sumRateOrZero(S.bufferBlockedSeconds, S.bufferReceivedEvents, COMPONENT, by), `blocked s/s ${legend}`],
    ]),
    ts('Batch duration p95', 'Time to deliver a batch, 95th percentile.', 's', [
      [`histogram_quantile(0.95, sum by (${L.componentId}, le) (rate(${selector(`${S.componentBatchSeconds}_bucket`, COMPONENT)}[$__rate_interval])))`, legendOf(BY)],
    ]),
  ];
}

function errors(): PanelSpec[] {
  const legend = legendOf(BY);
  return [
    ts('Errors', 'Errors per second by component.', 'short', [[sumRateOrZero(S.componentErrors, S.componentReceivedEvents, COMPONENT, BY), legend]], { thresholds: ZERO_IS_GOOD }),
    ts('Kafka and store errors', 'Errors of the Kafka, Elasticsearch and InfluxDB components, and poison records on the transport.', 'short', [
      [sumRateOrZero(S.componentErrors, S.componentReceivedEvents, STORE_COMPONENTS, BY), legend],
      [sumRateOrZero(S.transportPoisonRecords, S.componentReceivedEvents, {}, []), 'poison records'],
    ], { thresholds: ZERO_IS_GOOD }),
    ts('Delivery outcomes', 'Batches settled per second by outcome (delivered, rejected, failed).', 'short', [
      [sumRate(S.deliveryOutcomes, COMPONENT, [L.componentId, L.outcome]), legendOf([L.componentId, L.outcome])],
    ]),
    ts('Retries', 'Delivery retries per second.', 'short', [[sumRateOrZero(S.deliveryRetries, S.componentReceivedEvents, COMPONENT, BY), legend]]),
  ];
}

function componentVariable(): QueryVariableBuilder {
  const query = `label_values(${S.componentReceivedEvents}, ${L.componentId})`;
  return new QueryVariableBuilder('component').label('Component').datasource(ds).query(query).definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc).multi(true).includeAll(true).allValue('.*');
}

export function pipelineHealth(): dashboard.Dashboard {
  return composeDashboard({
    uid: boardUid(BOARD.pipeline),
    title: 'cargoscope / Pipeline health',
    description: 'cargoscope\'s own metrics: events in, out and discarded, queue traffic and backlog, errors and delivery outcomes per component.',
    tags: ['prometheus', 'self'],
    variables: [datasourceVariable('prometheus'), componentVariable()],
    sections: [
      { title: 'Events', panels: events() },
      { title: 'Queues', panels: queues() },
      { title: 'Errors and delivery', panels: errors() },
    ],
  });
}
