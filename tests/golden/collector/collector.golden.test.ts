import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuFromFiles, memoryFromFiles, CPUACCT_V1_FILES, CPU_V1_FILES, MEMORY_V1_FILES, type CgroupLocation, type Controller,
  type ControllerDir, type FileRead, type FileSet,
} from '../../../core/cgroup';
import type { MetricSample } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';
import { fromInspect, type DockerInspect } from '../../../collector/discovery/docker-inspect';
import { labelFilter } from '../../../collector/discovery/identity';
import { DEFAULT_LABEL_ALLOWLIST } from '../../../collector/discovery/labels';
import type { DiscoveredContainer } from '../../../collector/discovery/types';
import { containerFromCadvisor, latestStats, mapCadvisorStats } from '../../../collector/sources/cadvisor/map';
import { isCadvisorDockerResponse } from '../../../collector/sources/cadvisor/api-types';
import { mapCgroupReadings } from '../../../collector/sources/cgroup/map';
import { planRun, readPlanned } from '../../../collector/sources/cgroup/plan';
import { DeviceNames } from '../../../collector/scrape/devices';
import { mapDockerStats } from '../../../collector/sources/docker_stats/map';
import { cpuPercent, cpuReading, memoryUsageNoCache } from '../../../collector/sources/docker_stats/math';
import type { DockerStatsJson } from '../../../collector/sources/docker_stats/stats-json';
import { parseNetDev } from '../../../collector/scrape/procfs';

/** Inputs recorded from the real dockerd and cAdvisor by tests/golden/collector/record.sh. */
const dir = join(process.cwd(), 'tests', 'golden', 'collector');
const NAMES = ['cs-golden-burn', 'cs-golden-mem'];
const filter = labelFilter({ allow: DEFAULT_LABEL_ALLOWLIST, maxValueLength: 128 });
const MiB = 1024 * 1024;
/** The recorded containers did no block I/O, so device naming does not show in these files. */
const keep = (k: string): string => k;

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(dir, ...parts), 'utf8')) as T;
}

/** Compares with `<file>`, or writes it with CARGOSCOPE_UPDATE_GOLDEN=1 (review the diff!). */
function golden(file: string, samples: readonly MetricSample[]): void {
  const actual = `${JSON.stringify(samples.map((s) => (s.labels ? s : { name: s.name, kind: s.kind, value: s.value })), null, 1)}\n`;
  const path = join(dir, file);
  if (process.env.CARGOSCOPE_UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CARGOSCOPE_UPDATE_GOLDEN !== '1') throw new Error(`missing golden file ${path}; run with CARGOSCOPE_UPDATE_GOLDEN=1`);
    writeFileSync(path, actual);
  }
  assert.equal(actual, readFileSync(path, 'utf8'));
}

function container(name: string): DiscoveredContainer {
  const c = fromInspect(readJson<DockerInspect>('inspect', `${name}.json`), 'golden-node', filter);
  assert.ok(c, `${name} was running when recorded`);
  return c;
}

function value(samples: readonly MetricSample[], metric: string): number | undefined {
  return samples.find((s) => s.name === metric)?.value;
}

