import assert from 'node:assert/strict';

import type { MemoryStatFields } from '../../../core/cgroup';
import { renderCpuOnline } from '../../../lxcfs-shim/renderers/cpu-online';
import { cpusFromQuota } from '../../../lxcfs-shim/renderers/cpus';
import { renderCpuinfo } from '../../../lxcfs-shim/renderers/cpuinfo';
import { renderDiskstats } from '../../../lxcfs-shim/renderers/diskstats';
import { FIXED_1, nextAvenrun, renderLoadavg } from '../../../lxcfs-shim/renderers/loadavg';
import { renderMeminfo } from '../../../lxcfs-shim/renderers/meminfo';
import { distributeTicks, nsToTicks, renderStat } from '../../../lxcfs-shim/renderers/stat';
import { swapFigures } from '../../../lxcfs-shim/renderers/swap';
import { renderUptime } from '../../../lxcfs-shim/renderers/uptime';

const MiB = 1024 * 1024;
const HOST_MEMINFO = 'MemTotal:       24684084 kB\nMemFree:        20000000 kB\nMemAvailable:   22000000 kB\nCached:          1000000 kB\nSwapTotal:       2097152 kB\nSwapFree:        2097152 kB\nMapped:           100000 kB\nShmem:              9000 kB\nSlab:             200000 kB\nHugePages_Total:       0\n';
const STAT: MemoryStatFields = {
  cache: 20 * MiB, rss: 10 * MiB, rssHuge: 2 * MiB, shmem: 8 * MiB, mappedFile: 6 * MiB, dirty: MiB, writeback: 0,
  activeAnon: 9 * MiB, inactiveAnon: 9 * MiB, activeFile: 6 * MiB, inactiveFile: 6 * MiB, unevictable: 0,
  slabReclaimable: MiB, slabUnreclaimable: 2 * MiB, swap: null, pgfault: 0, pgmajfault: 0,
};
const field = (t: string, k: string): number => Number(new RegExp(`^${k.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(t)?.[1]);

describe('lxcfs-shim renderers', () => {
  it('meminfo: MemTotal is the limit, MemAvailable leaves out shmem, other lines pass through', () => {
    const out = renderMeminfo(HOST_MEMINFO, { version: 1, limitBytes: 64 * MiB, usageBytes: 40 * MiB, stat: STAT, swap: null });
    assert.equal(out.split('\n')[0], 'MemTotal:          65536 kB');
    assert.equal(field(out, 'MemFree'), 24 * 1024);
    assert.equal(field(out, 'MemAvailable'), 24 * 1024 + 12 * 1024, 'free + (cache - shmem)');
    assert.equal(field(out, 'Slab'), 0, 'v1 has no slab figures: 0 as in lxcfs');
    assert.match(out, /^HugePages_Total: {7}0$/m);
  });

  it('meminfo on v2: Mapped, Dirty, AnonHugePages and Slab come from memory.stat (lxcfs serves 0)', () => {
    const out = renderMeminfo(HOST_MEMINFO, { version: 2, limitBytes: null, usageBytes: 40 * MiB, stat: STAT, swap: null });
    assert.equal(field(out, 'MemTotal'), 24684084, 'unlimited → host RAM');
    assert.equal(field(out, 'Mapped'), 6 * 1024);
    assert.equal(field(out, 'Slab'), 3 * 1024);
  });

  it('swap: v1 reports the memsw limit capped at host swap; v2 the swap.max; swappiness 0 means none', () => {
    const base = { accounted: true, memLimitKb: 65536, memUsageKb: 1000, swappiness: 60, hostSwapTotalKb: 2097152 };
    assert.deepEqual(swapFigures({ ...base, version: 1, limitKb: 98304, usageKb: 1500 }), { totalKb: 98304, usedKb: 500 });
    assert.deepEqual(swapFigures({ ...base, version: 2, limitKb: 32768, usageKb: 100 }), { totalKb: 32768, usedKb: 100 });
    assert.deepEqual(swapFigures({ ...base, version: 2, limitKb: null, usageKb: 0, hostSwapTotalKb: 0 }), { totalKb: 0, usedKb: 0 });
    assert.deepEqual(swapFigures({ ...base, version: 1, limitKb: 98304, usageKb: 1000, swappiness: 0 }), { totalKb: 0, usedKb: 0 });
  });

  it('cpuinfo renumbers the cpuset and honours the CPU view limit; online serves the cpuset text', () => {
    const host = 'processor\t: 0\nmodel name\t: A\n\nprocessor\t: 1\nmodel name\t: B\n\nprocessor\t: 2\nmodel name\t: C\n\n';
    assert.equal(renderCpuinfo(host, { cpuset: [1, 2], cpusetText: '1-2', maxCpus: null }), 'processor\t: 0\nmodel name\t: B\n\nprocessor\t: 1\nmodel name\t: C\n\n');
    assert.equal(renderCpuinfo(host, { cpuset: [1, 2], cpusetText: '1-2', maxCpus: 1 }), 'processor\t: 0\nmodel name\t: B\n\n');
    assert.equal(renderCpuOnline('0-2\n', { cpuset: [1, 2], cpusetText: '1-2', maxCpus: null }), '1-2\n');
    assert.equal(renderCpuOnline('0-2\n', { cpuset: [1, 2], cpusetText: '1-2', maxCpus: 2 }), '0-1\n');
    assert.equal(cpusFromQuota(150000, 100000, 8, 8), 2, 'ceil(1.5)');
    assert.equal(cpusFromQuota(150000, 100000, 8, 1), 1, 'capped by the cpuset');
  });

  it('stat converts ns like lxcfs (double arithmetic) and makes idle absorb the rest', () => {
    assert.equal(nsToTicks(290000000), 28, 'lxcfs truncates 0.29*100 = 28.999… to 28');
    const host = 'cpu  100 0 100 1000 0 0 0 0 0 0\ncpu0 50 0 50 500 0 0 0 0 0 0\ncpu1 50 0 50 500 0 0 0 0 0 0\nctxt 5\n';
    const out = renderStat(host, { cpuset: [1], cpusetText: '1', maxCpus: null }, { kind: 'percpu', perCpuNs: [{ userNs: 0, systemNs: 0 }, { userNs: 2e8, systemNs: 1e8 }] });
    assert.equal(out, 'cpu  20 0 10 570 0 0 0 0 0 0\ncpu1 20 0 10 570 0 0 0 0 0 0\nctxt 5\n');
  });

  it('stat on v2 spreads the cgroup totals over visible CPUs by host busy time, summing exactly', () => {
    assert.deepEqual(distributeTicks(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(distributeTicks(7, [0, 0]), [4, 3]);
    const host = 'cpu  400 0 0 1000 0 0 0 0 0 0\ncpu0 300 0 0 500 0 0 0 0 0 0\ncpu1 100 0 0 500 0 0 0 0 0 0\n';
    const out = renderStat(host, { cpuset: null, cpusetText: null, maxCpus: null }, { kind: 'total', userNs: 2e9, systemNs: 0 });
    assert.equal(out.split('\n')[0], 'cpu  200 0 0 1200 0 0 0 0 0 0');
    assert.match(out, /^cpu0 150 0 0 650 /m);
  });

  it('diskstats puts sectors and discards in the kernel columns and omits idle devices', () => {
    const host = ' 254       0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
    const dev = { major: 254, minor: 0, readBytes: 1024, writeBytes: 2048, discardBytes: 512, readOps: 2, writeOps: 3, discardOps: 1 };
    assert.equal(renderDiskstats(host, [dev]), ' 254       0 vda 2 0 2 0 3 0 4 0 0 0 0 1 0 1 0 0 0\n');
    assert.equal(renderDiskstats(host, null), host);
  });

  it('loadavg follows the kernel fixed-point formula and format', () => {
    let a: readonly [number, number, number] = [0, 0, 0];
    for (let i = 0; i < 12; i++) a = nextAvenrun(a, 1); // one minute of one runnable task
    assert.ok(Math.abs(a[0] / FIXED_1 - (1 - Math.exp(-1))) < 0.01);
    assert.equal(renderLoadavg({ avenrun: [FIXED_1, FIXED_1 / 2, 0], running: 1, total: 3, lastPid: 42 }), '1.00 0.50 0.00 1/3 42\n');
  });

  it('uptime: age, and idle = age - busy as lxcfs does', () => {
    assert.equal(renderUptime({ ageSec: 100, busySec: 30.5 }), '100.00 69.50\n');
    assert.equal(renderUptime({ ageSec: 10, busySec: 30 }), '10.00 10.00\n');
  });
});
