/**
 * Latency and throughput of /proc/meminfo and /proc/stat through the shim and through lxcfs,
 * same machine, same run: 1 reader, then N readers in N different cgroups ("containers").
 *   node dist/tests/bench/lxcfs-shim.bench.js [--readers 20] [--seconds 3] [--rounds 3] [--warmup-seconds 5]
 * Needs root, /dev/fuse, cgroup v1 and Debian's lxcfs. Prints one JSON document.
 *
 * On a shared machine one run of a scenario swings with whatever else runs at that moment, so
 * each scenario runs `rounds` times, the shim and lxcfs alternating (who goes first rotates),
 * and the medians are reported next to every round. Both servers are first warmed up with
 * every reader on every file: the shim's JIT compiles its hot paths in its first seconds
 * (seconds of CPU on a loaded machine), a one-off cost of a long-running daemon that the
 * steady-state figures must not carry; lxcfs gets the same warm-up (its page cache, its threads).
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

function readerIn(cg: string, file: string, ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const script = `${enterCgroup(cg)}; exec "${process.execPath}" "${join(__dirname, 'lxcfs-shim-reader.js')}" "${file}" ${ms}`;
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`reader exited ${code}`))));
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

/**
 * Besides latency and rate, the server's CPU per read: on a shared, loaded machine the rates
 * follow the scheduler as much as the code, while CPU per read measures the code.
 */
async function scenario(mount: string, file: string, cgroups: readonly TestCgroup[], ms: number, server: number | undefined): Promise<Record<string, number>> {
  const cpu0 = cpuUs(server);
  const all = await Promise.all(cgroups.map((c) => readerIn(c.name, `${mount}${file}`, ms)));
  const lat = all.flat().sort((a, b) => a - b);
  return {
    readers: cgroups.length, reads: lat.length, reads_per_sec: Math.round(lat.length / (ms / 1000)), p50_us: pct(lat, 50), p99_us: pct(lat, 99),
    server_cpu_us_per_read: Math.round((cpuUs(server) - cpu0) / lat.length),
  };
}

type Row = Record<string, number>;

function median(rows: readonly Row[], key: string): number {
  const v = rows.map((r) => r[key] ?? NaN).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)] ?? NaN;
}

const FILES = ['/proc/meminfo', '/proc/stat'] as const;
const IMPLS = ['cargoscope-shim', 'lxcfs'] as const;

async function main(): Promise<void> {
  const readers = arg('readers', 20);
  const ms = arg('seconds', 3) * 1000;
  const rounds = arg('rounds', 3);
  const warmupMs = arg('warmup-seconds', 5) * 1000;
  const shimDir = tempDir('cargoscope-bench-shim-');
  const lxcfsDir = tempDir('cargoscope-bench-lxcfs-');
  const cgroups = Array.from({ length: readers }, (_, i) => makeCgroup(`cargoscope-test-bench-${process.pid}-${i}`, {
    'memory.limit_in_bytes': `${64 + i}M`, 'cpuset.cpus': String(i % 2),
  }));
  const shim = await startShim({ mountDir: shimDir, log: () => undefined });
  const lxcfs = await startLxcfs(lxcfsDir);
  const results: Record<string, unknown>[] = [];
  try {
    await shim.ready;
    const mounts = { 'cargoscope-shim': shimDir, lxcfs: lxcfsDir } as const;
    const server = (impl: (typeof IMPLS)[number]): number | undefined => (impl === 'lxcfs' ? lxcfs?.pid : shim.workerPid());
    const impls = IMPLS.filter((i) => i !== 'lxcfs' || lxcfs !== undefined);
    for (const impl of impls) for (const file of FILES) await scenario(mounts[impl], file, cgroups, warmupMs / FILES.length, server(impl));
    for (const file of FILES) {
      for (const n of [1, readers]) {
        const byImpl = new Map<string, Row[]>();
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? impls : [...impls].reverse();
          for (const impl of order) {
            const row = await scenario(mounts[impl], file, cgroups.slice(0, n), ms, server(impl));
            byImpl.set(impl, [...(byImpl.get(impl) ?? []), row]);
          }
        }
        for (const [impl, rows] of byImpl) {
          const keys = Object.keys(rows[0] ?? {});
          results.push({ impl, file, ...Object.fromEntries(keys.map((k) => [k, median(rows, k)])), rounds: rows });
        }
      }
    }
  } finally {
    await shim.stop();
    await stopLxcfs(lxcfs, lxcfsDir);
    for (const c of cgroups) c.remove();
  }
  process.stdout.write(JSON.stringify({ benchmark: 'lxcfs-shim', seconds_per_scenario: ms / 1000, rounds, statistic: 'median over rounds', results }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
