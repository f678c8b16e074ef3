/**
 * The drill's own Kafka, Elasticsearch, InfluxDB, Prometheus and Alertmanager: the same
 * scripts/services.sh, with another state directory and other loopback ports, so stopping them
 * never disturbs the shared instances other suites use. Docker and Swarm are one per machine and
 * stay shared (the drill only labels and removes its own containers and services).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../integration/harness/services';
import { DRILL_PORTS } from './plan';

const exec = promisify(execFile);

export const DRILL_STATE = process.env['CARGOSCOPE_DRILL_STATE'] ?? '/var/lib/cargoscope/drill';
export type DrillService = 'kafka' | 'elasticsearch' | 'influxdb' | 'prometheus' | 'alertmanager';
export const DRILL_SERVICES: readonly DrillService[] = ['kafka', 'elasticsearch', 'influxdb', 'prometheus', 'alertmanager'];

export const ENDPOINTS = Object.freeze({
  kafka: `127.0.0.1:${DRILL_PORTS.kafka}`,
  elasticsearch: `http://127.0.0.1:${DRILL_PORTS.elasticsearch}`,
  influxdb: `http://127.0.0.1:${DRILL_PORTS.influxdb}`,
  prometheus: `http://127.0.0.1:${DRILL_PORTS.prometheus}`,
  alertmanager: `http://127.0.0.1:${DRILL_PORTS.alertmanager}`,
});

/** The environment that points scripts/services.sh at the drill's instances. */
function drillEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CARGOSCOPE_STATE: DRILL_STATE,
    CARGOSCOPE_KAFKA_PORT: String(DRILL_PORTS.kafka),
    CARGOSCOPE_KAFKA_CONTROLLER_PORT: String(DRILL_PORTS.kafkaController),
    CARGOSCOPE_ES_PORT: String(DRILL_PORTS.elasticsearch),
    CARGOSCOPE_ES_TRANSPORT_PORT: String(DRILL_PORTS.elasticsearchTransport),
    CARGOSCOPE_INFLUXDB_PORT: String(DRILL_PORTS.influxdb),
    CARGOSCOPE_INFLUXDB_RPC_PORT: String(DRILL_PORTS.influxdbRpc),
    CARGOSCOPE_PROMETHEUS_PORT: String(DRILL_PORTS.prometheus),
    CARGOSCOPE_PROMETHEUS_CONFIG: path.join(DRILL_STATE, 'prometheus.yml'),
    CARGOSCOPE_ALERTMANAGER_PORT: String(DRILL_PORTS.alertmanager),
  };
}

async function servicesSh(env: NodeJS.ProcessEnv, verb: 'up' | 'down', names: readonly string[]): Promise<void> {
  const script = path.join(repoRoot(), 'scripts', 'services.sh');
  try {
    await exec('bash', [script, verb, ...names], { env, timeout: 25 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`services.sh ${verb} ${names.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}`);
  }
}

/** Docker, the test image and Swarm: shared, brought up (or reused) like any suite does. */
export function upShared(): Promise<void> {
  return servicesSh(process.env, 'up', ['docker', 'images', 'swarm']);
}

export function upDrill(names: readonly DrillService[]): Promise<void> {
  return servicesSh(drillEnv(), 'up', names);
}

/** Stops one of the drill's own instances (services.sh stops only what its pid files name). */
export function downDrill(name: DrillService): Promise<void> {
  return servicesSh(drillEnv(), 'down', [name]);
}

/** Prometheus of the drill: scrapes the drill's cargoscope processes, alerts to its Alertmanager. */
export function writePrometheusConfig(intervalSecs: number): void {
  mkdirSync(DRILL_STATE, { recursive: true });
  const target = (port: number, component: string): string => `      - targets: ['127.0.0.1:${port}']\n        labels: {component: ${component}}`;
  const targets = [
    ...DRILL_PORTS.aggregators.map((p) => target(p, 'aggregator')),
    target(DRILL_PORTS.collector, 'collector'),
    target(DRILL_PORTS.alerting, 'alerting'),
  ].join('\n');
  writeFileSync(path.join(DRILL_STATE, 'prometheus.yml'), `# Written by tests/drill/instances.ts for the fault drill.
global:
  scrape_interval: ${intervalSecs}s
  evaluation_interval: ${intervalSecs}s
scrape_configs:
  - job_name: cargoscope
    static_configs:
${targets}
`);
}
