import assert from 'node:assert/strict';
import { blkioByDevice, mapDockerStats } from '../../../../collector/sources/docker_stats/map';
import { cpuPercent, cpuReading, memoryPercent, memoryUsageNoCache } from '../../../../collector/sources/docker_stats/math';
import { CONTAINER_METRIC as M } from '../../../../core/naming';
import { discovered } from '../helpers';

const keep = (k: string): string => k;

describe('docker_stats CLI math', () => {
  it('computes CPU % as container delta over host delta times online CPUs', () => {
    const prev = { totalUsageNs: 1e9, systemUsageNs: 100e9, onlineCpus: 2 };
    const cur = { totalUsageNs: 2e9, systemUsageNs: 104e9, onlineCpus: 2 };
    assert.equal(cpuPercent(cur, prev), 50);
  });

  it('reports 0 without a previous reading and after a counter reset (restart)', () => {
    const cur = { totalUsageNs: 1e9, systemUsageNs: 104e9, onlineCpus: 2 };
    assert.equal(cpuPercent(cur, undefined), 0);
    assert.equal(cpuPercent(cur, { totalUsageNs: 5e9, systemUsageNs: 100e9, onlineCpus: 2 }), 0);
  });

  it('falls back to the per-CPU list length when online_cpus is missing', () => {
    const r = cpuReading({ cpu_usage: { total_usage: 10, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 100 });
    assert.equal(r?.onlineCpus, 4);
    assert.equal(cpuReading({ cpu_usage: {}, system_cpu_usage: 0 }), undefined);
  });

  it('subtracts total_inactive_file on cgroup v1 and inactive_file on v2', () => {
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { inactive_file: 100 } }), 900);
  });

  it('keeps usage when inactive file is absent or not below usage', () => {
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: {} }), 1000);
    assert.equal(memoryUsageNoCache({ usage: 1000, stats: { total_inactive_file: 1000 } }), 1000);
    assert.equal(memoryUsageNoCache(undefined), undefined);
  });

  it('computes MEM % against the limit, 0 without one', () => {
    assert.equal(memoryPercent(64, 128), 50);
    assert.equal(memoryPercent(64, 0), 0);
  });

  it('folds v1 Read/Write/Sync/Total and v2 read/write entries per device', () => {
    const v1 = blkioByDevice(
      [{ major: 8, minor: 0, op: 'Read', value: 10 }, { major: 8, minor: 0, op: 'Write', value: 20 }, { major: 8, minor: 0, op: 'Total', value: 30 }],
      [{ major: 8, minor: 0, op: 'Read', value: 1 }, { major: 8, minor: 0, op: 'Sync', value: 9 }],
    );
    assert.deepEqual(v1.get('8:0'), { readBytes: 10, writeBytes: 20, readOps: 1, writeOps: 0 });
    const v2 = blkioByDevice([{ major: 259, minor: 0, op: 'read', value: 5 }], null);
    assert.deepEqual(v2.get('259:0'), { readBytes: 5, writeBytes: 0, readOps: 0, writeOps: 0 });
  });
});

describe('mapDockerStats', () => {
  const stats = {
    read: '2024-01-01T00:00:10Z',
    cpu_stats: { cpu_usage: { total_usage: 3e9 }, system_cpu_usage: 120e9, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 100e9, online_cpus: 2 },
    memory_stats: { usage: 2000, stats: { inactive_file: 500, anon: 1200, file: 800 } },
    networks: { eth0: { rx_bytes: 7, tx_bytes: 9 } },
  };

  it('keeps CPU time as a counter in seconds and the CLI percentage as a gauge', () => {
    const { samples } = mapDockerStats(stats, discovered('a'), undefined, keep);
    assert.deepEqual(samples.find((s) => s.name === M.cpuUsageSeconds), { name: M.cpuUsageSeconds, kind: 'counter', value: 3, labels: undefined });
    assert.equal(samples.find((s) => s.name === M.cpuUsagePercent)?.value, 20);
    assert.equal(samples.find((s) => s.name === M.memoryWorkingSetBytes)?.value, 1500);
    assert.equal(samples.find((s) => s.name === M.memoryRssBytes)?.value, 1200);
  });

  it('prefers our own previous reading over precpu_stats', () => {
    const prev = { totalUsageNs: 2e9, systemUsageNs: 110e9, onlineCpus: 2 };
    const { samples } = mapDockerStats(stats, discovered('a'), prev, keep);
    assert.equal(samples.find((s) => s.name === M.cpuUsagePercent)?.value, 20);
  });

  it('reports only network (and start time) for a Kubernetes sandbox', () => {
    const sandbox = discovered('p');
    const { samples } = mapDockerStats(stats, { ...sandbox, identity: { ...sandbox.identity, isSandbox: true } }, undefined, keep);
    assert.deepEqual([...new Set(samples.map((s) => s.name))].sort(), [
      M.networkReceiveBytes, M.networkReceiveDropped, M.networkReceiveErrors, M.networkReceivePackets,
      M.networkTransmitBytes, M.networkTransmitDropped, M.networkTransmitErrors, M.networkTransmitPackets, M.startTimeSeconds,
    ].sort());
  });

  it('leaves network out for a container sharing another namespace', () => {
    const { samples } = mapDockerStats(stats, discovered('a', { network: 'shared' }), undefined, keep);
    assert.ok(!samples.some((s) => s.name === M.networkReceiveBytes));
  });
});
