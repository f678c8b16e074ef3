import assert from 'node:assert/strict';
import { parseBootTimeSecs, parseNetDev, parsePartitions, parseProcStartTicks, processStartMs } from '../../../../collector/scrape/procfs';
import { containerIdFromDir, initPid } from '../../../../collector/discovery/cgroup-walk';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1296      16    1    2    0     0          0         0      656       8    3    4    0     0       0          0
`;

describe('procfs parsers', () => {
  it('reads per-interface counters from net/dev and drops loopback', () => {
    const m = parseNetDev(NET_DEV);
    assert.deepEqual([...(m?.keys() ?? [])], ['eth0']);
    assert.deepEqual(m?.get('eth0'), { rxBytes: 1296, rxPackets: 16, rxErrors: 1, rxDropped: 2, txBytes: 656, txPackets: 8, txErrors: 3, txDropped: 4 });
  });

  it('rejects text that is not net/dev', () => {
    assert.equal(parseNetDev('garbage'), undefined);
    assert.equal(parseNetDev(`${NET_DEV.split('\n').slice(0, 2).join('\n')}\n eth0: 1 2 3\n`), undefined);
  });

  it('finds starttime after a comm that contains spaces and parentheses', () => {
    const stat = '4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 123456 1000 10';
    assert.equal(parseProcStartTicks(stat), 123456);
    assert.equal(parseBootTimeSecs('cpu 1 2 3\nbtime 1700000000\nprocesses 5\n'), 1700000000);
    assert.equal(processStartMs(1700000000, 123456), 1700001234560);
  });

  it('names block devices from /proc/partitions', () => {
    const m = parsePartitions('major minor  #blocks  name\n\n 254        0   52428800 vda\n 254        1   52427776 vda1\n');
    assert.equal(m.get('254:1'), '/dev/vda1');
  });
});

describe('cgroup walk helpers', () => {
  const id = 'a'.repeat(64);
  it('recognises container cgroups of every common runtime', () => {
    for (const dir of [id, `docker-${id}.scope`, `cri-containerd-${id}.scope`, `crio-${id}.scope`, `libpod-${id}.scope`]) {
      assert.equal(containerIdFromDir(dir), id, dir);
    }
    assert.equal(containerIdFromDir('system.slice'), undefined);
    assert.equal(containerIdFromDir('kubepods-burstable.slice'), undefined);
  });

  it('takes the smallest pid as the init process', () => {
    assert.equal(initPid('30\n12\n44\n'), 12);
    assert.equal(initPid(''), 0);
  });
});
