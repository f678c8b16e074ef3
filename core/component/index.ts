export { ComponentRegistry } from './registry';
export { Topology } from './topology';
export type { TopologyDeps } from './topology';
export type {
  Component, ComponentByKind, ComponentContext, ComponentFactory, ComponentKind, Deadline, Exposition,
  FactoryContext, Lifecycle, MetricsTextProvider, PartialSendResult, Sink, Source, SourceContext, Transform,
} from './types';
