import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { composeDashboard } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { countByTerm, countOverTime, logsQuery, lucene } from './elastic';
import { BOARD, boardUid } from './hierarchy';
import { ZERO_IS_GOOD } from './panels';
import { ECS } from '../core/naming';
import { hierarchyVariables, searchVariable } from './variables';

/** The workload filters plus the free-text search, shared by every panel. */
const FILTER = lucene([[ECS.namespace, 'namespace'], [ECS.replicaset, 'replicaset'], [ECS.pod, 'pod'], '$search']);
const ERRORS = lucene([[ECS.namespace, 'namespace'], [ECS.replicaset, 'replicaset'], [ECS.pod, 'pod'], '$search', `${ECS.level}:(error OR fatal)`]);

export function logsDashboard(): dashboard.Dashboard {
  const ds = dsRef('elasticsearch');
  return composeDashboard({
    uid: boardUid(BOARD.logs),
    title: 'cargoscope / Logs',
    description: 'Log volume by level and workload, and a Lucene search over the ECS fields (container.*, kubernetes.*, log.level, host.name, message).',
    tags: ['elasticsearch', 'logs'],
    variables: [
      datasourceVariable('elasticsearch'),
      ...hierarchyVariables('elasticsearch', ['namespace', 'replicaset', 'pod'], new Set(['namespace', 'replicaset', 'pod'])),
      searchVariable(),
    ],
    sections: [
      { title: 'Volume', panels: [
        { title: 'Lines by level', description: 'Log lines per interval by detected level.', kind: 'timeseries', datasource: ds, unit: 'short', stacked: true, targets: [countOverTime(FILTER, ECS.level)] },
        { title: 'Lines by replica set', description: 'Log lines per interval by workload.', kind: 'timeseries', datasource: ds, unit: 'short', stacked: true, targets: [countOverTime(FILTER, ECS.replicaset)] },
        { title: 'Errors', description: 'Lines at level error or fatal.', kind: 'timeseries', datasource: ds, unit: 'short', thresholds: ZERO_IS_GOOD, targets: [countOverTime(ERRORS)] },
        { title: 'Noisiest containers', description: 'Lines in the range by container.', kind: 'table', datasource: ds, unit: 'short', targets: [countByTerm(FILTER, ECS.containerName)] },
      ] },
      { title: 'Search', panels: [
        { title: 'Log lines', description: 'Matching lines, newest first; expand a line for its ECS fields.', kind: 'logs', datasource: ds, w: 24, h: 16, targets: [logsQuery(FILTER)] },
      ] },
    ],
  });
}
