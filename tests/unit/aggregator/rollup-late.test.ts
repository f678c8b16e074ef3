/**
 * Late samples in the roll-up (finding 10 of docs/DRILL.md): one workload's partition delivers
 * windows another workload's partition has already closed — a Kafka outage's backlog, or a member
 * that just took a partition over. The windows they change are emitted again, corrected.
 */
import assert from 'node:assert/strict';
import { RateTracker, RollupTransform, rollupSchema } from '../../../aggregator/transforms/rollup';
import { Ack, envelope, type Envelope, type MetricBatch, type RollupBatch } from '../../../core/event';
import { container } from './fixtures';

/** cpu_usage_cores of one replica set in a roll-up batch. */
function rsCpu(b: RollupBatch, replicaSet: string): number | undefined {
  return b.series.find((s) => s.key.level === 'replicaset' && s.key.replicaset === replicaSet && s.metric === 'cpu_usage_cores')?.value;
}

/** One workload's scrape: its container `<rs>-c` has used `cpuSeconds` in all. */
function scrapeAt(replicaSet: string, atMs: number, cpuSeconds: number): MetricBatch {
  const c = container({ id: `${replicaSet}-c`, replicaSet }, { cpu: cpuSeconds });
  return { type: 'metrics', version: 1, node: 'node-a', source: 'cgroup', scrapedAtMs: atMs, containers: [c] };
}

/** A scrape of a workload that has used `cores` CPUs steadily since t=0. */
const scrape = (replicaSet: string, atMs: number, cores: number): MetricBatch => scrapeAt(replicaSet, atMs, (cores * atMs) / 1000);

class Harness {
  readonly emitted: RollupBatch[] = [];
  constructor(readonly t = new RollupTransform(rollupSchema.parse({ resolution_secs: 10 }))) {}

  feed(batch: MetricBatch): RollupBatch[] {
    const out: Envelope[] = [];
    this.t.process(envelope(batch, Ack.detached()), (e) => out.push(e));
    const rollups = out.flatMap((e) => (e.event.type === 'rollups' ? [e.event] : []));
    this.emitted.push(...rollups);
    return rollups;
  }

  /** The last version of each window emitted, by window end. */
  final(): Map<number, RollupBatch> {
    return new Map(this.emitted.map((b) => [b.atMs, b]));
  }
}

describe('RollupTransform with late samples', () => {
  it('emits again, corrected, the windows a lagging workload delivers after another closed them', () => {
    const h = new Harness();
    // The slow workload uses 2 cores, then 4 from 15 s on: its counter reads 10, 30, 70, 110, 150.
    const slow = new Map([[5_000, 10], [15_000, 30], [25_000, 70], [35_000, 110], [45_000, 150]]);
    for (const at of [5_000, 15_000]) {
      h.feed(scrape('fast', at, 1));
      h.feed(scrapeAt('slow', at, slow.get(at)!));
    }
    // The fast workload's backlog closes 20 s, 30 s and 40 s with the slow one's value of 15 s.
    for (const at of [25_000, 35_000, 45_000]) h.feed(scrape('fast', at, 1));
    assert.deepEqual(h.emitted.map((b) => b.atMs), [10_000, 20_000, 30_000, 40_000]);
    // The slow workload's backlog: late, so nothing is emitted yet.
    for (const at of [25_000, 35_000, 45_000]) assert.deepEqual(h.feed(scrapeAt('slow', at, slow.get(at)!)), []);
    const next = h.feed(scrape('fast', 55_000, 1));
    assert.deepEqual(next.map((b) => b.atMs), [30_000, 40_000, 50_000], 'corrections first, then the window that closed');
    const final = h.final();
    assert.equal(rsCpu(h.emitted[2]!, 'slow'), 2, 'first emitted with the value carried from 15 s');
    assert.equal(rsCpu(final.get(30_000)!, 'slow'), 4);
    assert.equal(rsCpu(final.get(40_000)!, 'slow'), 4);
    assert.equal(rsCpu(final.get(50_000)!, 'slow'), 4);
    assert.equal(rsCpu(final.get(40_000)!, 'fast'), 1, 'the fast workload is unchanged by the correction');
  });

  it('gives a workload first seen late (a partition taken over) its windows', () => {
    const h = new Harness();
    for (const at of [5_000, 15_000, 25_000, 35_000]) h.feed(scrape('owned', at, 1));
    for (const at of [5_000, 15_000, 25_000]) h.feed(scrape('taken', at, 3));
    h.feed(scrape('owned', 45_000, 1));
    const final = h.final();
    assert.equal(rsCpu(final.get(10_000)!, 'taken'), undefined, 'one reading: no rate yet');
    assert.equal(rsCpu(final.get(20_000)!, 'taken'), 3);
    assert.equal(rsCpu(final.get(30_000)!, 'taken'), 3);
  });

  it('lets a sample older than the allowed lateness miss the roll-ups instead of rewriting history', () => {
    const h = new Harness(new RollupTransform(rollupSchema.parse({ resolution_secs: 10, allowed_lateness_secs: 20 })));
    for (let at = 5_000; at <= 95_000; at += 10_000) h.feed(scrape('live', at, 1));
    h.feed(scrape('old', 5_000, 1));
    h.feed(scrape('old', 15_000, 1));
    const emitted = h.feed(scrape('live', 105_000, 1));
    assert.deepEqual(emitted.map((b) => b.atMs), [100_000], 'no window older than the lateness is emitted again');
  });

  it('keeps the rate of a window when its sample is delivered twice (a replay from a committed offset)', () => {
    const h = new Harness();
    for (const at of [5_000, 15_000, 25_000]) h.feed(scrape('a', at, 2));
    h.feed(scrape('a', 15_000, 2));
    h.feed(scrape('a', 25_000, 2));
    h.feed(scrape('a', 35_000, 2));
    const final = h.final();
    assert.equal(rsCpu(final.get(20_000)!, 'a'), 2);
    assert.equal(rsCpu(final.get(30_000)!, 'a'), 2);
  });

  it('does not let an older reading become the baseline of the next rate', () => {
    const rates = new RateTracker();
    rates.derive(container({ id: 'a' }, { cpu: 0 }), 0);
    rates.derive(container({ id: 'a' }, { cpu: 20 }), 10_000);
    rates.derive(container({ id: 'a' }, { cpu: 0 }), 0);
    assert.equal(rates.derive(container({ id: 'a' }, { cpu: 40 }), 20_000).cpuCores, 2);
  });
});
