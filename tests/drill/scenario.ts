/**
 * The faults, in turn: SIGKILL (and restart) of the collector, an aggregator and the alerting
 * process; Kafka, Elasticsearch and InfluxDB each stopped for the plan's outage. Two memory-hog
 * alert episodes run during the Elasticsearch and InfluxDB outages, so alerting is shown to work
 * while a store is away (and not while its own input, Kafka, is: a rule without data resolves).
 */
import type Dockerode from 'dockerode';
import { eventually } from '../helpers/eventually';
import type { WebhookSink } from '../integration/alerting-helpers';
import { downDrill, upDrill, type DrillService } from './instances';
import path from 'node:path';
import { DRILL_STATE } from './instances';
import { startHog, stopHog } from './load';
import { killAndRestart, type DrillProcess } from './pipeline';
import type { DrillPlan } from './plan';
import type { AlertEpisode } from './verify-alerts';
import type { Fault } from './verify-metrics';

const ALERT_TIMEOUT_MS = 90_000;

export interface ScenarioContext {
  readonly plan: DrillPlan;
  readonly procs: readonly DrillProcess[];
  readonly docker: Dockerode;
  readonly hook: WebhookSink;
  readonly namespace: string;
  readonly alertName: string;
  readonly progress: (line: string) => void;
}

export interface ScenarioResult {
  readonly faults: Fault[];
  readonly episodes: AlertEpisode[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function proc(ctx: ScenarioContext, name: string): DrillProcess {
  const p = ctx.procs.find((x) => x.name === name);
  if (!p) throw new Error(`no drill process ${name}`);
  return p;
}

async function kill(ctx: ScenarioContext, name: string, graceMs: number): Promise<Fault> {
  ctx.progress(`SIGKILL ${name} and restart`);
  const startMs = Date.now();
  const ms = await killAndRestart(proc(ctx, name));
  ctx.progress(`${name} ready again after ${(ms / 1000).toFixed(1)} s`);
  return { kind: 'kill', target: name, startMs, endMs: Date.now(), graceMs };
}

/** The outage's length is the drill's input, not a synchronisation: the service stays down for it. */
async function outage(ctx: ScenarioContext, name: DrillService): Promise<Fault> {
  ctx.progress(`stop ${name} for ${ctx.plan.outageSecs} s`);
  const startMs = Date.now();
  await downDrill(name);
  await sleep(Math.max(0, startMs + ctx.plan.outageSecs * 1000 - Date.now()));
  await upDrill([name]);
  ctx.progress(`${name} back after ${((Date.now() - startMs) / 1000).toFixed(1)} s`);
  return { kind: 'stop', target: name, startMs, endMs: Date.now(), graceMs: 0 };
}

function notified(ctx: ScenarioContext, replicaset: string, status: 'firing' | 'resolved'): boolean {
  return ctx.hook.received.some((r) => r.payload.alerts.some((a) => a.status === status && a.labels['alertname'] === ctx.alertName && a.labels['replicaset'] === replicaset));
}

/** Holds memory until the alert fired (at least the plan's outage), then lets go and waits for the resolution. */
async function episode(ctx: ScenarioContext, name: string): Promise<AlertEpisode> {
  const ctlDir = path.join(DRILL_STATE, 'ctl', `${ctx.namespace}-${name}`);
  const startMs = Date.now();
  const replicaset = await startHog(ctx.docker, ctx.namespace, name, ctlDir);
  ctx.progress(`memory hog ${replicaset} started`);
  await eventually(ALERT_TIMEOUT_MS, () => (notified(ctx, replicaset, 'firing') ? true : undefined), 250)
    .catch(() => ctx.progress(`no firing notification for ${replicaset} within ${ALERT_TIMEOUT_MS / 1000} s`));
  await sleep(Math.max(0, startMs + ctx.plan.outageSecs * 1000 - Date.now()));
  stopHog(ctlDir);
  const stopMs = Date.now();
  ctx.progress(`memory hog ${replicaset} stopped`);
  await eventually(ALERT_TIMEOUT_MS, () => (notified(ctx, replicaset, 'resolved') ? true : undefined), 250)
    .catch(() => ctx.progress(`no resolved notification for ${replicaset} within ${ALERT_TIMEOUT_MS / 1000} s`));
  return { replicaset, startMs, stopMs };
}

export async function runScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const faults: Fault[] = [];
  const episodes: AlertEpisode[] = [];
  const settle = (): Promise<void> => sleep(ctx.plan.settleSecs * 1000);
  await settle();
  faults.push(await kill(ctx, 'collector', 0));
  await settle();
  // A restarted consumer is ready only once it joined the group, which waits for the coordinator
  // to expire the killed member's session (kafkajs: 30 s): that wait is inside kill → ready.
  faults.push(await kill(ctx, 'aggregator-1', 0));
  await settle();
  faults.push(await kill(ctx, 'alerting', 0));
  await settle();
  faults.push(await outage(ctx, 'kafka'));
  await settle();
  for (const [service, hog] of [['elasticsearch', 'hog-a'], ['influxdb', 'hog-b']] as const) {
    const [fault, ep] = await Promise.all([outage(ctx, service), episode(ctx, hog)]);
    faults.push(fault);
    episodes.push(ep);
    await settle();
  }
  return { faults, episodes };
}
