import assert from 'node:assert/strict';
import { fromInspect, networkOwnership, parseDockerTime, specFromHostConfig } from '../../../../collector/discovery/docker-inspect';
import { labelFilter } from '../../../../collector/discovery/identity';

describe('specFromHostConfig', () => {
  it('turns --cpus into a quota over the default period', () => {
    assert.deepEqual(specFromHostConfig({ NanoCpus: 500_000_000, Memory: 64 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024 }), {
      memoryLimitBytes: 64 * 1024 * 1024, memorySwapLimitBytes: 128 * 1024 * 1024, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000,
      cpuShares: null, cpusetCpus: null, pidsLimit: null,
    });
  });

  it('keeps an explicit quota and period, cpuset size and pids limit', () => {
    const s = specFromHostConfig({ CpuQuota: 25_000, CpuPeriod: 50_000, CpusetCpus: '0-1,3', PidsLimit: 100, MemorySwap: -1, CpuShares: 512 });
    assert.equal(s.cpuQuotaUs, 25_000);
    assert.equal(s.cpuPeriodUs, 50_000);
    assert.equal(s.cpusetCpus, 3);
    assert.equal(s.pidsLimit, 100);
    assert.equal(s.memorySwapLimitBytes, null);
    assert.equal(s.cpuShares, 512);
  });
});

describe('fromInspect', () => {
  const filter = labelFilter({ allow: ['com.docker.compose.project'], maxValueLength: 64 });

  it('builds identity, pid, start time and network ownership once from an inspect body', () => {
    const c = fromInspect({
      Id: 'f'.repeat(64), Name: '/blog-web-1',
      Config: { Image: 'nginx', Labels: { 'com.docker.compose.project': 'blog', 'com.docker.compose.service': 'web' } },
      State: { Running: true, Pid: 4242, StartedAt: '2024-05-01T10:00:00.123456789Z' },
      HostConfig: { NetworkMode: 'container:abc' },
    }, 'n1', filter);
    assert.ok(c);
    assert.equal(c.pid, 4242);
    assert.equal(c.startedAtMs, Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    assert.equal(c.network, 'shared');
    assert.equal(c.identity.workload.id, 'compose/blog/web');
    assert.deepEqual(c.identity.labels, { 'com.docker.compose.project': 'blog' });
  });

  it('returns nothing for a container that is not running', () => {
    assert.equal(fromInspect({ Id: 'x', Name: '/x', State: { Running: false } }, 'n1', filter), undefined);
  });

  it('reads network modes and the zero time', () => {
    assert.deepEqual(['bridge', 'host', 'none', 'container:x', undefined].map(networkOwnership), ['own', 'host', 'none', 'shared', 'own']);
    assert.equal(parseDockerTime('0001-01-01T00:00:00Z'), 0);
  });
});
