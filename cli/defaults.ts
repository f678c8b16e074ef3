import { DEFAULT_PORT, TOPIC } from '../core/naming';

export type ProcessMode = 'run' | 'collector' | 'aggregator' | 'alerting';

export const MODE_PORT: Record<ProcessMode, number> = {
  run: DEFAULT_PORT.allInOne,
  collector: DEFAULT_PORT.collector,
  aggregator: DEFAULT_PORT.aggregator,
  alerting: DEFAULT_PORT.alerting,
};

/**
 * The embedded defaults: what each command runs when no --config is given. All-in-one uses the
 * in-process bus, the Prometheus endpoint and rotated NDJSON files, so it needs no other service.
 * They are YAML so `cargoscope config defaults <mode>` shows users a starting point verbatim.
 */
export const DEFAULT_CONFIG: Record<ProcessMode, string> = {
  run: `# cargoscope all-in-one: collector, aggregator and alerting in one process.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/data}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.allInOne}}
transport:
  type: bus
sources:
  metrics_in:
    type: topic
    topics: [${TOPIC.metrics}]
    group: aggregator
  logs_in:
    type: topic
    topics: [${TOPIC.logs}]
    group: aggregator
sinks:
  prometheus:
    type: prometheus_exporter
    inputs: [metrics_in]
  log_files:
    type: file
    inputs: [logs_in]
    path: logs.ndjson
`,
  collector: `# cargoscope collector: one per node.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/collector}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.collector}}
`,
  aggregator: `# cargoscope aggregator: a consumer group member.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/aggregator}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.aggregator}}
sources:
  metrics_in:
    type: topic
    topics: [${TOPIC.metrics}]
    group: aggregator
sinks:
  prometheus:
    type: prometheus_exporter
    inputs: [metrics_in]
`,
  alerting: `# cargoscope alerting: rules and autoscaling over the roll-ups.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/alerting}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.alerting}}
`,
};
