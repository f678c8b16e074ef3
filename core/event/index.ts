export { Ack, settleAll } from './ack';
export type { AckOutcome } from './ack';
export type { DeadLetter } from './deadletter';
export { countEvents, envelope, estimateBytes } from './envelope';
export type { Envelope, Event, EventType } from './envelope';
export { workloadId } from './identity';
export type { ContainerIdentity, WorkloadIdentity, WorkloadKind } from './identity';
export type { LogBatch, LogOrigin, LogRecord, LogStream } from './logs';
export type { ContainerMetrics, MetricBatch, MetricSample, SampleKind } from './metrics';
