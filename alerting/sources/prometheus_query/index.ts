export { parseQueryResponse, toBatch, vectorToSeries } from './map';
export type { QuerySpec, VectorSample } from './map';
export { PrometheusQuerySource, prometheusQuerySchema, prometheusQuerySourceFactory } from './source';
export type { PrometheusQueryConfig } from './source';
