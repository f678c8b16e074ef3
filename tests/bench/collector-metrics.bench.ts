/**
 * Collector CPU and RSS for N idle containers at a 10 s interval, against a cAdvisor process
 * watching the same containers at the same housekeeping interval, in the same run.
 *   node dist/tests/bench/collector-metrics.bench.js   (env: BENCH_CONTAINERS=100, BENCH_SECS=60)
 * Prints one JSON object. Needs dockerd, the testbox image and a cAdvisor binary (found from the
 * running services' cAdvisor, or CARGOSCOPE_CADVISOR_BIN).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { cgroupSourceSchema } from '../../collector/sources/cgroup/config';
import { CgroupSource } from '../../collector/sources/cgroup/source';
import { forEachLimited } from '../../collector/discovery/docker-discovery';
import { testContext } from '../unit/collector/helpers';
import { IMAGE, dockerCli, waitFor } from '../integration/collector-metrics-helpers';

const BENCH_LABEL = 'io.cargoscope.bench=collector-metrics';
const PORT = 8089;
const TICKS_PER_SEC = 100;

function procCpuSecs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SEC; // utime + stime
}

function procRssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The binary of the cAdvisor the services script started, so no second build is needed. */
function findCadvisorBin(): string | undefined {
  if (process.env['CARGOSCOPE_CADVISOR_BIN']) return process.env['CARGOSCOPE_CADVISOR_BIN'];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (argv0.endsWith('/cadvisor') || argv0 === './cadvisor') return readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // processes come and go while we look
    }
  }
  return undefined;
}

async function startContainers(n: number): Promise<void> {
  const names = Array.from({ length: n }, (_, i) => `cs-bench-${i}`);
  await forEachLimited(names, 8, async (name) => {
    await dockerCli('run', '-d', '--name', name, '--label', BENCH_LABEL, IMAGE, 'sleep', '36000');
  });
}

async function cleanup(cadvisor: ChildProcess | undefined): Promise<void> {
  cadvisor?.kill('SIGTERM');
  const ids = await dockerCli('ps', '-aq', '--filter', `label=${BENCH_LABEL}`);
  if (ids) await dockerCli('rm', '-f', ...ids.split('\n'));
}

export async function runCollectorMetricsBench(): Promise<Record<string, unknown>> {
  const n = Number(process.env['BENCH_CONTAINERS'] ?? 100);
  const secs = Number(process.env['BENCH_SECS'] ?? 60);
  const bin = findCadvisorBin();
  if (!bin) throw new Error('no cAdvisor binary: run `bash scripts/services.sh up cadvisor` or set CARGOSCOPE_CADVISOR_BIN');
  let cadvisor: ChildProcess | undefined;
  try {
    await cleanup(undefined);
    await startContainers(n);
    cadvisor = spawn(bin, [
      '-listen_ip=127.0.0.1', `-port=${PORT}`, '-docker=unix:///var/run/docker.sock', '-docker_only=true',
      '-housekeeping_interval=10s', '-max_housekeeping_interval=10s', '-allow_dynamic_housekeeping=false',
      '-storage_duration=2m', '-disable_metrics=disk,tcp,udp,percpu,sched,process', '-logtostderr',
    ], { stdio: 'ignore' });
    const pid = cadvisor.pid ?? 0;
    await waitFor('the bench cAdvisor', async () => ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok ? true : undefined), 60_000, 500);
    const t = testContext('cgroup');
    const source = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 10, discovery: { mode: 'docker' } }));
    await source.start(t.ctx);
    await new Promise((r) => setTimeout(r, 15_000)); // both warm: startup work is not steady-state cost
    const [ourCpu0, theirCpu0, batches0] = [process.cpuUsage(), procCpuSecs(pid), t.batches.length];
    await new Promise((r) => setTimeout(r, secs * 1000));
    const ourCpu = process.cpuUsage(ourCpu0);
    const ours = { cpuSecs: (ourCpu.user + ourCpu.system) / 1e6, rssMiB: process.memoryUsage().rss / 1024 / 1024 };
    const theirs = { cpuSecs: procCpuSecs(pid) - theirCpu0, rssMiB: procRssMiB(pid) };
    const last = t.batches.at(-1);
    await source.shutdown(Date.now() + 2000);
    return {
      bench: 'collector-metrics', containers: n, windowSecs: secs, intervalSecs: 10,
      cgroupSource: { ...round(ours), scrapes: t.batches.length - batches0, containersInLastBatch: last?.containers.length ?? 0 },
      cadvisor: { ...round(theirs), housekeepingSecs: 10 },
      ratio: { cpu: +(ours.cpuSecs / theirs.cpuSecs).toFixed(3), rss: +(ours.rssMiB / theirs.rssMiB).toFixed(3) },
      goal: { cpu: '<= 0.25', rss: '<= 0.5' },
    };
  } finally {
    await cleanup(cadvisor);
  }
}

function round(o: { cpuSecs: number; rssMiB: number }): { cpuSecs: number; rssMiB: number } {
  return { cpuSecs: +o.cpuSecs.toFixed(3), rssMiB: +o.rssMiB.toFixed(1) };
}

if (require.main === module) {
  runCollectorMetricsBench().then(
    (r) => console.log(JSON.stringify(r)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
