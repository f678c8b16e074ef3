import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { autoscalerSchema, AutoscalerSink, runSimulate, type DecisionRecord } from '../../alerting';
import { DockerSwarmActuator, type ScaleState } from '../../alerting/actuators';
import type { AutoscalePolicy } from '../../alerting/autoscale';
import { eventually } from '../helpers/eventually';
import { componentContext, rollupEnvelope } from './alerting-helpers';
import { createBurnService, dockerCli, serviceRollups, specReplicas, SUITE } from './alerting-swarm-helpers';
import { dockerClient, removeLabelled } from './harness/docker';
import { requireServices } from './harness/services';

const INTERVAL_SECS = 5;
const DOWN_WINDOW_SECS = 20;
const DOWN_PERIOD_SECS = 10;
const TARGET = 0.15;

/** Runs `docker service scale` between our read and our write once: a person scaling by hand. */
class InterferingActuator extends DockerSwarmActuator {
  interfered = false;

  constructor(docker: ReturnType<typeof dockerClient>, private readonly name: string) {
    super(docker, name);
  }

  override async write(replicas: number, state: ScaleState): Promise<void> {
    if (!this.interfered) {
      this.interfered = true;
      await dockerCli('service', 'scale', '--detach', `${this.name}=2`);
    }
    await super.write(replicas, state);
  }
}

describe('autoscaler on a real Docker Swarm', function () {
  this.timeout(300_000);
  const docker = dockerClient();
  const service = `cargoscope-it-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'cargoscope-swarm-'));
  const flag = join(dir, 'burn');
  const decisionsFile = join(dir, 'decisions.jsonl');
  const seriesFile = join(dir, 'series.jsonl');
  const policy = {
    name: 'burn', target: { type: 'docker_swarm', service }, workload: `swarm/swarm/${service}`, min_replicas: 1, max_replicas: 3,
    metrics: [{ type: 'cpu', target_utilization: TARGET }],
    behavior: { scale_down: { stabilization_window_secs: DOWN_WINDOW_SECS, policies: [{ type: 'pods', value: 1, period_secs: DOWN_PERIOD_SECS }] } },
  };
  let sink: AutoscalerSink | undefined;
  let actuator: InterferingActuator | undefined;
  let feeding: NodeJS.Timeout | undefined;
  let loadOnAt = 0;
  let loadOffAt = 0;

  const records = (): DecisionRecord[] => readFileSync(decisionsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as DecisionRecord);

  before(async function () {
    await requireServices(this, ['docker', 'images', 'swarm']);
    await removeLabelled(docker, SUITE);
    await createBurnService(docker, service, dir);
    await eventually(60_000, async () => ((await serviceRollups(docker, service, 'n1')).series.length === 1 ? true : undefined), 500);
    const config = autoscalerSchema.parse({
      policies: [policy], interval_secs: INTERVAL_SECS, lookback_secs: 6, decisions_file: decisionsFile, record_series_file: seriesFile,
    });
    sink = new AutoscalerSink(config, (p: AutoscalePolicy) => (actuator = new InterferingActuator(docker, (p.target as { service: string }).service)));
    // The adapter: real `docker stats` of the tasks → pod-level roll-ups, every second.
    const feed = async (): Promise<void> => {
      const batch = await serviceRollups(docker, service, 'n1').catch(() => undefined);
      if (batch && sink) await sink.send([rollupEnvelope(batch)]);
      feeding = setTimeout(() => void feed(), 1000);
    };
    await feed();
    await sink.start(componentContext('autoscaler', 'autoscaler'));
    await eventually(20_000, () => (records().length >= 1 ? true : undefined), 250).catch(() => undefined);
  });

  after(async () => {
    clearTimeout(feeding);
    await sink?.shutdown(Date.now() + 10_000);
    await removeLabelled(docker, SUITE);
    rmSync(dir, { recursive: true, force: true });
  });

  it('scales 1 → max within two intervals of a CPU burn, with a manual scale mid-evaluation retried and re-decided', async () => {
    assert.equal(await specReplicas(docker, service), 1);
    writeFileSync(flag, '');
    loadOnAt = Date.now();
    const up = await eventually(2 * INTERVAL_SECS * 1000 + 8_000, () => records().find((r) => r.atMs >= loadOnAt && r.applied && r.action === 'scale_up'), 250);
    const firstSeen = records().find((r) => r.atMs >= loadOnAt && (r.rawRecommendation ?? 0) > 1);
    console.log(JSON.stringify({ swarm_load_step_to_decision_ms: (firstSeen?.atMs ?? up.atMs) - loadOnAt, swarm_load_step_to_applied_ms: up.atMs - loadOnAt }));
    assert.ok(up.atMs - loadOnAt <= 2 * INTERVAL_SECS * 1000 + 2_000, `scale-out took ${up.atMs - loadOnAt} ms`);
    assert.equal(actuator?.interfered, true);
    assert.ok(up.conflicts >= 1, 'the hand scale made the write conflict');
    assert.equal(up.previousReplicas, 2, 're-decided from the count the person set');
    const m = up.metrics[0];
    const formula = Math.ceil(up.previousReplicas * (m?.value ?? 0) / TARGET);
    if (up.readyReplicas === up.currentReplicas) assert.equal(up.rawRecommendation, formula);
    assert.equal(up.desiredReplicas, Math.min(3, up.rawRecommendation ?? 0));
    await eventually(10_000, async () => ((await specReplicas(docker, service)) === 3 ? true : undefined), 250);
  });

  it('scales down only after the down window, one replica per period, never below min', async () => {
    await eventually(30_000, () => (records().some((r) => r.atMs > loadOnAt && r.currentReplicas === 3 && r.readyReplicas === 3) ? true : undefined), 500);
    unlinkSync(flag);
    loadOffAt = Date.now();
    await eventually(120_000, async () => ((await specReplicas(docker, service)) === 1 ? true : undefined), 1000);
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_SECS * 1000));
    const all = records();
    const downs = all.filter((r) => r.atMs > loadOffAt && r.action === 'scale_down' && r.applied);
    assert.deepEqual(downs.map((d) => `${d.previousReplicas}→${d.newReplicas}`), ['3→2', '2→1']);
    const lastHigh = Math.max(...all.filter((r) => r.atMs < (downs[0]?.atMs ?? 0) && (r.rawRecommendation ?? 0) >= 3).map((r) => r.atMs));
    assert.ok((downs[0]?.atMs ?? 0) - lastHigh >= DOWN_WINDOW_SECS * 1000, 'waited the whole down window after the last high recommendation');
    assert.ok((downs[1]?.atMs ?? 0) - (downs[0]?.atMs ?? 0) >= DOWN_PERIOD_SECS * 1000, 'one replica per period');
    assert.ok(all.every((r) => r.error !== undefined || r.desiredReplicas >= 1));
    assert.equal(await specReplicas(docker, service), 1);
  });

  it('simulate reproduces the live decisions, decision for decision', () => {
    const live = records().filter((r) => r.error === undefined || r.metrics.length > 0);
    const replay = runSimulate(stringify({ policies: [policy] }), readFileSync(seriesFile, 'utf8')).map((l) => JSON.parse(l) as DecisionRecord);
    const pure = (d: DecisionRecord): string => `${d.atMs} ${d.currentReplicas}/${d.readyReplicas} raw=${d.rawRecommendation} stab=${d.stabilizedRecommendation} → ${d.desiredReplicas} ${d.limitedBy}`;
    assert.deepEqual(replay.map(pure), live.map(pure));
  });
});
