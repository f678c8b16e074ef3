export { ComponentTelemetry } from './component-telemetry';
export type { ComponentLabels } from './component-telemetry';
export { createLogger, EpisodeLogger, silentLogger } from './logger';
export type { EpisodeLoggerOptions, LogLevel } from './logger';
export { SelfMetrics } from './self-metrics';
export { inSpan, tracer, Tracing } from './tracing';
export type { TracingOptions } from './tracing';
