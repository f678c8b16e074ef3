/**
 * cargoscope's own metrics (`cargoscope_<thing>_<unit>[_total]`). dashboards/ builds the pipeline
 * health dashboard from these names.
 */
export const SELF_METRIC = {
  componentReceivedEvents: 'cargoscope_component_received_events_total',
  componentReceivedBytes: 'cargoscope_component_received_bytes_total',
  componentSentEvents: 'cargoscope_component_sent_events_total',
  componentSentBytes: 'cargoscope_component_sent_bytes_total',
  componentDiscardedEvents: 'cargoscope_component_discarded_events_total',
  componentErrors: 'cargoscope_component_errors_total',
  componentBatchSeconds: 'cargoscope_component_batch_duration_seconds',

  bufferReceivedEvents: 'cargoscope_buffer_received_events_total',
  bufferSentEvents: 'cargoscope_buffer_sent_events_total',
  bufferDroppedEvents: 'cargoscope_buffer_dropped_events_total',
  bufferBlockedSeconds: 'cargoscope_buffer_blocked_seconds_total',
  bufferEvents: 'cargoscope_buffer_events',
  bufferBytes: 'cargoscope_buffer_bytes',

  deliveryRetries: 'cargoscope_delivery_retries_total',
  deliveryOutcomes: 'cargoscope_delivery_outcomes_total',

  transportPoisonRecords: 'cargoscope_transport_poison_records_total',

  build: 'cargoscope_build_info',
} as const;

/** Labels on self-metrics; values come from bounded sets (component ids are config, not data). */
export const SELF_LABEL = {
  componentId: 'component_id',
  componentType: 'component_type',
  componentKind: 'component_kind',
  reason: 'reason',
  policy: 'policy',
  outcome: 'outcome',
} as const;
