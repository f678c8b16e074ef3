/**
 * `npm run drill [-- --short | --soak] [--report FILE]`: the distributed pipeline under load
 * while things break (docs/DRILL.md). Prints a progress line per step, then the report; writes
 * the report as JSON to $CARGOSCOPE_DRILL_STATE/reports/<run>.json (and FILE); exits 1 unless
 * every check passed, 2 when the drill itself could not run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { eventually } from '../helpers/eventually';
import { WebhookSink } from '../integration/alerting-helpers';
import { dockerClient } from '../integration/harness/docker';
import { DRILL_SERVICES, DRILL_STATE, ENDPOINTS, upDrill, upShared, writePrometheusConfig } from './instances';
import { Churn, cleanup, killWriters, lastSequence, startSteadyWriters, waitExited, type Writer } from './load';
import { createTopics, current, onSpawn, runNames, startPipeline, stopPipeline, waitReady, type DrillProcess, type RunNames } from './pipeline';
import { DRILL_PORTS, parseMode, PLANS, type DrillPlan } from './plan';
import { DrillLock } from './lock';
import { judge, phaseAt, summary, type DrillReport } from './report';
import { Sampler } from './sampler';
import { runScenario, type ScenarioResult } from './scenario';
import { soak } from './soak';
import { activeInAlertmanager, checkAlerts } from './verify-alerts';
import { checkLogs, countDocs } from './verify-logs';
import { checkGaps, influxTimes, only, outageMs, prometheusTimes } from './verify-metrics';

const T0 = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[drill +${((Date.now() - T0) / 1000).toFixed(1)}s] ${line}\n`);
};

/**
 * What the drill must undo however it ends: set while the pipeline runs, so a SIGTERM or SIGINT
 * (CI's timeout, a test's after-hook, Ctrl-C) stops the processes and removes the containers
 * before exiting instead of leaving them to the next run.
 */
let teardown: (() => Promise<void>) | undefined;

function onSignals(unlock: () => void): void {
  let signalled = false;
  const handle = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (signalled) process.exit(code); // a second signal: the user does not want to wait
    signalled = true;
    progress(`${signal}: stopping the drill's processes and containers`);
    // Bounded: stopPipeline SIGKILLs after its grace; Docker may hang, so give up after 60 s.
    const giveUp = setTimeout(() => { unlock(); process.exit(code); }, 60_000);
    void (teardown ?? (() => Promise.resolve()))().catch((err: Error) => progress(`cleanup failed: ${err.message}`)).finally(() => {
      clearTimeout(giveUp);
      unlock();
      process.exit(code);
    });
  };
  process.on('SIGTERM', handle).on('SIGINT', handle);
}

async function setUp(plan: DrillPlan): Promise<void> {
  progress('bringing up shared docker/images/swarm and the drill\'s own kafka, elasticsearch, influxdb, prometheus, alertmanager');
  await upShared();
  writePrometheusConfig(plan.intervalSecs);
  await upDrill(DRILL_SERVICES);
  // A Prometheus left running by an earlier drill reads the config just written.
  await fetch(`${ENDPOINTS.prometheus}/-/reload`, { method: 'POST' });
}

/**
 * Waits until Elasticsearch holds `want` documents, the count stopped growing for `quietMs`, or
 * 15 min passed. Never throws: what is still missing then is the logs check's finding, and the
 * report (with everything else measured, e.g. a soak's slopes) must still be written.
 */
async function drain(es: Client, index: string, want: number, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  await eventually(15 * 60_000, async () => {
    const n = await countDocs(es, index).catch(() => last);
    if (n !== last) [last, since] = [n, Date.now()];
    return n >= want || Date.now() - since > quietMs ? true : undefined;
  }, 1000).catch(() => progress(`Elasticsearch still growing after 15 min: ${last} of ${want} lines; checking what is there`));
}

