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
/**
 * Rules every installation starts with, in the spirit of kube-prometheus' defaults: a container
 * about to be OOM-killed, and one throttled most of the time. Indented for a sink's `rules:` key.
 */
const DEFAULT_RULES = `    rules:
      - alert: ContainerMemoryNearLimit
        metric: memory_working_set_limit_ratio
        level: container
        reducer: max
        window_secs: 120
        op: ">"
        threshold: 0.9
        clear_threshold: 0.8
        for_secs: 120
        labels: { severity: warning }
        annotations:
          summary: "{{ $labels.container }} in {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of its memory limit"
      - alert: ContainerCpuThrottled
        metric: cpu_throttled_ratio
        level: container
        reducer: avg
        window_secs: 300
        op: ">"
        threshold: 0.5
        clear_threshold: 0.25
        for_secs: 300
        labels: { severity: info }
        annotations:
          summary: "{{ $labels.container }} in {{ $labels.namespace }} is throttled in {{ $value | humanizePercentage }} of CPU periods"
`;

/** The collector's half, shared by `collector` and the all-in-one (indented under `sources:`). */
const COLLECTOR_SOURCES = `  # Container metrics straight from cgroups (Docker discovery when its socket answers, else a
  # walk of the cgroup tree).
  containers:
    type: cgroup
    interval_secs: \${CARGOSCOPE_INTERVAL_SECS:-10}
  # Container stdout/stderr from Docker's json-file logs (the API stream for other drivers).
  container_logs:
    type: docker_logs
    docker_root: \${CARGOSCOPE_DOCKER_ROOT:-/var/lib/docker}
`;

/** Where the collector publishes (indented under `sinks:`): Kafka or the in-process bus. */
const COLLECTOR_SINKS = `  metrics_out:
    type: topic
    inputs: [containers]
    topic: ${TOPIC.metrics}
    key: workload
  logs_out:
    type: topic
    inputs: [container_logs]
    topic: ${TOPIC.logs}
    key: container
`;

export const DEFAULT_CONFIG: Record<ProcessMode, string> = {
  run: `# cargoscope all-in-one: collector, aggregator and alerting in one process.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/data}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.allInOne}}
transport:
  type: bus
sources:
${COLLECTOR_SOURCES}  metrics_in:
    type: topic
    topics: [${TOPIC.metrics}]
    group: aggregator
  logs_in:
    type: topic
    topics: [${TOPIC.logs}]
    group: aggregator
  deadletter_in:
    type: topic
    topics: [${TOPIC.deadletter}]
    group: aggregator
transforms:
  rollup:
    type: rollup
    inputs: [metrics_in]
sinks:
${COLLECTOR_SINKS}  prometheus:
    type: prometheus_exporter
    inputs: [rollup]
  rollups_out:
    type: topic
    inputs: [rollup]
    topic: ${TOPIC.rollups}
    event_types: [rollups]
  alerts:
    type: alert_rules
    inputs: [rollup]
    evaluation_interval_secs: 15
${DEFAULT_RULES}  log_files:
    type: file
    inputs: [logs_in]
    path: logs.ndjson
  deadletter_files:
    type: file
    inputs: [deadletter_in]
    path: deadletter.ndjson
`,
  collector: `# cargoscope collector: one per node.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/collector}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.collector}}
transport:
  type: kafka
  kafka:
    brokers: [\${CARGOSCOPE_KAFKA:-127.0.0.1:9092}]
sources:
${COLLECTOR_SOURCES}sinks:
${COLLECTOR_SINKS}`,
  aggregator: `# cargoscope aggregator: a Kafka consumer group member (run as many as you like).
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/aggregator}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.aggregator}}
transport:
  type: kafka
  kafka:
    brokers: [\${CARGOSCOPE_KAFKA:-127.0.0.1:9092}]
sources:
  # The live path (Prometheus, alerting) and InfluxDB read the metrics in consumer groups of
  # their own, so an InfluxDB outage holds back only InfluxDB's offsets, with Kafka as its buffer,
  # instead of stalling alerting behind a full sink (docs/DRILL.md, finding 12).
  metrics_in:
    type: topic
    topics: [${TOPIC.metrics}]
    group: cargoscope-aggregator-metrics
  metrics_store_in:
    type: topic
    topics: [${TOPIC.metrics}]
    group: cargoscope-aggregator-influxdb
  logs_in:
    type: topic
    topics: [${TOPIC.logs}]
    group: cargoscope-aggregator-logs
transforms:
  rollup:
    type: rollup
    inputs: [metrics_in]
  rollup_store:
    type: rollup
    inputs: [metrics_store_in]
sinks:
  prometheus:
    type: prometheus_exporter
    inputs: [rollup]
  influxdb:
    type: influxdb
    inputs: [rollup_store]
    endpoint: \${CARGOSCOPE_INFLUXDB:-http://127.0.0.1:8086}
    batch: { max_events: 5000, timeout_ms: 1000 }
  elasticsearch:
    type: elasticsearch
    inputs: [logs_in]
    endpoints: [\${CARGOSCOPE_ELASTICSEARCH:-http://127.0.0.1:9200}]
    batch: { max_events: 5000, max_bytes: 10485760, timeout_ms: 200 }   # 2000 / 500 ms stalled: tests/bench/es.bench.ts
    concurrency: 2
  rollups_out:
    type: topic
    inputs: [rollup]
    topic: ${TOPIC.rollups}
    event_types: [rollups]
`,
  alerting: `# cargoscope alerting: rules and autoscaling over the roll-ups.
# Autoscaling needs policies: see alerting/examples/ for an \`autoscaler\` sink.
data_dir: \${CARGOSCOPE_DATA_DIR:-.cargoscope/alerting}
api:
  listen: \${CARGOSCOPE_LISTEN:-127.0.0.1:${DEFAULT_PORT.alerting}}
transport:
  type: kafka
  kafka:
    brokers: [\${CARGOSCOPE_KAFKA:-127.0.0.1:9092}]
sources:
  rollups_in:
    type: topic
    topics: [${TOPIC.rollups}]
    group: cargoscope-alerting
sinks:
  alerts:
    type: alert_rules
    inputs: [rollups_in]
    evaluation_interval_secs: 15
${DEFAULT_RULES}`,
};
