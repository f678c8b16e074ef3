/**
 * A micro-harness for the cgroup source's per-scrape cost over whatever containers are running:
 *   node [--cpu-prof] dist/tests/bench/collector-metrics-profile.js [scrapes=50]
 * Starts a CgroupSource with Docker discovery (no timer: scrapes are driven back to back),
 * discards a warm-up, then prints the CPU time per scrape (median of the measured ones) and the
 * bytes allocated per scrape (heap growth between scrapes, GC excluded by --expose-gc when given).
 * The real comparison with cAdvisor is collector-metrics.bench.ts; this only shows where time goes.
 */
import { cgroupSourceSchema } from '../../collector/sources/cgroup/config';
import { CgroupSource } from '../../collector/sources/cgroup/source';
import { testContext } from '../unit/collector/helpers';
import { median } from './fleet';

async function main(scrapes: number): Promise<void> {
  const t = testContext('cgroup');
  const source = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 3600, jitter_ratio: 0, discovery: { mode: 'docker' } }));
  await source.start({ ...t.ctx, emit: () => Promise.resolve() });
  const gc = (globalThis as { gc?: () => void }).gc;
  let containers = 0;
  for (let i = 0; i < 5; i++) containers = (await source.scrapeOnce())?.containers.length ?? 0;
  const cpuMs: number[] = [];
  const allocKiB: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const c0 = process.cpuUsage();
    await source.scrapeOnce();
    const c = process.cpuUsage(c0);
    allocKiB.push((process.memoryUsage().heapUsed - heap0) / 1024);
    cpuMs.push((c.user + c.system) / 1000);
  }
  await source.shutdown(Date.now() + 1000);
  console.log(JSON.stringify({
    containers, scrapes, cpuMsPerScrape: +median(cpuMs).toFixed(2),
    heapGrowthKiBPerScrape: gc ? +median(allocKiB).toFixed(0) : 'run with --expose-gc', errors: await t.errors(),
  }));
}

main(Number(process.argv[2] ?? 50)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