function unexpectedExits(procs: readonly DrillProcess[]): string[] {
  const out: string[] = [];
  for (const p of procs) {
    p.incarnations.slice(0, -1).forEach((inc, i) => {
      if (inc.child.signalCode !== 'SIGKILL') out.push(`${p.name} #${i + 1} ended with ${inc.child.exitCode ?? inc.child.signalCode} before the drill killed it`);
    });
    if (!current(p).running) out.push(`${p.name} exited (${current(p).child.exitCode ?? current(p).child.signalCode}): ${current(p).log.slice(-500)}`);
  }
  return out;
}

interface Run {
  readonly plan: DrillPlan;
  readonly names: RunNames;
  readonly procs: DrillProcess[];
  readonly sampler: Sampler;
  readonly hook: WebhookSink;
  readonly steady: Writer[];
  readonly churn: Churn;
  readonly loadStartMs: number;
}

async function verify(run: Run, scenario: ScenarioResult, faultsEndMs: number, soakCheck: DrillReport['soak']): Promise<DrillReport> {
  const { plan, names } = run;
  const docker = dockerClient();
  progress('stopping the load: churn, then the steady writers');
  await run.churn.stop();
  await killWriters(run.steady);
  await waitExited(docker, names.namespace, 60_000);
  const writers = [...run.steady, ...run.churn.writers];
  const want = new Map<string, number>();
  for (const w of writers) want.set(w.prefix, await lastSequence(docker, w));
  const total = [...want.values()].reduce((a, b) => a + b, 0);
  const es = new Client({ node: ENDPOINTS.elasticsearch });
  const index = `logs-cargoscope-${names.namespace}`;
  progress(`waiting for Elasticsearch to hold all ${total} lines`);
  await drain(es, index, total, 60_000);
  const exits = unexpectedExits(run.procs);
  await run.sampler.stop();
  progress('checking logs, metric gaps, alerts and RSS');
  const logs = await checkLogs(es, index, want);
  await es.close();
  const intervalMs = plan.intervalSecs * 1000;
  // From two intervals after the load started (the first windows fill) to the end of the faults.
  const [fromMs, toMs] = [run.loadStartMs + 2 * intervalMs, faultsEndMs];
  const keep = new Set(run.steady.map((w) => w.prefix.slice(names.namespace.length + 1)));
  const influx = only(await influxTimes(ENDPOINTS.influxdb, names.influxDatabase, names.namespace, fromMs, toMs), keep);
  const prom = only(await prometheusTimes(ENDPOINTS.prometheus, names.namespace, fromMs, toMs), keep);
  const peaks = run.sampler.peaks();
  const base = {
    mode: plan.mode, runId: names.namespace, plan, startedAt: new Date(T0).toISOString(), durationSecs: (Date.now() - T0) / 1000,
    load: { steady: run.steady.length, churn: run.churn.writers.length, churnErrors: run.churn.errors },
    faults: scenario.faults.map((f) => ({ ...f, outageSecs: outageMs(f) / 1000 })),
    logs, discarded: run.sampler.discardsByReason(),
    metrics: {
      intervalSecs: plan.intervalSecs,
      influxdb: checkGaps('influxdb', influx, scenario.faults, intervalMs, fromMs, toMs),
      prometheus: checkGaps('prometheus', prom, scenario.faults, intervalMs, fromMs, toMs),
    },
    alerts: checkAlerts(run.hook.received, names.alertName, scenario.episodes),
    alertmanagerActiveAtEnd: await activeInAlertmanager(ENDPOINTS.alertmanager, names.alertName, names.namespace),
    rss: run.procs.map((p) => {
      const peak = peaks[p.name];
      const at = peak ? { peakAtSecs: (peak.atMs - T0) / 1000, peakDuring: phaseAt(scenario.faults, peak.atMs) } : {};
      return { name: p.name, peakMiB: peak?.mib ?? 0, boundMiB: plan.rssBoundMiB[p.kind], ...at };
    }),
    unexpectedExits: exits,
    ...(soakCheck ? { soak: soakCheck } : {}),
  };
  const failures = judge(base);
  return { ...base, failures, pass: failures.length === 0 };
}

