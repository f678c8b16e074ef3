import { QueryVariableBuilder, TextBoxVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { ROLLUP_METRIC, rollupSeriesName } from '../core/naming';
import { dsRef, type StoreKind } from './datasources';
import { selector } from './promql';
import { ECS, INFLUX } from '../core/naming';

/** The hierarchy the variables walk, top down; each level narrows the ones below it. */
export const LEVELS = ['node', 'namespace', 'replicaset', 'pod', 'container'] as const;
export type Level = (typeof LEVELS)[number];

/** The ECS field holding each level's value (logs have no node/container variable of their own). */
const ECS_FIELD: Partial<Record<Level, string>> = { namespace: ECS.namespace, replicaset: ECS.replicaset, pod: ECS.pod };

/** Node and namespace are filters over many; below them a dashboard looks at one thing. */
const MULTI: ReadonlySet<Level> = new Set<Level>(['node', 'namespace']);

/** Parents of `level` among `present`, which filter its values (the node is not a parent of a namespace). */
function parentsOf(level: Level, present: readonly Level[]): Level[] {
  const order: Record<Level, readonly Level[]> = {
    node: [], namespace: [], replicaset: ['namespace'], pod: ['namespace', 'replicaset', 'node'], container: ['namespace', 'pod'],
  };
  return order[level].filter((p) => present.includes(p));
}

function promQuery(level: Level, parents: readonly Level[]): string {
  const series = rollupSeriesName(level, ROLLUP_METRIC.runningContainers);
  const matchers = Object.fromEntries(parents.map((p) => [p, { variable: p }]));
  return `label_values(${selector(series, matchers)}, ${level})`;
}

function influxQuery(level: Level, parents: readonly Level[]): string {
  const filters = [`"${INFLUX.rollupTag.level}" = '${level}'`, ...parents.map((p) => `"${p}" =~ /^$${p}$/`)];
  return `SHOW TAG VALUES FROM "${INFLUX.retention.raw}"."${INFLUX.rollupMeasurement}" WITH KEY = "${level}" WHERE ${filters.join(' AND ')}`;
}

function esQuery(level: Level, parents: readonly Level[]): string {
  const field = ECS_FIELD[level];
  if (!field) throw new Error(`logs have no ${level} variable`);
  const query = parents.map((p) => `${ECS_FIELD[p] ?? p}:$${p}`).join(' AND ');
  return JSON.stringify(query ? { find: 'terms', field, query } : { find: 'terms', field });
}

/** Template variables for `levels` over one store, in hierarchy order. */
export function hierarchyVariables(store: StoreKind, levels: readonly Level[], multi: ReadonlySet<Level> = MULTI): QueryVariableBuilder[] {
  const present = LEVELS.filter((l) => levels.includes(l));
  return present.map((level) => {
    const parents = parentsOf(level, present);
    const query = store === 'prometheus' ? promQuery(level, parents) : store === 'influxdb' ? influxQuery(level, parents) : esQuery(level, parents);
    const v = new QueryVariableBuilder(level)
      .label(level === 'replicaset' ? 'Replica set' : level[0]!.toUpperCase() + level.slice(1))
      .datasource(dsRef(store))
      .query(query)
      .definition(query)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc);
    if (!multi.has(level)) return v.multi(false).includeAll(false);
    return v.multi(true).includeAll(true).allValue(store === 'elasticsearch' ? '*' : '.*');
  });
}

/** A free-text Lucene filter over the ECS fields, for the logs panels. */
export function searchVariable(): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder('search').label('Search (Lucene over ECS fields)').defaultValue('*');
}
