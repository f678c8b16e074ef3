import assert from 'node:assert/strict';

import { PAGE_BYTES, SnapshotStore, allocateSnapshots } from '../../../lxcfs-shim/fuse/snapshots';
import type { ControllerDir } from '../../../core/cgroup';
import { LoadavgPublisher, RemoteLoadavg, allocateLoadavgBoard } from '../../../lxcfs-shim/loadavg/shared';
import type { LoadavgTrack } from '../../../lxcfs-shim/loadavg/shared';
import { perProcessProcIsPlain } from '../../../lxcfs-shim/io/proc-pid';

describe('lxcfs-shim shared snapshot store', () => {
  it('a handle created through one thread view is read through another (same buffers)', () => {
    const b = allocateSnapshots(16, 16);
    const a = new SnapshotStore(b, 0, 2);
    const other = new SnapshotStore(b, 1, 2);
    const fh = a.create(Buffer.from('MemTotal: 1 kB\n')) as bigint;
    assert.equal(other.get(fh)?.toString(), 'MemTotal: 1 kB\n');
    other.release(fh);
    assert.equal(a.get(fh), undefined, 'released through the other view');
    assert.equal(a.open(), 0);
  });

  it('spans several pages and frees them all', () => {
    const s = new SnapshotStore(allocateSnapshots(4, 3));
    const big = Buffer.alloc(PAGE_BYTES * 3, 'x');
    const fh = s.create(big) as bigint;
    assert.equal(s.get(fh)?.length, big.length);
    assert.equal(s.create(Buffer.from('y')), undefined, 'no page left');
    s.release(fh);
    assert.notEqual(s.create(Buffer.from('y')), undefined, 'pages came back');
  });

  it('never serves a handle of another worker (epoch) or of a released, reused slot (tag)', () => {
    const s = new SnapshotStore(allocateSnapshots(1, 4));
    const fh = s.create(Buffer.from('first')) as bigint;
    s.release(fh);
    const fh2 = s.create(Buffer.from('second')) as bigint;
    assert.equal(s.get(fh), undefined, 'same slot, new tag');
    assert.equal(s.get(fh2)?.toString(), 'second');
    const foreign = new SnapshotStore(allocateSnapshots(1, 4));
    assert.equal(foreign.get(fh2), undefined);
  });

  it('replaces a render in place of the handle and reports a second read from offset 0', () => {
    const s = new SnapshotStore(allocateSnapshots(2, 4));
    const fh = s.create(Buffer.from('old')) as bigint;
    assert.equal(s.markServed(fh), false, 'first read');
    assert.equal(s.markServed(fh), true, 'read again');
    assert.equal(s.replace(fh, Buffer.from('newer render')), true);
    assert.equal(s.get(fh)?.toString(), 'newer render');
    s.release(fh);
    assert.equal(s.create(Buffer.alloc(PAGE_BYTES * 4)) !== undefined, true, 'old and new pages all freed');
  });
});

describe('lxcfs-shim synchronous per-process /proc reads', () => {
  const line = (id: number, mountPoint: string, fstype: string): string => `${id} 1 0:5 / ${mountPoint} rw,relatime shared:1 - ${fstype} ${fstype} rw`;

  it('are allowed when /proc is procfs and nothing is mounted below a per-process directory', () => {
    const base = [line(1, '/', 'ext4'), line(2, '/proc', 'proc'), line(3, '/proc/sys/fs/binfmt_misc', 'binfmt_misc')];
    assert.equal(perProcessProcIsPlain(base.join('\n')), true);
    // lxcfs-style mounts over /proc/meminfo are not per-process paths: still plain.
    assert.equal(perProcessProcIsPlain([...base, line(4, '/proc/meminfo', 'fuse.lxcfs')].join('\n')), true);
    assert.equal(perProcessProcIsPlain([...base, line(5, '/proc/1/cgroup', 'fuse')].join('\n')), false);
    assert.equal(perProcessProcIsPlain([...base, line(6, '/proc/self', 'tmpfs')].join('\n')), false);
    assert.equal(perProcessProcIsPlain([line(1, '/', 'ext4'), line(2, '/proc', 'fuse')].join('\n')), false, '/proc not procfs');
    assert.equal(perProcessProcIsPlain(line(1, '/', 'ext4')), false, 'no /proc mount');
  });
});

describe('lxcfs-shim load averages shared with serving threads', () => {
  const cg: ControllerDir = { version: 1, dir: '/sys/fs/cgroup/cpu/a', mountPoint: '/sys/fs/cgroup/cpu', path: '/a' };

  it('asks the sampler to track an unknown cgroup once per minute and serves the initial figures', () => {
    const posted: LoadavgTrack[] = [];
    let now = 0;
    const r = new RemoteLoadavg(allocateLoadavgBoard(), (m) => posted.push(m), () => now);
    assert.deepEqual(r.read(cg, 42), { avenrun: [0, 0, 0], running: 0, total: 1, lastPid: 42 });
    r.read(cg, 42);
    assert.equal(posted.length, 1);
    now = 61_000;
    r.read(cg, 42);
    assert.equal(posted.length, 2);
  });

  it('reads what the publisher published, and only whole publications', () => {
    const board = allocateLoadavgBoard(256);
    const pub = new LoadavgPublisher(board);
    const r = new RemoteLoadavg(board, () => undefined);
    pub.publish([[cg.dir, { avenrun: [100, 50, 25], running: 1, total: 3, lastPid: 7 }]]);
    assert.deepEqual(r.read(cg, 1).avenrun, [100, 50, 25]);
    const many = Array.from({ length: 20 }, (_, i): [string, { avenrun: [number, number, number]; running: number; total: number; lastPid: number }] =>
      [`/sys/fs/cgroup/cpu/c${i}`, { avenrun: [i, i, i], running: 0, total: 1, lastPid: i }]);
    pub.publish(many);
    assert.ok(pub.dropped > 0, 'a board too small drops cgroups and counts them');
    assert.deepEqual(r.read({ ...cg, dir: '/sys/fs/cgroup/cpu/c0' }, 1).avenrun, [0, 0, 0]);
  });
});
