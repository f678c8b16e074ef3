/**
 * The real cargoscope processes of the drill (dist/bin through tests/helpers/processes): one
 * collector, two aggregators in one consumer group, one alerting process — each on its own drill
 * port, on per-run topics and groups of the drill's Kafka. Restarts reuse the config file, so the
 * collector's checkpoints (data_dir next to the config) survive a SIGKILL.
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from '../helpers/eventually';
import { restart, startCargoscope, type CargoscopeProcess } from '../helpers/processes';
import { TEST_LABEL } from '../integration/harness/docker';
import { STATE_DIR } from '../integration/harness/services';
import { ENDPOINTS } from './instances';
import { DRILL_SUITE } from './load';
import { DRILL_PORTS, type DrillPlan, type ProcessKind } from './plan';

export interface RunNames {
  /** Unique per run: the compose project / stack namespace of every drill container. */
  readonly namespace: string;
  readonly topics: { readonly metrics: string; readonly logs: string; readonly rollups: string };
  readonly influxDatabase: string;
  readonly alertName: string;
}

export function runNames(runId: string): RunNames {
  const namespace = `drill${runId}`;
  return {
    namespace,
    topics: { metrics: `cargoscope.${namespace}.metrics.v1`, logs: `cargoscope.${namespace}.logs.v1`, rollups: `cargoscope.${namespace}.rollups.v1` },
    influxDatabase: `drill_${runId}`,
    alertName: 'DrillMemoryHog',
  };
}

const KAFKA = `transport: { type: kafka, kafka: { brokers: ["${ENDPOINTS.kafka}"], topic_partitions: 6 } }`;

function collectorYaml(plan: DrillPlan, n: RunNames): string {
  return `${KAFKA}
data_dir: data
api: { listen: "127.0.0.1:${DRILL_PORTS.collector}" }
sources:
  containers: { type: cgroup, interval_secs: ${plan.intervalSecs}, discovery: { mode: docker } }
  # Only the drill's own containers: on a shared machine, other work's log floods would swamp it.
  container_logs: { type: docker_logs, docker_root: "${path.join(STATE_DIR, 'docker')}", include_labels: ["${TEST_LABEL}=${DRILL_SUITE}"] }
sinks:
  metrics_out: { type: topic, inputs: [containers], topic: "${n.topics.metrics}", key: workload, batch: { timeout_ms: 100 } }
  logs_out: { type: topic, inputs: [container_logs], topic: "${n.topics.logs}", key: container, batch: { timeout_ms: 100 } }
`;
}

function aggregatorYaml(plan: DrillPlan, n: RunNames, port: number): string {
  return `${KAFKA}
data_dir: data
api: { listen: "127.0.0.1:${port}" }
sources:
  metrics_in: { type: topic, topics: ["${n.topics.metrics}"], group: "${n.namespace}-metrics" }
  # InfluxDB in a group of its own, as in the embedded aggregator default (cli/defaults.ts).
  metrics_store_in: { type: topic, topics: ["${n.topics.metrics}"], group: "${n.namespace}-influxdb" }
  logs_in: { type: topic, topics: ["${n.topics.logs}"], group: "${n.namespace}-logs" }
transforms:
  rollup: { type: rollup, inputs: [metrics_in], resolution_secs: ${plan.intervalSecs} }
  rollup_store: { type: rollup, inputs: [metrics_store_in], resolution_secs: ${plan.intervalSecs} }
sinks:
  prometheus: { type: prometheus_exporter, inputs: [rollup] }
  influxdb: { type: influxdb, inputs: [rollup_store], endpoint: "${ENDPOINTS.influxdb}", database: "${n.influxDatabase}", batch: { max_events: 5000, timeout_ms: 500 } }
  elasticsearch:
    type: elasticsearch
    inputs: [logs_in]
    endpoints: ["${ENDPOINTS.elasticsearch}"]
    batch: { max_events: 5000, max_bytes: 10485760, timeout_ms: 200 }
    concurrency: 2
  rollups_out: { type: topic, inputs: [rollup], topic: "${n.topics.rollups}", event_types: [rollups] }
`;
}