/** The CLI prints "50.43MiB" / "324KiB" / "1.2GiB". */
function cliBytes(text: string): number {
  const m = /^([\d.]+)([KMG]i)?B$/.exec(text.trim());
  assert.ok(m, `unexpected CLI size ${text}`);
  const unit = { Ki: 1024, Mi: MiB, Gi: 1024 * MiB }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

describe('docker_stats golden (recorded dockerd, cgroup v1)', () => {
  for (const name of NAMES) {
    it(`maps ${name}'s stats body to the recorded samples`, () => {
      const stats = readJson<DockerStatsJson>('docker_stats', `${name}.json`);
      golden(`docker_stats/${name}.samples.json`, mapDockerStats(stats, container(name), undefined, keep).samples);
    });

    it(`agrees with what \`docker stats --no-stream\` printed for ${name}`, () => {
      const stats = readJson<DockerStatsJson>('docker_stats', `${name}.json`);
      const cli = readJson<{ CPUPerc: string; MemUsage: string }>('docker_stats', `${name}.cli.json`);
      const cur = cpuReading(stats.cpu_stats);
      assert.ok(cur);
      const ours = cpuPercent(cur, cpuReading(stats.precpu_stats));
      // Separate 1 s windows a moment apart: the figure must agree, not the digits.
      assert.ok(Math.abs(ours - parseFloat(cli.CPUPerc)) <= 5, `cpu ${ours}% vs CLI ${cli.CPUPerc}`);
      const [used, limit] = cli.MemUsage.split(' / ').map(cliBytes);
      assert.ok(Math.abs((memoryUsageNoCache(stats.memory_stats) ?? 0) - (used ?? 0)) <= MiB, `mem vs CLI ${cli.MemUsage}`);
      assert.equal(stats.memory_stats?.limit, limit);
    });
  }

  it('reports zero CPU % for a one-shot body without our previous reading, as the CLI would', () => {
    const stats = readJson<DockerStatsJson>('docker_stats', 'cs-golden-burn.one-shot.json');
    const mapped = mapDockerStats(stats, container('cs-golden-burn'), undefined, keep);
    assert.equal(value(mapped.samples, M.cpuUsagePercent), 0);
    assert.ok((value(mapped.samples, M.cpuUsageSeconds) ?? 0) > 0);
  });

  it('takes the memory limit and CPU quota from the container spec exactly', () => {
    const samples = mapDockerStats(readJson<DockerStatsJson>('docker_stats', 'cs-golden-burn.json'), container('cs-golden-burn'), undefined, keep).samples;
    assert.equal(value(samples, M.specMemoryLimitBytes), 64 * MiB);
    assert.equal(value(samples, M.specCpuQuota), 50_000);
    assert.equal(value(samples, M.specCpuPeriod), 100_000);
  });
});

describe('cadvisor golden (recorded cAdvisor v1.3 API)', () => {
  const response: unknown = readJson('cadvisor', 'docker.v1.3.json');

  it('accepts the recorded response as a cAdvisor docker map', () => {
    assert.ok(isCadvisorDockerResponse(response));
  });

  for (const name of NAMES) {
    it(`maps ${name}'s newest stats to the recorded samples`, () => {
      assert.ok(isCadvisorDockerResponse(response));
      const info = Object.values(response).find((i) => i.aliases?.includes(name));
      assert.ok(info, `${name} in the recorded response`);
      const c = containerFromCadvisor(info, 'golden-node', filter);
      assert.equal(c.identity.name, name);
      const stats = latestStats(info);
      assert.ok(stats);
      golden(`cadvisor/${name}.samples.json`, mapCadvisorStats(stats, c, keep));
    });
  }

  it('derives the Compose identity from the labels cAdvisor carries', () => {
    assert.ok(isCadvisorDockerResponse(response));
    const info = Object.values(response).find((i) => i.aliases?.includes('cs-golden-burn'));
    assert.ok(info);
    const c = containerFromCadvisor(info, 'golden-node', filter);
    assert.equal(c.identity.workload.id, 'compose/golden/burn');
    assert.equal(c.spec?.memoryLimitBytes, 64 * MiB);
  });
});

function recordedSet(name: string, names: readonly string[]): FileSet {
  const out = new Map<string, FileRead>();
  for (const f of names) {
    const path = join(dir, 'cgroup', name, f);
    out.set(f, existsSync(path)
      ? { ok: true, text: readFileSync(path, 'utf8') }
      : { ok: false, problem: { file: `/cg/${f}`, reason: 'missing', detail: 'ENOENT' } });
  }
  return out;
}

/** Every controller in one directory, `/cg`: what planRun needs to choose the files. */
function flatLocation(version: 1 | 2): CgroupLocation {
  const cg: ControllerDir = { version, dir: '/cg', mountPoint: '/', path: '/cg' };
  const dirs = new Map<Controller, ControllerDir>((['memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'pids'] as const).map((c) => [c, cg]));
  return { mode: version === 2 ? 'v2' : 'v1', dirs, unified: version === 2 ? cg : undefined };
}

/**
 * The source's own read path (planRun + readPlanned, spec files included) over recorded files:
 * what the golden output pins is exactly what a scrape reads, not what core could read.
 */
function readRecorded(folder: string, version: 1 | 2): ReturnType<typeof readPlanned> {
  const served = (path: string): string => join(dir, folder, path.slice('/cg/'.length));
  const readText = (path: string): FileRead => (existsSync(served(path))
    ? { ok: true, text: readFileSync(served(path), 'utf8') }
    : { ok: false, problem: { file: path, reason: 'missing', detail: 'ENOENT' } });
  return readPlanned(planRun(flatLocation(version), (p) => existsSync(served(p))), readText, true, 2);
}

function recordedNet(folder: string): NonNullable<ReturnType<typeof parseNetDev>> | null {
  const netPath = join(dir, folder, 'net.dev');
  return existsSync(netPath) ? (parseNetDev(readFileSync(netPath, 'utf8')) ?? null) : null;
}

describe('cgroup golden (recorded cgroup v1 files)', () => {
  for (const name of NAMES) {
    it(`maps ${name}'s cgroup files and net/dev to the recorded samples`, () => {
      const readings = { ...readRecorded(join('cgroup', name), 1), network: recordedNet(join('cgroup', name)) };
      golden(`cgroup/${name}.samples.json`, mapCgroupReadings(readings, container(name), keep));
    });
  }

  it('reads the -m limit and the --cpus quota exactly', () => {
    const name = 'cs-golden-burn';
    const mem = memoryFromFiles(1, '/cg', recordedSet(name, MEMORY_V1_FILES));
    const cpu = cpuFromFiles(1, { dir: '/cg', files: recordedSet(name, CPU_V1_FILES) }, { dir: '/cg', files: recordedSet(name, CPUACCT_V1_FILES) });
    const samples = mapCgroupReadings({ cpu, memory: mem, blkio: null, pids: null, cpusetCpus: null, network: null }, container(name), (k) => k);
    assert.equal(value(samples, M.specMemoryLimitBytes), 64 * MiB);
    assert.equal(value(samples, M.specCpuQuota), 50_000);
  });
});

describe('cgroup golden (hand-made cgroup v2 files, kernel cgroup-v2 formats)', () => {
  const folder = join('cgroup-v2', 'cs-golden-v2');
  const names = DeviceNames.fromPartitions(readFileSync(join(dir, folder, 'partitions'), 'utf8'));
  const samples = (): MetricSample[] => {
    const readings = { ...readRecorded(folder, 2), network: recordedNet(folder) };
    return mapCgroupReadings(readings, container('cs-golden-burn'), names.name);
  };
  const at = (list: readonly MetricSample[], metric: string, device?: string): number | undefined =>
    list.find((s) => s.name === metric && (device === undefined || s.labels?.['device'] === device))?.value;

  it('maps the v2 files and net/dev to the expected samples', () => {
    golden('cgroup-v2/cs-golden-v2.samples.json', samples());
  });

  it('derives each figure the way cAdvisor does on v2', () => {
    const s = samples();
    assert.equal(at(s, M.cpuUsageSeconds), 8.123456);
    assert.equal(at(s, M.cpuCfsThrottledSeconds), 1.234567);
    assert.equal(at(s, M.specCpuQuota), 150_000);
    assert.equal(at(s, M.specCpuShares), 998, 'weight 39 back to shares');
    assert.equal(at(s, M.memoryWorkingSetBytes), 61_440_000 - 10_485_760, 'current - inactive_file');
    assert.equal(at(s, M.memoryRssBytes), 41_943_040, 'anon');
    assert.equal(at(s, M.memoryCacheBytes), 16_777_216, 'file');
    assert.equal(at(s, M.memorySwapBytes), 1_048_576, 'memory.swap.current');
    assert.equal(at(s, M.memoryFailcnt), 12, 'memory.events max');
    assert.equal(at(s, M.oomEvents), 1);
    assert.equal(at(s, M.specMemoryLimitBytes), 256 * MiB);
    assert.equal(at(s, M.specMemorySwapLimitBytes), 512 * MiB, 'memory.max + swap.max');
    assert.equal(at(s, M.fsWritesBytes, '/dev/sda'), 4_194_304);
    assert.equal(at(s, M.fsReads, '/dev/dm-0'), 1);
    assert.equal(at(s, M.processes), 7);
    assert.equal(at(s, M.processesLimit), 100);
  });
});

describe('golden inputs', () => {
  it('has every recorded container in each input set', () => {
    for (const sub of ['docker_stats', 'inspect']) {
      const files = readdirSync(join(dir, sub));
      for (const name of NAMES) assert.ok(files.some((f) => f.startsWith(name)), `${sub}/${name}`);
    }
  });
});
