import assert from 'node:assert/strict';

import {
  ancestorDirs, formatCpuList, locateFromTexts, parseCpuList, parseCpuMax, parseIoStat, parseLimit,
  parseMountinfo, parseUsageAll,
} from '../../../../core/cgroup';

describe('core/cgroup parsers', () => {
  it('treats v1 "unlimited" and v2 "max" as null, and keeps real limits', () => {
    assert.equal(parseLimit('9223372036854771712\n'), null);
    assert.equal(parseLimit('max\n'), null);
    assert.equal(parseLimit('67108864\n'), 67108864);
    assert.equal(parseLimit('-1'), undefined);
  });

  it('parses and formats cpu lists', () => {
    assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
    assert.deepEqual(parseCpuList(''), []);
    assert.equal(parseCpuList('3-1'), undefined);
    assert.equal(formatCpuList([0, 1, 2, 3, 8, 10, 11]), '0-3,8,10-11');
  });

  it('parses cpu.max, usage_all and io.stat', () => {
    assert.deepEqual(parseCpuMax('max 100000\n'), { quotaUs: null, periodUs: 100000 });
    assert.deepEqual(parseCpuMax('150000 100000'), { quotaUs: 150000, periodUs: 100000 });
    assert.deepEqual(parseUsageAll('cpu user system\n0 10 20\n1 30 40\n'), [{ userNs: 10, systemNs: 20 }, { userNs: 30, systemNs: 40 }]);
    assert.equal(parseUsageAll('garbage'), undefined);
    const io = parseIoStat('8:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n');
    assert.equal(io?.[0]?.writeBytes, 1024);
    assert.equal(io?.[0]?.readOps, 1);
  });

  it('unescapes mount points and recognises v1 controllers, v2 and named hierarchies', () => {
    const m = parseMountinfo('40 31 0:37 / /sys/fs/cgroup/cpu\\040x rw - cgroup cgroup rw,cpu,cpuacct\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n42 31 0:39 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n');
    assert.deepEqual(m.map((x) => [x.version, x.mountPoint, x.controllers]), [
      [1, '/sys/fs/cgroup/cpu x', ['cpu', 'cpuacct']], [2, '/sys/fs/cgroup/unified', []], [1, '/sys/fs/cgroup/systemd', []],
    ]);
  });

  it('locates a systemd-driver Docker container on pure v2, including cpuacct via cpu.stat', () => {
    const loc = locateFromTexts('0::/system.slice/docker-abc.scope\n', '26 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', 'cpuset cpu io memory pids');
    assert.equal(loc.mode, 'v2');
    assert.equal(loc.dirs.get('memory')?.dir, '/sys/fs/cgroup/system.slice/docker-abc.scope');
    assert.equal(loc.dirs.get('cpuacct')?.version, 2);
    assert.deepEqual(ancestorDirs(loc.dirs.get('memory')!), [
      '/sys/fs/cgroup/system.slice/docker-abc.scope', '/sys/fs/cgroup/system.slice', '/sys/fs/cgroup',
    ]);
  });

  it('maps a cgroup-namespaced mount root onto the right directory', () => {
    const loc = locateFromTexts('4:memory:/docker/abc/sub\n', '35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n', '');
    assert.equal(loc.dirs.get('memory')?.dir, '/sys/fs/cgroup/memory/sub');
  });
});
