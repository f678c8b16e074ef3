/**
 * Aggregator benchmarks (issue 6): roll-up throughput on one core, and /metrics exposition time.
 *   node dist/tests/bench/aggregator.bench.js [--containers 30000] [--runs 5]
 * Prints one JSON object on the last line.
 */
import { parseArgs } from 'node:util';
import { ContainerSeriesState } from '../../aggregator/sinks/prometheus_exporter';
import { RollupTransform, rollupSchema } from '../../aggregator/transforms/rollup';
import { Ack, envelope, type Envelope } from '../../core/event';
import { fleetBatches, median } from './fleet';

const { values } = parseArgs({ options: { containers: { type: 'string', default: '30000' }, runs: { type: 'string', default: '5' }, series: { type: 'string', default: '10000' } } });
const containers = Number(values.containers);
const runs = Number(values.runs);

/** One 10 s window of the whole fleet: every node's scrape, then the window closes. */
function rollupRun(): { seconds: number; closeSeconds: number; samples: number; series: number } {
  const transform = new RollupTransform(rollupSchema.parse({ resolution_secs: 10 }));
  const sink = (_e: Envelope): void => undefined;
  // Warm the rate state with a first window so the measured one computes real rates.
  for (const b of fleetBatches(containers, 100, 1, 5_000)) transform.process(envelope(b, Ack.detached()), sink);
  const measured = fleetBatches(containers, 100, 2, 15_000);
  const closing = fleetBatches(1, 1, 3, 25_000)[0]!;
  let samples = 0;
  let series = 0;
  const started = process.hrtime.bigint();
  for (const b of measured) {
    transform.process(envelope(b, Ack.detached()), sink);
    for (const c of b.containers) samples += c.samples.length;
  }
  // The window closes when the next window's first scrape arrives: that step is the lag.
  const closeStarted = process.hrtime.bigint();
  transform.process(envelope(closing, Ack.detached()), (e) => {
    if (e.event.type === 'rollups') series = e.event.series.length;
  });
  const done = process.hrtime.bigint();
  return { seconds: Number(done - started) / 1e9, closeSeconds: Number(done - closeStarted) / 1e9, samples, series };
}

/** Scrape-time rendering of `target` per-container series (≈25 samples per container). */
function exposition(target: number): { ms: number; series: number; bytes: number } {
  const state = new ContainerSeriesState(60_000);
  for (const b of fleetBatches(Math.ceil(target / 26), 10, 1, Date.now())) state.apply(b);
  const started = process.hrtime.bigint();
  const text = state.render();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, series: text.split('\n').filter((l) => l && !l.startsWith('#')).length, bytes: text.length };
}

const rollups = Array.from({ length: runs }, rollupRun);
const expositions = Array.from({ length: runs }, () => exposition(Number(values.series)));
const samplesPerSecond = rollups.map((r) => r.samples / r.seconds);
const result = {
  benchmark: 'aggregator',
  containers,
  rollup_lag_seconds: { median: median(rollups.map((r) => r.closeSeconds)), min: Math.min(...rollups.map((r) => r.closeSeconds)), max: Math.max(...rollups.map((r) => r.closeSeconds)) },
  rollup_cpu_seconds_per_window: { median: median(rollups.map((r) => r.seconds)), min: Math.min(...rollups.map((r) => r.seconds)), max: Math.max(...rollups.map((r) => r.seconds)) },
  rollup_samples_per_second: { median: median(samplesPerSecond), min: Math.min(...samplesPerSecond), max: Math.max(...samplesPerSecond) },
  rollup_series_per_window: rollups[0]?.series,
  goal_rollup: '30,000 containers at 10 s resolution on one core (CPU per window < 10 s) with < 1 s lag (window close)',
  metrics_scrape_ms: { median: median(expositions.map((e) => e.ms)), min: Math.min(...expositions.map((e) => e.ms)), max: Math.max(...expositions.map((e) => e.ms)) },
  metrics_series: expositions[0]?.series,
  metrics_bytes: expositions[0]?.bytes,
  goal_metrics: '/metrics with 10,000 series rendered in <= 100 ms',
  runs,
};
console.log(JSON.stringify(result));
