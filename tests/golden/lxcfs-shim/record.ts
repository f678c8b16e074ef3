/**
 * Records a golden case for the renderers on a live cgroup v1/hybrid host, with real lxcfs's
 * output for the same cgroup at the same moment (run as root, lxcfs mounted at LXCFS_DIR):
 *   node <dist>/tests/golden/lxcfs-shim/record.js <case> <memLimit> <memswLimit|-> <cpus> <quotaUs|->
 * The shell workload, the cgroup and the scratch files are removed afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CgroupResolver, nodeCgroupFs } from '../../../core/cgroup';
import { DEFAULT_SHIM_OPTIONS } from '../../../lxcfs-shim/view/files';
import { gatherDevices, gatherMemory, gatherStatUsage, gatherVisibility } from '../../../lxcfs-shim/view/gather';
import { goldenDir } from '../cgroup/recorded-fs';
import type { RenderCaseInput } from './case';
import { HOST_FILES, renderCase } from './case';

const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'pids'];
const HOST_PATHS: Record<(typeof HOST_FILES)[number], string> = {
  meminfo: '/proc/meminfo', cpuinfo: '/proc/cpuinfo', stat: '/proc/stat', diskstats: '/proc/diskstats', online: '/sys/devices/system/cpu/online',
};
const LXCFS_PATHS: Record<string, string> = { ...HOST_PATHS, uptime: '/proc/uptime', swaps: '/proc/swaps', loadavg: '/proc/loadavg' };

function setup(name: string, mem: string, memsw: string, cpus: string, quota: string): void {
  for (const c of CONTROLLERS) mkdirSync(`/sys/fs/cgroup/${c}/${name}`, { recursive: true });
  writeFileSync(`/sys/fs/cgroup/memory/${name}/memory.limit_in_bytes`, mem);
  if (memsw !== '-') writeFileSync(`/sys/fs/cgroup/memory/${name}/memory.memsw.limit_in_bytes`, memsw);
  writeFileSync(`/sys/fs/cgroup/cpuset/${name}/cpuset.mems`, '0');
  writeFileSync(`/sys/fs/cgroup/cpuset/${name}/cpuset.cpus`, cpus);
  if (quota !== '-') writeFileSync(`/sys/fs/cgroup/cpu/${name}/cpu.cfs_quota_us`, quota);
}

function inCgroup(name: string, cmd: string): string {
  const join_ = CONTROLLERS.map((c) => `echo $$ > /sys/fs/cgroup/${c}/${name}/cgroup.procs`).join('; ');
  return execFileSync('sh', ['-c', `${join_}; exec ${cmd}`], { encoding: 'utf8' });
}

async function main(): Promise<void> {
  const [caseName, mem, memsw, cpus, quota] = process.argv.slice(2);
  if (caseName === undefined || mem === undefined || memsw === undefined || cpus === undefined || quota === undefined) throw new Error('usage: record <case> <mem> <memsw|-> <cpus> <quota|->');
  const lxcfs = process.env.LXCFS_DIR ?? '/tmp/lxcfs-ref';
  const name = `cargoscope-test-record-${process.pid}`;
  setup(name, mem, memsw, cpus, quota);
  // A workload that leaves page cache, tmpfs and CPU time behind, then parks.
  const shm = `/dev/shm/${name}`;
  inCgroup(name, `sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; dd if=/dev/zero of=${shm} bs=1M count=2 2>/dev/null'`);
  const parked = spawn('sh', ['-c', `${CONTROLLERS.map((c) => `echo $$ > /sys/fs/cgroup/${c}/${name}/cgroup.procs`).join('; ')}; exec sleep 60`], { stdio: 'ignore' });
  try {
    // Wait for the condition (the shell has moved itself into every controller), not for time.
    const want = CONTROLLERS.length;
    while ((readFileSync(`/proc/${parked.pid}/cgroup`, 'utf8').match(new RegExp(name, 'g')) ?? []).length < want) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const dir = goldenDir('lxcfs-shim', caseName);
    mkdirSync(join(dir, 'host'), { recursive: true });
    mkdirSync(join(dir, 'lxcfs'), { recursive: true });
    const ctx = { fs: nodeCgroupFs, options: DEFAULT_SHIM_OPTIONS };
    const loc = await new CgroupResolver().locate(parked.pid as number);
    if (!loc.ok) throw new Error(JSON.stringify(loc.problem));
    for (const f of HOST_FILES) writeFileSync(join(dir, 'host', f), readFileSync(HOST_PATHS[f], 'utf8'));
    const online = readFileSync(HOST_PATHS.online, 'utf8');
    const [memory, visibility, statUsage, blkio] = await Promise.all([
      gatherMemory(ctx, loc.value), gatherVisibility(ctx, loc.value, online), gatherStatUsage(ctx, loc.value), gatherDevices(ctx, loc.value),
    ]);
    for (const [f, p] of Object.entries(LXCFS_PATHS)) writeFileSync(join(dir, 'lxcfs', f), inCgroup(name, `cat ${lxcfs}${p}`));
    if (memory === null || visibility === null) throw new Error('cgroup values unavailable');
    const input: RenderCaseInput = {
      description: `v1 cgroup: memory ${mem}, memsw ${memsw}, cpuset ${cpus}, quota ${quota}; recorded with lxcfs 5.0.3 output`,
      memory, visibility, statUsage,
      uptime: { ageSec: 1234.5, busySec: 12.25 },
      loadavg: { avenrun: [1100, 600, 200], running: 1, total: 3, lastPid: 4242 },
      devices: blkio?.devices ?? null,
    };
    writeFileSync(join(dir, 'input.json'), JSON.stringify(input, null, 2) + '\n');
    mkdirSync(join(dir, 'expected'), { recursive: true });
    for (const [f, text] of Object.entries(renderCase(dir))) writeFileSync(join(dir, 'expected', f), text);
  } finally {
    parked.kill();
    await new Promise((r) => parked.once('exit', r));
    rmSync(shm, { force: true });
    for (const c of CONTROLLERS) rmdirSync(`/sys/fs/cgroup/${c}/${name}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