/** One rule on the memory hogs' replica sets; its window spans three intervals so one late sample cannot flap it. */
function alertingYaml(plan: DrillPlan, n: RunNames, webhookSecret: string): string {
  return `${KAFKA}
data_dir: data
api: { listen: "127.0.0.1:${DRILL_PORTS.alerting}" }
sources:
  rollups_in: { type: topic, topics: ["${n.topics.rollups}"], group: "${n.namespace}-alerting" }
sinks:
  rules:
    type: alert_rules
    inputs: [rollups_in]
    evaluation_interval_secs: 1
    rules:
      - alert: ${n.alertName}
        metric: memory_working_set_limit_ratio
        level: replicaset
        selector: { namespace: "${n.namespace}", replicaset: "=~.*hog-.*" }
        reducer: max
        window_secs: ${3 * plan.intervalSecs}
        op: ">"
        threshold: 0.5
        clear_threshold: 0.25
        labels: { severity: drill }
    route: { group_by: [alertname, replicaset], group_wait_secs: 1, group_interval_secs: 5, repeat_interval_secs: 3600 }
    receivers:
      - { type: webhook, name: drill, url: "http://127.0.0.1:${DRILL_PORTS.webhook}/alerts", secret: "${webhookSecret}" }
    alertmanagers: [{ url: "${ENDPOINTS.alertmanager}" }]
    resend_delay_secs: 2
`;
}

/** A drill process: the kind, its API port, and every incarnation so far (the last one runs). */
export interface DrillProcess {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly port: number;
  readonly incarnations: CargoscopeProcess[];
}

export function current(p: DrillProcess): CargoscopeProcess {
  const last = p.incarnations[p.incarnations.length - 1];
  if (!last) throw new Error(`${p.name} was never started`);
  return last;
}

export async function waitReady(p: DrillProcess, timeoutMs = 60_000): Promise<void> {
  const proc = current(p);
  await eventually(timeoutMs, async () => {
    if (!proc.running) throw new Error(`${p.name} exited: ${proc.log.slice(-2000)}`);
    const res = await fetch(`http://127.0.0.1:${p.port}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.status === 200 ? true : undefined;
  }, 200).catch((err: Error) => {
    throw new Error(`${p.name} not ready: ${err.message}\n${proc.log.slice(-3000)}`);
  });
}

/**
 * Creates the run's topics before any process starts. Why: when two processes create the same
 * topic at once (the aggregators' rollups_out sink and the alerting's source), the loser's first
 * metadata request can answer UNKNOWN_TOPIC_OR_PARTITION and its start fails (seen in the first
 * drill run; reported, core/transport is not the drill's to change).
 */
export async function createTopics(n: RunNames): Promise<void> {
  const admin = new Kafka({ clientId: 'cargoscope-drill', brokers: [ENDPOINTS.kafka], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(n.topics).map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

/** Told the pid of every cargoscope process the drill starts (run.ts records them in the lock). */
let spawned: (pid: number | undefined) => void = () => undefined;
export function onSpawn(fn: (pid: number | undefined) => void): void {
  spawned = fn;
}

export function startPipeline(plan: DrillPlan, n: RunNames, webhookSecret: string): DrillProcess[] {
  const procs: DrillProcess[] = [
    { name: 'collector', kind: 'collector', port: DRILL_PORTS.collector, incarnations: [startCargoscope('collector', collectorYaml(plan, n))] },
    ...DRILL_PORTS.aggregators.map((port, i) => ({
      name: `aggregator-${i + 1}`, kind: 'aggregator' as const, port, incarnations: [startCargoscope('aggregator', aggregatorYaml(plan, n, port))],
    })),
    { name: 'alerting', kind: 'alerting', port: DRILL_PORTS.alerting, incarnations: [startCargoscope('alerting', alertingYaml(plan, n, webhookSecret))] },
  ];
  for (const p of procs) spawned(current(p).child.pid);
  return procs;
}

/** SIGKILL, then start again on the same config; resolves once the new process is ready, with the ms that took. */
export async function killAndRestart(p: DrillProcess): Promise<number> {
  const old = current(p);
  const began = Date.now();
  await old.stop('SIGKILL');
  p.incarnations.push(restart(old));
  spawned(current(p).child.pid);
  await waitReady(p);
  return Date.now() - began;
}

/**
 * SIGTERM, and SIGKILL whatever has not exited after `graceMs`: a process stuck in its shutdown
 * (a sink flushing to a store the drill stopped) must not keep the drill, or CI, waiting.
 */
export async function stopPipeline(procs: readonly DrillProcess[], graceMs = 20_000): Promise<void> {
  await Promise.all(procs.map(async (p) => {
    const proc = current(p);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => resolve(void proc.stop('SIGKILL')), graceMs);
    });
    await Promise.race([proc.stop('SIGTERM'), late]);
    clearTimeout(timer);
    await proc.exited;
  }));
}
