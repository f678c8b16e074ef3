import { prometheusExporterFactory } from '../aggregator/sinks/prometheus_exporter';
import { fileSinkFactory } from '../aggregator/sinks/file';
import { ComponentRegistry } from '../core/component';
import { topicSinkFactory, topicSourceFactory } from '../core/transport';

/** Every component type this build knows, registered once. */
export function buildRegistry(): ComponentRegistry {
  return new ComponentRegistry()
    .register(topicSourceFactory)
    .register(topicSinkFactory)
    .register(prometheusExporterFactory)
    .register(fileSinkFactory);
}
