/**
 * Collector CPU and RSS for N idle containers at a 10 s interval, against a cAdvisor process
 * watching the same containers at the same housekeeping interval, in the same run.
 *   node dist/tests/bench/collector-metrics.bench.js
 *   env: BENCH_CONTAINERS=100,300 (one or more sizes), BENCH_RUNS=3, BENCH_SECS=60, BENCH_WARM_SECS=15,
 *        BENCH_CHILD_NODE_FLAGS="--flag …" (V8/Node flags for the measured children, to try them)
 * Each run starts a fresh cAdvisor, a fresh collector process (collector-metrics-child.js source)
 * and an idle Node process loading the same modules (… idle); all three are read from /proc the
 * same way. `rssOverIdleNodeMiB` is what the source itself adds over Node's own baseline; a bare
 * `node -e 'setInterval(…)'` (bareNode) shows what Node costs before any module is loaded.
 * Prints one JSON object on its last stdout line. Needs dockerd, the testbox image and a cAdvisor
 * binary (found from the running services' cAdvisor, or CARGOSCOPE_CADVISOR_BIN).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { forEachLimited } from '../../collector/discovery/docker-discovery';
import { IMAGE, dockerCli, waitFor } from '../integration/collector-metrics-helpers';
import type { ChildReport } from './collector-metrics-child';
import { median } from './fleet';

const BENCH_LABEL = 'io.cargoscope.bench=collector-metrics';
const PORT = 8089;
const TICKS_PER_SEC = 100;
const INTERVAL_SECS = 10;

interface ProcFigures {
  readonly cpuSecs: number;
  readonly rssMiB: number;
}

interface RunFigures {
  readonly source: ProcFigures;
  readonly idleNode: ProcFigures;
  readonly bareNode: ProcFigures;
  readonly cadvisor: ProcFigures;
  readonly scrapes: number;
  readonly containersInLastBatch: number;
  readonly errors: number;
}

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

async function removeContainers(): Promise<void> {
  const ids = await dockerCli('ps', '-aq', '--filter', `label=${BENCH_LABEL}`);
  if (ids) await dockerCli('rm', '-f', ...ids.split('\n'));
}

async function stopProcess(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function startCadvisor(bin: string): ChildProcess {
  return spawn(bin, [
    '-listen_ip=127.0.0.1', `-port=${PORT}`, '-docker=unix:///var/run/docker.sock', '-docker_only=true',
    `-housekeeping_interval=${INTERVAL_SECS}s`, `-max_housekeeping_interval=${INTERVAL_SECS}s`, '-allow_dynamic_housekeeping=false',
    '-storage_duration=2m', '-disable_metrics=disk,tcp,udp,percpu,sched,process', '-logtostderr',
  ], { stdio: 'ignore' });
}

/** Forks a measured child and waits for its `ready` (a source child is ready once started). */
const CHILD_FLAGS = (process.env['BENCH_CHILD_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');

async function forkChild(mode: 'source' | 'idle'): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'collector-metrics-child.js'), [mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...CHILD_FLAGS],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${mode} child exited with ${code} before it was ready`)));
  });
  await ready;
  return child;
}

async function reportOf(child: ChildProcess): Promise<ChildReport> {
  const answer = once(child, 'message') as Promise<[ChildReport]>;
  child.send({ type: 'report' });
  return (await answer)[0];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One independent run: fresh processes, a warm-up, then one measured window. */
async function measureRun(bin: string, secs: number, warmSecs: number): Promise<RunFigures> {
  const procs: ChildProcess[] = [];
  try {
    const cadvisor = startCadvisor(bin);
    procs.push(cadvisor);
    await waitFor('the bench cAdvisor', async () => ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok ? true : undefined), 120_000, 500);
    const source = await forkChild('source');
    procs.push(source);
    const idle = await forkChild('idle');
    procs.push(idle);
    const bare = spawn(process.execPath, [...CHILD_FLAGS, '-e', 'setInterval(() => {}, 1e3)'], { stdio: 'ignore' });
    procs.push(bare);
    const pids = [source.pid ?? 0, idle.pid ?? 0, cadvisor.pid ?? 0, bare.pid ?? 0] as const;
    await sleep(warmSecs * 1000); // both warm: startup work is not steady-state cost
    const cpu0 = pids.map(procCpuSecs);
    const before = await reportOf(source);
    await sleep(secs * 1000); // the measured window itself, not a synchronisation
    const cpu1 = pids.map(procCpuSecs);
    const rss = pids.map(procRssMiB);
    const after = await reportOf(source);
    const fig = (i: number): ProcFigures => ({ cpuSecs: (cpu1[i] ?? 0) - (cpu0[i] ?? 0), rssMiB: rss[i] ?? NaN });
    return {
      source: fig(0), idleNode: fig(1), cadvisor: fig(2), bareNode: fig(3),
      scrapes: after.scrapes - before.scrapes, containersInLastBatch: after.containersInLastBatch, errors: after.errors,
    };
  } finally {
    for (const p of procs.reverse()) await stopProcess(p);
  }
}

const r3 = (v: number): number => +v.toFixed(3);
const r1 = (v: number): number => +v.toFixed(1);

/** Medians over runs; ratios are per run (same-run comparisons), then their median. */
function summarise(runs: readonly RunFigures[]): Record<string, unknown> {
  const pick = (f: (r: RunFigures) => number): number[] => runs.map(f);
  const srcRssOver = pick((r) => r.source.rssMiB - r.idleNode.rssMiB);
  const cpuRatio = pick((r) => r.source.cpuSecs / r.cadvisor.cpuSecs);
  const rssRatio = pick((r) => r.source.rssMiB / r.cadvisor.rssMiB);
  const rssOverRatio = runs.map((r, i) => (srcRssOver[i] ?? NaN) / r.cadvisor.rssMiB);
  return {
    cgroupSource: {
      cpuSecs: r3(median(pick((r) => r.source.cpuSecs))), cpuSecsRuns: pick((r) => r3(r.source.cpuSecs)),
      rssMiB: r1(median(pick((r) => r.source.rssMiB))), rssMiBRuns: pick((r) => r1(r.source.rssMiB)),
      rssOverIdleNodeMiB: r1(median(srcRssOver)), rssOverIdleNodeMiBRuns: srcRssOver.map(r1),
      scrapes: pick((r) => r.scrapes), containersInLastBatch: pick((r) => r.containersInLastBatch), errors: pick((r) => r.errors),
    },
    idleNode: { cpuSecs: r3(median(pick((r) => r.idleNode.cpuSecs))), rssMiB: r1(median(pick((r) => r.idleNode.rssMiB))) },
    bareNode: { rssMiB: r1(median(pick((r) => r.bareNode.rssMiB))), rssRatioToCadvisor: r3(median(pick((r) => r.bareNode.rssMiB / r.cadvisor.rssMiB))) },
    cadvisor: {
      cpuSecs: r3(median(pick((r) => r.cadvisor.cpuSecs))), cpuSecsRuns: pick((r) => r3(r.cadvisor.cpuSecs)),
      rssMiB: r1(median(pick((r) => r.cadvisor.rssMiB))), rssMiBRuns: pick((r) => r1(r.cadvisor.rssMiB)),
      housekeepingSecs: INTERVAL_SECS,
    },
    ratio: {
      cpu: r3(median(cpuRatio)), cpuRuns: cpuRatio.map(r3),
      rss: r3(median(rssRatio)), rssRuns: rssRatio.map(r3),
      rssOverIdleNode: r3(median(rssOverRatio)),
    },
  };
}

export async function runCollectorMetricsBench(): Promise<Record<string, unknown>> {
  const sizes = (process.env['BENCH_CONTAINERS'] ?? '100,300').split(',').map(Number);
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  const secs = Number(process.env['BENCH_SECS'] ?? 60);
  const warmSecs = Number(process.env['BENCH_WARM_SECS'] ?? 15);
  const bin = findCadvisorBin();
  if (!bin) throw new Error('no cAdvisor binary: run `bash scripts/services.sh up cadvisor` or set CARGOSCOPE_CADVISOR_BIN');
  const bySize: Record<string, unknown> = {};
  try {
    for (const n of sizes) {
      await removeContainers();
      await startContainers(n);
      const figures: RunFigures[] = [];
      for (let i = 0; i < runs; i++) {
        figures.push(await measureRun(bin, secs, warmSecs));
        process.stderr.write(`collector-metrics: ${n} containers, run ${i + 1}/${runs}: ${JSON.stringify(figures.at(-1))}\n`);
      }
      bySize[`containers${n}`] = summarise(figures);
    }
  } finally {
    await removeContainers();
  }
  return {
    bench: 'collector-metrics', windowSecs: secs, warmSecs, intervalSecs: INTERVAL_SECS, runs, childNodeFlags: CHILD_FLAGS.join(' '), ...bySize,
    goal: { cpu: '<= 0.25', rss: '<= 0.5' },
  };
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
