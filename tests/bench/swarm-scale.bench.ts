/**
 * Load step → scale-out on a real Docker Swarm (issue 7): one replicated service of the test
 * image, the real `autoscaler` component with its real Swarm actuator (5 s interval, CPU policy),
 * fed pod-level roll-ups from `docker stats` every second by the integration test's adapter.
 * Each run starts a fresh autoscaler on an idle 1-replica service, switches the CPU burn on at a
 * different phase of the evaluation cycle (spread evenly over the interval, so the median is not
 * luck of phase), and measures from the step to: the scale-out decision (its record's time), the
 * service spec showing the new count, and the new replicas running.
 *   node dist/tests/bench/swarm-scale.bench.js [--runs 5] [--interval-secs 5]
 * Needs `bash scripts/services.sh up docker images swarm`. Prints one JSON object on its last line.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type Dockerode from 'dockerode';
import { autoscalerSchema, AutoscalerSink, type DecisionRecord } from '../../alerting';
import { eventually } from '../helpers/eventually';
import { componentContext, rollupEnvelope } from '../integration/alerting-helpers';
import { createBurnService, dockerCli, serviceRollups, specReplicas } from '../integration/alerting-swarm-helpers';
import { dockerClient, removeLabelled } from '../integration/harness/docker';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'interval-secs': { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const INTERVAL_SECS = Number(values['interval-secs']);
const SUITE = 'bench-swarm-scale';
const TARGET = 0.15;
const MAX_REPLICAS = 3;
const log = (s: string): void => void process.stderr.write(`swarm-scale: ${s}\n`);

interface RunFigures {
  readonly phaseSecs: number;
  readonly decisionSecs: number;
  readonly specSecs: number;
  readonly runningSecs: number;
  readonly desiredReplicas: number;
  readonly metricValue: number | undefined;
  readonly applied: boolean;
}

async function runningTasks(docker: Dockerode, service: string): Promise<number> {
  const filters = JSON.stringify({ label: [`com.docker.swarm.service.name=${service}`], status: ['running'] });
  return (await docker.listContainers({ filters })).length;
}

/** Back to one idle replica, with the idle state visible in the roll-ups. */
async function settle(docker: Dockerode, service: string, flag: string): Promise<void> {
  if (existsSync(flag)) unlinkSync(flag);
  await dockerCli('service', 'scale', '--detach', `${service}=1`);
  await eventually(90_000, async () => ((await runningTasks(docker, service)) === 1 ? true : undefined), 500);
  await eventually(60_000, async () => {
    const b = await serviceRollups(docker, service, 'bench');
    return b.series.length === 1 && b.series.every((s) => s.value < TARGET / 2) ? true : undefined;
  }, 500);
}

function records(file: string): DecisionRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as DecisionRecord);
}

async function oneRun(docker: Dockerode, service: string, dir: string, run: number): Promise<RunFigures> {
  const flag = join(dir, 'burn');
  await settle(docker, service, flag);
  const decisions = join(dir, `decisions-${run}.jsonl`);
  const policy = { name: 'burn', target: { type: 'docker_swarm', service }, workload: `swarm/swarm/${service}`, min_replicas: 1, max_replicas: MAX_REPLICAS, metrics: [{ type: 'cpu', target_utilization: TARGET }] };
  const sink = new AutoscalerSink(autoscalerSchema.parse({ policies: [policy], interval_secs: INTERVAL_SECS, lookback_secs: 6, decisions_file: decisions }));
  let feeding: NodeJS.Timeout | undefined;
  let stopped = false;
  const feed = async (): Promise<void> => {
    const batch = await serviceRollups(docker, service, 'bench').catch(() => undefined);
    if (batch) await sink.send([rollupEnvelope(batch)]);
    if (!stopped) feeding = setTimeout(() => void feed(), 1000);
  };
  try {
    await feed();
    await sink.start(componentContext('autoscaler', 'autoscaler'));
    const first = await eventually(4 * INTERVAL_SECS * 1000, () => records(decisions)[0], 100);
    if (first.action !== 'none') throw new Error(`the idle service was already being scaled: ${first.action}`);
    // Steps spread evenly over the evaluation cycle: (run + ½) / runs of an interval after one.
    const phaseMs = ((run + 0.5) / RUNS) * INTERVAL_SECS * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, first.atMs + phaseMs - Date.now())));
    writeFileSync(flag, '');
    const stepAt = Date.now();
    const deadline = 2 * INTERVAL_SECS * 1000 + 20_000;
    const specAt = eventually(deadline, async () => ((await specReplicas(docker, service)) > 1 ? Date.now() : undefined), 100);
    const runningAt = eventually(deadline, async () => ((await runningTasks(docker, service)) > 1 ? Date.now() : undefined), 100);
    const up = await eventually(deadline, () => records(decisions).find((r) => r.atMs >= stepAt && r.action === 'scale_up'), 100);
    const [spec, running] = await Promise.all([specAt, runningAt]);
    return {
      phaseSecs: (stepAt - first.atMs) / 1000, decisionSecs: (up.atMs - stepAt) / 1000, specSecs: (spec - stepAt) / 1000, runningSecs: (running - stepAt) / 1000,
      desiredReplicas: up.desiredReplicas, metricValue: up.metrics[0]?.value, applied: up.applied,
    };
  } finally {
    stopped = true;
    clearTimeout(feeding);
    await sink.shutdown(Date.now() + 10_000);
  }
}

async function main(): Promise<void> {
  const docker = dockerClient();
  const service = `cargoscope-bench-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'cargoscope-bench-swarm-'));
  const runs: RunFigures[] = [];
  try {
    await removeLabelled(docker, SUITE); // leftovers of an interrupted run
    await createBurnService(docker, service, dir, SUITE);
    for (let i = 0; i < RUNS; i += 1) {
      runs.push(await oneRun(docker, service, dir, i));
      log(`run ${i + 1}/${RUNS}: ${JSON.stringify(runs.at(-1))}`);
    }
  } finally {
    await removeLabelled(docker, SUITE);
    rmSync(dir, { recursive: true, force: true });
  }
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  console.log(JSON.stringify({
    benchmark: 'swarm-scale', runs: RUNS, interval_secs: INTERVAL_SECS, target_utilization: TARGET, max_replicas: MAX_REPLICAS,
    step_phase_s: runs.map((r) => r3(r.phaseSecs)),
    step_to_decision_s: runs.map((r) => r3(r.decisionSecs)),
    step_to_spec_s: runs.map((r) => r3(r.specSecs)),
    step_to_running_s: runs.map((r) => r3(r.runningSecs)),
    desired_replicas: runs.map((r) => r.desiredReplicas),
    metric_at_decision: runs.map((r) => (r.metricValue === undefined ? null : r3(r.metricValue))),
    applied: runs.map((r) => r.applied),
  }));
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
