import { elasticsearchFactory } from '../aggregator/sinks/elasticsearch';
import { fileSinkFactory } from '../aggregator/sinks/file';
import { influxdbFactory } from '../aggregator/sinks/influxdb';
import { prometheusExporterFactory } from '../aggregator/sinks/prometheus_exporter';
import { rollupFactory } from '../aggregator/transforms/rollup';
import { alertRulesFactory, autoscalerFactory, prometheusQuerySourceFactory } from '../alerting';
import { registerCollectorMetricSources } from '../collector';
import { dockerLogsSourceFactory } from '../collector/sources/docker_logs';
import { ComponentRegistry } from '../core/component';
import { topicSinkFactory, topicSourceFactory } from '../core/transport';

/** Every component type this build knows, registered once. */
export function buildRegistry(): ComponentRegistry {
  return registerCollectorMetricSources(new ComponentRegistry())
    .register(dockerLogsSourceFactory)
    .register(topicSourceFactory)
    .register(topicSinkFactory)
    .register(rollupFactory)
    .register(prometheusExporterFactory)
    .register(influxdbFactory)
    .register(elasticsearchFactory)
    .register(fileSinkFactory)
    .register(prometheusQuerySourceFactory)
    .register(alertRulesFactory)
    .register(autoscalerFactory);
}
