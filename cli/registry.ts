/* eslint-disable @typescript-eslint/no-require-imports -- each module loads on first use (below) */
import type * as ElasticsearchModule from '../aggregator/sinks/elasticsearch';
import type * as FileModule from '../aggregator/sinks/file';
import type * as InfluxdbModule from '../aggregator/sinks/influxdb';
import type * as PrometheusExporterModule from '../aggregator/sinks/prometheus_exporter';
import type * as RollupModule from '../aggregator/transforms/rollup';
import type * as AlertingModule from '../alerting';
import type * as CadvisorModule from '../collector/sources/cadvisor';
import type * as CgroupModule from '../collector/sources/cgroup';
import type * as DockerLogsModule from '../collector/sources/docker_logs';
import type * as DockerStatsModule from '../collector/sources/docker_stats';
import { ComponentRegistry } from '../core/component';
import type { ComponentFactory } from '../core/component/types';
import { topicSinkFactory, topicSourceFactory } from '../core/transport';

type Loader = () => ComponentFactory;

/**
 * Every component type this build knows. A process loads only the modules of the types its config
 * names: a collector does not load the Elasticsearch client or the alerting engine, which took
 * about a third of its start (time to its first shipped line) when everything loaded up front.
 * The type-only imports (erased at build) keep each loader checked against the module it loads.
 */
const LAZY: ReadonlyArray<readonly [ComponentFactory['kind'], string, Loader]> = [
  ['source', 'cgroup', () => (require('../collector/sources/cgroup') as typeof CgroupModule).cgroupSourceFactory],
  ['source', 'cadvisor', () => (require('../collector/sources/cadvisor') as typeof CadvisorModule).cadvisorSourceFactory],
  ['source', 'docker_stats', () => (require('../collector/sources/docker_stats') as typeof DockerStatsModule).dockerStatsSourceFactory],
  ['source', 'docker_logs', () => (require('../collector/sources/docker_logs') as typeof DockerLogsModule).dockerLogsSourceFactory],
  ['source', 'prometheus_query', () => (require('../alerting') as typeof AlertingModule).prometheusQuerySourceFactory],
  ['transform', 'rollup', () => (require('../aggregator/transforms/rollup') as typeof RollupModule).rollupFactory],
  ['sink', 'prometheus_exporter', () => (require('../aggregator/sinks/prometheus_exporter') as typeof PrometheusExporterModule).prometheusExporterFactory],
  ['sink', 'influxdb', () => (require('../aggregator/sinks/influxdb') as typeof InfluxdbModule).influxdbFactory],
  ['sink', 'elasticsearch', () => (require('../aggregator/sinks/elasticsearch') as typeof ElasticsearchModule).elasticsearchFactory],
  ['sink', 'file', () => (require('../aggregator/sinks/file') as typeof FileModule).fileSinkFactory],
  ['sink', 'alert_rules', () => (require('../alerting') as typeof AlertingModule).alertRulesFactory],
  ['sink', 'autoscaler', () => (require('../alerting') as typeof AlertingModule).autoscalerFactory],
];

/** Every component type this build knows, registered once. */
export function buildRegistry(): ComponentRegistry {
  const registry = new ComponentRegistry().register(topicSourceFactory).register(topicSinkFactory);
  for (const [kind, type, load] of LAZY) registry.registerLazy(kind, type, load);
  return registry;
}
