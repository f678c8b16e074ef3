import assert from 'node:assert/strict';
import type { MetricBatch } from '../../core/event';
import { CONTAINER_METRIC as M } from '../../core/naming';
import { cadvisorSourceSchema } from '../../collector/sources/cadvisor/config';
import { CadvisorSource } from '../../collector/sources/cadvisor/source';
import { cgroupSourceSchema } from '../../collector/sources/cgroup/config';
import { CgroupSource } from '../../collector/sources/cgroup/source';
import { dockerStatsSourceSchema } from '../../collector/sources/docker_stats/config';
import { DockerStatsSource } from '../../collector/sources/docker_stats/source';
import type { MetricsSource } from '../../collector/scrape/metrics-source';
import { testContext } from '../unit/collector/helpers';
import {
  CADVISOR, MiB, coresBetween, dockerCli, find, removeTestContainers, run, sample, waitFor,
  waitForFreshCadvisorSample,
} from './collector-metrics-helpers';
import { requireServices } from './harness/services';

/**
 * The acceptance figures, against the real dockerd and cAdvisor. Scrapes are driven by
 * hand (interval one hour) so the 20 s window is exactly the one measured.
 */
describe('collector metrics sources against real Docker and cAdvisor', function () {
  this.timeout(180_000);
  const sources: Record<'cgroup' | 'docker_stats' | 'cadvisor', MetricsSource | undefined> = { cgroup: undefined, docker_stats: undefined, cadvisor: undefined };
  let burner = '';
  let filler = '';
  let idle = '';
  const FILL_MIB = 64;

  before(async function () {
    // A service that cannot start fails this hook with its log tail: never a skip.
    await requireServices(this, ['docker', 'images', 'cadvisor']);
    this.timeout(180_000);
    await removeTestContainers();
    [burner, filler, idle] = await Promise.all([
      run({ name: 'cs-it-burn', args: ['--cpus', '0.5'], cmd: ['cpuburn', '1'] }),
      run({ name: 'cs-it-fill', args: ['-m', '128m'], cmd: ['memfill', String(FILL_MIB)] }),
      run({ name: 'cs-it-idle', args: ['-m', '128m'], cmd: ['sleep', '3600'] }),
    ]);
    const discovery = { mode: 'docker' };
    sources.cgroup = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 3600, discovery }));
    sources.docker_stats = new DockerStatsSource(dockerStatsSourceSchema.parse({ interval_secs: 3600, discovery }));
    sources.cadvisor = new CadvisorSource(cadvisorSourceSchema.parse({ interval_secs: 3600, endpoint: CADVISOR }));
    for (const [type, s] of Object.entries(sources)) await s?.start(testContext(type).ctx);
    // Every source must see all three containers (cAdvisor within a housekeeping tick).
    for (const s of Object.values(sources)) {
      await waitFor('all test containers in a scrape', async () => {
        const b = await s?.scrapeOnce();
        return [burner, filler, idle].every((id) => find(b, id)) ? true : undefined;
      }, 30_000, 500);
    }
  });

  after(async () => {
    for (const s of Object.values(sources)) await s?.shutdown(Date.now() + 2000);
    await removeTestContainers();
  });

  async function scrapeAll(): Promise<Record<keyof typeof sources, MetricBatch>> {
    await waitForFreshCadvisorSample(burner);
    const [cg, ds, ca] = await Promise.all([sources.cgroup?.scrapeOnce(), sources.docker_stats?.scrapeOnce(), sources.cadvisor?.scrapeOnce()]);
    assert.ok(cg && ds && ca, 'every source produced a batch');
    return { cgroup: cg, docker_stats: ds, cadvisor: ca };
  }

  let windowStart: Record<keyof typeof sources, MetricBatch> | undefined;
  let windowEnd: Record<keyof typeof sources, MetricBatch> | undefined;

  it('reads 0.5 ± 0.05 cores for a --cpus 0.5 burner from each source over 20 s', async () => {
    windowStart = await scrapeAll();
    await new Promise((r) => setTimeout(r, 20_000)); // the measurement window itself, not a sync
    windowEnd = await scrapeAll();
    const cores = Object.fromEntries((['cgroup', 'docker_stats', 'cadvisor'] as const).map((k) => [k, coresBetween(windowStart![k], windowEnd![k], burner)]));
    console.log('      cores over 20 s:', JSON.stringify(cores));
    for (const [k, v] of Object.entries(cores)) assert.ok(Math.abs(v - 0.5) <= 0.05, `${k}: ${v} cores`);
  });

  it('shows the filler working set within 5 % of N MiB plus the idle baseline, and the -m limit exactly', () => {
    assert.ok(windowEnd, 'needs the CPU window');
    const report: Record<string, unknown> = {};
    for (const [k, batch] of Object.entries(windowEnd)) {
      const base = sample(find(batch, idle), M.memoryWorkingSetBytes) ?? NaN;
      const ws = sample(find(batch, filler), M.memoryWorkingSetBytes) ?? NaN;
      const expected = FILL_MIB * MiB + base;
      report[k] = { wsMiB: +(ws / MiB).toFixed(2), baselineMiB: +(base / MiB).toFixed(2) };
      assert.ok(Math.abs(ws - expected) / expected <= 0.05, `${k}: ${ws} vs ${expected}`);
      assert.equal(sample(find(batch, filler), M.specMemoryLimitBytes), 128 * MiB, `${k} limit`);
    }
    console.log('      working set:', JSON.stringify(report));
  });

  it('agrees between the cgroup source and cAdvisor within 5 %', () => {
    assert.ok(windowStart && windowEnd, 'needs the CPU window');
    const cg = coresBetween(windowStart.cgroup, windowEnd.cgroup, burner);
    const ca = coresBetween(windowStart.cadvisor, windowEnd.cadvisor, burner);
    assert.ok(Math.abs(cg - ca) / ca <= 0.05, `cpu ${cg} vs ${ca}`);
    for (const name of [M.memoryWorkingSetBytes, M.memoryUsageBytes, M.memoryRssBytes]) {
      const a = sample(find(windowEnd.cgroup, filler), name) ?? NaN;
      const b = sample(find(windowEnd.cadvisor, filler), name) ?? NaN;
      assert.ok(Math.abs(a - b) / b <= 0.05, `${name}: cgroup ${a} vs cAdvisor ${b}`);
    }
    for (const name of [M.specCpuQuota, M.specCpuPeriod, M.specMemoryLimitBytes]) {
      assert.equal(sample(find(windowEnd.cgroup, burner), name), sample(find(windowEnd.cadvisor, burner), name), name);
    }
  });

  it('matches `docker stats --no-stream` for CPU % (5 % relative) and memory (1 MiB)', async () => {
    const cliText = await dockerCli('stats', '--no-stream', '--format', '{{json .}}', 'cs-it-burn', 'cs-it-fill');
    const ours = await sources.docker_stats?.scrapeOnce();
    const cli = cliText.split('\n').map((l) => JSON.parse(l) as { Name: string; CPUPerc: string; MemUsage: string });
    const burn = cli.find((c) => c.Name === 'cs-it-burn');
    const fill = cli.find((c) => c.Name === 'cs-it-fill');
    assert.ok(burn && fill);
    const cpu = sample(find(ours, burner), M.cpuUsagePercent) ?? NaN;
    const cliCpu = parseFloat(burn.CPUPerc);
    console.log(`      CPU %: ours ${cpu.toFixed(2)} vs CLI ${cliCpu}; memory: ours ${((sample(find(ours, filler), M.memoryWorkingSetBytes) ?? 0) / MiB).toFixed(2)} MiB vs CLI ${fill.MemUsage}`);
    assert.ok(Math.abs(cpu - cliCpu) / cliCpu <= 0.05, `cpu ${cpu} vs ${cliCpu}`);
    const cliMem = parseFloat(fill.MemUsage) * (fill.MemUsage.includes('GiB') ? 1024 : 1) * MiB;
    assert.ok(Math.abs((sample(find(ours, filler), M.memoryWorkingSetBytes) ?? NaN) - cliMem) <= MiB, `mem vs ${fill.MemUsage}`);
  });
});