/** The last 20 kB of every incarnation's stderr, next to the report, for the post-mortem. */
function saveLogs(runId: string, procs: readonly DrillProcess[]): void {
  const dir = path.join(DRILL_STATE, 'reports', runId);
  mkdirSync(dir, { recursive: true });
  for (const p of procs) p.incarnations.forEach((inc, i) => writeFileSync(path.join(dir, `${p.name}.${i + 1}.log`), inc.log));
}

async function drill(plan: DrillPlan): Promise<DrillReport> {
  await setUp(plan);
  const docker = dockerClient();
  await cleanup(docker); // leftovers of a crashed drill
  const names = runNames(randomBytes(3).toString('hex'));
  const secret = randomBytes(16).toString('hex');
  const hook = new WebhookSink(secret);
  await hook.listen(DRILL_PORTS.webhook);
  await createTopics(names);
  const procs = startPipeline(plan, names, secret);
  const sampler = new Sampler(procs);
  const churn = new Churn(plan, names.namespace);
  const undo = async (): Promise<void> => {
    teardown = undefined;
    await churn.stop();
    await stopPipeline(procs);
    await hook.close();
    await cleanup(docker);
  };
  teardown = undo;
  try {
    progress(`run ${names.namespace}: starting collector, 2 aggregators, alerting`);
    await Promise.all(procs.map((p) => waitReady(p)));
    sampler.start();
    progress(`starting ${plan.steadyContainers} steady writers and the churn`);
    const steady = await startSteadyWriters(plan, names.namespace);
    churn.start();
    const run: Run = { plan, names, procs, sampler, hook, steady, churn, loadStartMs: Date.now() };
    let scenario: ScenarioResult = { faults: [], episodes: [] };
    let soakCheck: DrillReport['soak'];
    if (plan.mode === 'soak') {
      soakCheck = await soak(plan, names, () => sampler.rss, progress);
      // Printed now, before the drain: the slopes must survive a verify that cannot finish.
      progress(`soak slopes: rss MiB/h ${JSON.stringify(soakCheck.rssSlopeMiBPerHour)}, lag /h ${JSON.stringify(soakCheck.lagSlopePerHour)}, peaks MiB ${JSON.stringify(sampler.peakMiBs())}`);
    }
    else scenario = await runScenario({ plan, procs, docker, hook, namespace: names.namespace, alertName: names.alertName, progress });
    const report = await verify(run, scenario, Date.now(), soakCheck);
    saveLogs(names.namespace, procs);
    if (!report.pass) for (const p of procs) progress(`--- ${p.name} log tail\n${current(p).log.slice(-4000)}`);
    return report;
  } finally {
    if (teardown === undo) await undo();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { short: { type: 'boolean' }, soak: { type: 'boolean' }, report: { type: 'string' } } });
  const plan = PLANS[parseMode(process.argv)];
  const { lock, ended } = DrillLock.acquire(DRILL_STATE);
  const unlock = (): void => lock.release();
  onSignals(unlock);
  onSpawn((pid) => lock.track(pid));
  if (ended.length > 0) progress(`a killed drill left ${ended.length} processes running: SIGKILLed pids ${ended.map((p) => p.pid).join(', ')}`);
  try {
    const report = await drill(plan);
    const json = JSON.stringify(report, null, 2);
    mkdirSync(path.join(DRILL_STATE, 'reports'), { recursive: true });
    const file = path.join(DRILL_STATE, 'reports', `${report.runId}.json`);
    writeFileSync(file, json);
    if (values.report) writeFileSync(values.report, json);
    process.stdout.write(`${summary(report)}\n  report: ${file}${values.report ? ` and ${values.report}` : ''}\n`);
    return report.pass ? 0 : 1;
  } finally {
    unlock();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`drill could not run: ${err.stack ?? err.message}\n`);
  process.exit(2);
});
