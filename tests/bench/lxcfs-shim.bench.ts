/**
 * Latency and throughput of /proc/meminfo and /proc/stat through the shim and through lxcfs,
 * same machine, same run: 1 reader, then N readers in N different cgroups ("containers").
 *   node dist/tests/bench/lxcfs-shim.bench.js [--readers 20] [--seconds 2.5] [--rounds 5] [--warmup-seconds 5] [--threads N]
 * (--threads: the shim's serving threads; default: the shim's own default.)
 * Needs root, /dev/fuse, cgroup v1 and Debian's lxcfs. Prints one JSON document.
 *
 * On a shared machine one run of a scenario swings with whatever else runs at that moment, so
 * each scenario runs `rounds` times, the shim and lxcfs back to back within each round (who goes
 * first alternates). Every figure is reported as its median and range over the rounds, and the
 * shim ÷ lxcfs ratios are taken per round (the two ran under the same load), then summarised:
 * the ratio's median is the figure the goals are judged on. All readers of a scenario start
 * reading at the same moment (lxcfs-shim-reader.ts); a reader that started late is counted.
 * Both servers are first warmed up with every reader on every file: the shim's JIT compiles its
 * hot paths in its first seconds (seconds of CPU on a loaded machine), a one-off cost of a
 * long-running daemon that the steady-state figures must not carry; lxcfs gets the same warm-up
 * (its page cache, its threads).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startShim } from '../../lxcfs-shim';
import { enterCgroup, makeCgroup, startLxcfs, stopLxcfs, tempDir } from '../integration/lxcfs-shim-helpers';
import type { TestCgroup } from '../integration/lxcfs-shim-helpers';

const USER_HZ = 100;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

interface ReaderRun {
  readonly lateMs: number;
  readonly latencies: number[];
}

function readerIn(cg: string, file: string, ms: number, startAt: number): Promise<ReaderRun> {
  return new Promise((resolve, reject) => {
    const script = `${enterCgroup(cg)}; exec "${process.execPath}" "${join(__dirname, 'lxcfs-shim-reader.js')}" "${file}" ${ms} ${startAt}`;
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ReaderRun) : reject(new Error(`reader exited ${code}`))));
  });
}

function pct(sorted: readonly number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN);
}

/** CPU time (user + system, all threads) a process has used, in µs; NaN if unknown. */
function cpuUs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised comm; utime and stime are fields 14 and 15 of the line.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** Time the readers get to start (a Node process each) before they all begin at once. */
function leadMs(readers: number): number {
  return 500 + 75 * readers;
}

/**
 * Besides latency and rate, the server's CPU per read: on a shared, loaded machine the rates
 * follow the scheduler as much as the code, while CPU per read measures the code.
 */
async function scenario(mount: string, file: string, cgroups: readonly TestCgroup[], ms: number, server: number | undefined): Promise<Row> {
  const startAt = Date.now() + leadMs(cgroups.length);
  const runs = cgroups.map((c) => readerIn(c.name, `${mount}${file}`, ms, startAt));
  // CPU is counted from the common start, so the readers' start-up is not charged to the server.
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const cpu0 = cpuUs(server);
  const all = await Promise.all(runs);
  const cpu1 = cpuUs(server);
  const lat = all.flatMap((a) => a.latencies).sort((a, b) => a - b);
  return {
    readers: cgroups.length, reads: lat.length, reads_per_sec: Math.round(lat.length / (ms / 1000)), p50_us: pct(lat, 50), p99_us: pct(lat, 99),
    server_cpu_us_per_read: Math.round((cpu1 - cpu0) / lat.length),
    late_readers: all.filter((a) => a.lateMs > 0).length, max_late_ms: Math.max(0, ...all.map((a) => a.lateMs)),
  };
}

type Row = Record<string, number>;

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

function spread(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length === 0 ? NaN : v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] ?? NaN, max: v[v.length - 1] ?? NaN, runs: v.length };
}

const FILES = ['/proc/meminfo', '/proc/stat'] as const;
const IMPLS = ['cargoscope-shim', 'lxcfs'] as const;
type Impl = (typeof IMPLS)[number];
const FIGURES = ['reads_per_sec', 'p50_us', 'p99_us', 'server_cpu_us_per_read'] as const;

