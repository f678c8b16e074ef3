import assert from 'node:assert/strict';
import { ScaleConflictError, type Actuator, type ScaleState } from '../../../alerting/actuators';
import { PolicyController, type DecisionRecord } from '../../../alerting/autoscale/controller';
import { SeriesStore } from '../../../alerting/engine';
import { simulate, type SeriesLine } from '../../../alerting/simulate';
import type { RollupKey } from '../../../core/event';
import { cpuPolicy } from './autoscale-helpers';

/** An orchestrator in memory: writes must carry the current version; `beforeWrite` can interfere. */
class FakeActuator implements Actuator {
  readonly kind = 'docker_swarm';
  replicas = 1;
  version = 1;
  writes: number[] = [];
  beforeWrite: (() => void) | undefined;
  failWith: Error | undefined;

  read(): Promise<ScaleState> {
    const pods = new Set(Array.from({ length: this.replicas }, (_, i) => `web.${i + 1}`));
    return Promise.resolve({ replicas: this.replicas, readyReplicas: this.replicas, version: String(this.version), readyPods: pods });
  }

  write(replicas: number, state: ScaleState): Promise<void> {
    this.beforeWrite?.();
    this.beforeWrite = undefined;
    if (this.failWith) return Promise.reject(this.failWith);
    if (state.version !== String(this.version)) return Promise.reject(new ScaleConflictError('update out of sequence'));
    this.replicas = replicas;
    this.version += 1;
    this.writes.push(replicas);
    return Promise.resolve();
  }
}

const T = 10_000_000;
const WORKLOAD = 'swarm/swarm/web';

function feed(store: SeriesStore, atMs: number, pods: number, cpu: number): void {
  const key = (i: number): RollupKey => ({ level: 'pod', namespace: 'swarm', workload: WORKLOAD, replicaset: 'web', pod: `web.${i + 1}`, node: 'n1' });
  store.ingest({ type: 'rollups', version: 1, source: 't', atMs, resolutionMs: 5000, series: Array.from({ length: pods }, (_, i) => ({ key: key(i), metric: 'cpu_usage_limit_ratio', value: cpu })) });
}

function setup(overrides: Record<string, unknown> = {}, dryRun = false): { act: FakeActuator; store: SeriesStore; ctl: PolicyController; records: DecisionRecord[]; lines: SeriesLine[] } {
  const act = new FakeActuator();
  const store = new SeriesStore(120_000);
  const records: DecisionRecord[] = [];
  const lines: SeriesLine[] = [];
  const ctl = new PolicyController(cpuPolicy({ max_replicas: 6, ...overrides }), act, store, {
    lookbackMs: 30_000, dryRun, maxConflictRetries: 3, onRecord: (r, l) => { records.push(r); lines.push(...l); },
  });
  return { act, store, ctl, records, lines };
}

const signal = new AbortController().signal;

describe('autoscale PolicyController', () => {
  it('reads, decides and writes with the version read', async () => {
    const { act, store, ctl } = setup();
    feed(store, T, 1, 1.0);
    const r = await ctl.evaluate(T, signal);
    assert.equal(r.desiredReplicas, 2);
    assert.equal(r.applied, true);
    assert.deepEqual(act.writes, [2]);
  });

  it('on a version conflict re-reads and re-decides from the new count', async () => {
    const { act, store, ctl } = setup();
    feed(store, T, 4, 1.0);
    act.replicas = 1;
    act.beforeWrite = () => { act.replicas = 4; act.version += 1; }; // `docker service scale web=4` meanwhile
    const r = await ctl.evaluate(T, signal);
    assert.equal(r.conflicts, 1);
    assert.equal(r.previousReplicas, 4);
    assert.equal(r.desiredReplicas, 6); // from 4 at ratio 2: ceil(8) capped by max 6
    assert.deepEqual(act.writes, [6]);
  });

  it('gives up after max_conflict_retries and says so', async () => {
    const { act, store, ctl } = setup();
    feed(store, T, 1, 1.0);
    act.failWith = new ScaleConflictError('update out of sequence');
    const r = await ctl.evaluate(T, signal);
    assert.equal(r.applied, false);
    assert.equal(r.conflicts, 4);
    assert.match(r.error ?? '', /out of sequence/);
  });

  it('never writes in dry-run, but records the decision', async () => {
    const { act, store, ctl, records } = setup({}, true);
    feed(store, T, 1, 1.0);
    const r = await ctl.evaluate(T, signal);
    assert.equal(r.desiredReplicas, 2);
    assert.equal(r.dryRun, true);
    assert.equal(r.applied, false);
    assert.deepEqual(act.writes, []);
    assert.equal(records.length, 1);
  });

  it('ignores samples of replicas that are not ready, and treats stale ones as missing', async () => {
    const { store, ctl } = setup();
    feed(store, T - 60_000, 1, 0.01); // older than the lookback
    const r = await ctl.evaluate(T, signal);
    assert.equal(r.limitedBy, 'missing_metrics');
    assert.equal(r.desiredReplicas, 1);
  });

  it('records inputs that simulate replays into the same decisions', async () => {
    const { act, store, ctl, records, lines } = setup({ behavior: { scale_down: { stabilization_window_secs: 30, policies: [{ type: 'pods', value: 1, period_secs: 15 }] } } });
    const load = [1.0, 1.0, 0.9, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    for (const [i, cpu] of load.entries()) {
      const at = T + i * 5000;
      feed(store, at, act.replicas, cpu);
      if (i === 6) act.beforeWrite = () => { act.replicas = 5; act.version += 1; };
      await ctl.evaluate(at, signal);
    }
    const replay = simulate([cpuPolicy({ max_replicas: 6, behavior: { scale_down: { stabilization_window_secs: 30, policies: [{ type: 'pods', value: 1, period_secs: 15 }] } } })], lines);
    const pure = (d: { atMs: number; currentReplicas: number; desiredReplicas: number; rawRecommendation: number | null; limitedBy: string | null }): string =>
      `${d.atMs} ${d.currentReplicas}→${d.desiredReplicas} raw=${d.rawRecommendation} ${d.limitedBy}`;
    assert.deepEqual(replay.map(pure), records.map(pure));
    assert.ok(records.some((r) => r.conflicts > 0));
    assert.ok(records.some((r) => r.action === 'scale_down'));
  });
});
