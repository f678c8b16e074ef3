/**
 * The drill's modes as data: how much load, how long each outage, which bounds the report is
 * judged against. Every figure here is printed in the report, so a run says what it was asked to do.
 */

export type DrillMode = 'short' | 'long' | 'soak';

export interface DrillPlan {
  readonly mode: DrillMode;
  /** Containers that log numbered lines for the whole drill, each its own workload (compose service). */
  readonly steadyContainers: number;
  readonly steadyLinesPerSec: number;
  /** One short-lived container is started this often; it writes `churnLines` and exits. */
  readonly churnEveryMs: number;
  readonly churnLines: number;
  /** Docker json-file rotation of every drill container (`--log-opt max-size/max-file`). */
  readonly logMaxSize: string;
  readonly logMaxFile: number;
  /** How long Kafka, Elasticsearch and InfluxDB are each stopped. */
  readonly outageSecs: number;
  /** Quiet time before each fault, so the previous one's recovery is seen on its own. */
  readonly settleSecs: number;
  /** Collector scrape interval = roll-up resolution = Prometheus scrape interval. */
  readonly intervalSecs: number;
  /** VmRSS bound per process kind (MiB): the drill fails when any sample or VmHWM exceeds it. */
  readonly rssBoundMiB: Readonly<Record<ProcessKind, number>>;
  /** Soak only: how long, the warm-up left out of the slope, and the slope bound. */
  readonly soakSecs: number;
  readonly soakWarmupSecs: number;
  readonly soakMaxRssSlopeMiBPerHour: number;
}

export type ProcessKind = 'collector' | 'aggregator' | 'alerting';

/**
 * Why these rates: the short mode's 40 lines/s × ~95 bytes of json-file per line fill a 16 KiB
 * file every ~4 s, so each writer rotates several times per fault. 10 files keep ~40 s of a writer's output on disk: longer than
 * the collector is down when SIGKILLed (its restart inspects every container on the node, ~23 s
 * with 300 other containers on this machine), which is what `docker_logs` needs to never lose a
 * file (its README: only rotations faster than it can open a file lose one). The long mode's 100 writers at 10 lines/s rotate a
 * file every ~20 s each (5 rotations/s over all) and keep ~200 s on disk.
 */
const BASE = {
  churnEveryMs: 1000,
  churnLines: 20,
  logMaxSize: '16k',
  logMaxFile: 10,
  rssBoundMiB: { collector: 350, aggregator: 450, alerting: 250 },
  soakSecs: 30 * 60,
  soakWarmupSecs: 5 * 60,
  soakMaxRssSlopeMiBPerHour: 20,
} as const;

export const PLANS: Readonly<Record<DrillMode, DrillPlan>> = Object.freeze({
  short: { ...BASE, mode: 'short', steadyContainers: 5, steadyLinesPerSec: 40, outageSecs: 15, settleSecs: 5, intervalSecs: 5 },
  long: { ...BASE, mode: 'long', steadyContainers: 100, steadyLinesPerSec: 10, outageSecs: 60, settleSecs: 20, intervalSecs: 5, logMaxSize: '20k' },
  // The soak runs the short drill's load without faults for 30 minutes (faults would make RSS
  // steps that hide a leak's slope).
  soak: { ...BASE, mode: 'soak', steadyContainers: 20, steadyLinesPerSec: 20, outageSecs: 0, settleSecs: 0, intervalSecs: 5 },
});

/** Ports of the drill's own instances: none of them is a shared default (docs/DRILL.md). */
export const DRILL_PORTS = Object.freeze({
  kafka: 19092,
  kafkaController: 29193,
  elasticsearch: 19200,
  elasticsearchTransport: 19300,
  influxdb: 18086,
  influxdbRpc: 18188,
  prometheus: 19090,
  alertmanager: 19093,
  collector: 19782,
  aggregators: [19781, 19784] as const,
  alerting: 19783,
  webhook: 19785,
});

export function parseMode(argv: readonly string[]): DrillMode {
  if (argv.includes('--soak')) return 'soak';
  if (argv.includes('--short')) return 'short';
  return 'long';
}