/** One impl's rounds of a scenario: every figure as median and range, and the rounds themselves. */
function summarise(impl: string, file: string, rows: readonly Row[]): Record<string, unknown> {
  const figures = Object.fromEntries(FIGURES.map((k) => [k, spread(rows.map((r) => r[k] ?? NaN))]));
  return { impl, file, readers: rows[0]?.readers, ...figures, late_readers: Math.max(0, ...rows.map((r) => r['late_readers'] ?? 0)), rounds: rows };
}

/** Shim ÷ lxcfs per round (same round, same machine state), then their median and range. */
function ratios(file: string, readers: number, shim: readonly Row[], lxcfs: readonly Row[]): Record<string, unknown> {
  const per = (k: string): number[] => shim.map((s, i) => Number(((s[k] ?? NaN) / (lxcfs[i]?.[k] ?? NaN)).toFixed(3)));
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return { file, readers, ...Object.fromEntries(FIGURES.map((k) => {
    const sp = spread(per(k));
    return [k, { ...sp, median: r3(sp.median), per_round: per(k) }];
  })) };
}

interface Setup {
  readonly mounts: Readonly<Record<Impl, string>>;
  readonly server: (impl: Impl) => number | undefined;
  readonly impls: readonly Impl[];
  readonly cgroups: readonly TestCgroup[];
}

async function measureAll(s: Setup, readers: number, rounds: number, ms: number): Promise<{ results: Record<string, unknown>[]; ratios: Record<string, unknown>[] }> {
  const results: Record<string, unknown>[] = [];
  const paired: Record<string, unknown>[] = [];
  for (const file of FILES) {
    for (const n of [1, readers]) {
      const byImpl = new Map<Impl, Row[]>(s.impls.map((i) => [i, []]));
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? s.impls : [...s.impls].reverse();
        for (const impl of order) byImpl.get(impl)?.push(await scenario(s.mounts[impl], file, s.cgroups.slice(0, n), ms, s.server(impl)));
      }
      for (const [impl, rows] of byImpl) results.push(summarise(impl, file, rows));
      const lx = byImpl.get('lxcfs');
      if (lx !== undefined) paired.push(ratios(file, n, byImpl.get('cargoscope-shim') ?? [], lx));
    }
  }
  return { results, ratios: paired };
}

async function main(): Promise<void> {
  const readers = arg('readers', 20);
  const ms = arg('seconds', 2.5) * 1000;
  const rounds = arg('rounds', 5);
  const warmupMs = arg('warmup-seconds', 5) * 1000;
  const shimDir = tempDir('cargoscope-bench-shim-');
  const lxcfsDir = tempDir('cargoscope-bench-lxcfs-');
  const cgroups = Array.from({ length: readers }, (_, i) => makeCgroup(`cargoscope-test-bench-${process.pid}-${i}`, {
    'memory.limit_in_bytes': `${64 + i}M`, 'cpuset.cpus': String(i % 2),
  }));
  const threads = arg('threads', 0);
  const shim = await startShim({ mountDir: shimDir, log: () => undefined, ...(threads > 0 ? { threads } : {}) });
  const lxcfs = await startLxcfs(lxcfsDir);
  const started = Date.now();
  try {
    await shim.ready;
    const setup: Setup = {
      mounts: { 'cargoscope-shim': shimDir, lxcfs: lxcfsDir },
      server: (impl) => (impl === 'lxcfs' ? lxcfs?.pid : shim.workerPid()),
      impls: IMPLS.filter((i) => i !== 'lxcfs' || lxcfs !== undefined),
      cgroups,
    };
    for (const impl of setup.impls) for (const file of FILES) await scenario(setup.mounts[impl], file, cgroups, warmupMs / FILES.length, setup.server(impl));
    const m = await measureAll(setup, readers, rounds, ms);
    process.stdout.write(JSON.stringify({
      benchmark: 'lxcfs-shim', seconds_per_scenario: ms / 1000, rounds, statistic: 'median and range over rounds; ratios paired per round',
      lxcfs_running: lxcfs !== undefined, shim_threads: threads > 0 ? threads : 'default', measured_seconds: Math.round((Date.now() - started) / 1000), results: m.results, ratios: m.ratios,
    }, null, 2) + '\n');
  } finally {
    await shim.stop();
    await stopLxcfs(lxcfs, lxcfsDir);
    for (const c of cgroups) c.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
