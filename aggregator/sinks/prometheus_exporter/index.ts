export { escapeLabelValue, formatValue, joinLabels, renderLabels } from './exposition';
export { prometheusExporterFactory, PrometheusExporterSink, prometheusExporterSchema } from './sink';
export type { PrometheusExporterConfig } from './sink';
export { ContainerSeriesState } from './state';
