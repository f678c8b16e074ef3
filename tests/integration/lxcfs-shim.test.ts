import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

import type { ShimHandle } from '../../lxcfs-shim';
import { dockerArgs, startShim } from '../../lxcfs-shim';
import { LXCFS_MOUNT, TESTBOX_IMAGE, requireServices } from './harness/services';
import { canRun, field, makeCgroup, mountedAt, readIn, runIn, tempDir, waitFor } from './lxcfs-shim-helpers';
import type { TestCgroup } from './lxcfs-shim-helpers';

describe('lxcfs-shim (integration: real FUSE mount, real cgroups, real lxcfs)', function () {
  this.timeout(60000);
  let shim: ShimHandle | undefined;
  let cg: TestCgroup | undefined;
  const shimDir = tempDir('cargoscope-shim-');
  // The shared reference lxcfs (Debian's), brought up by the services harness.
  const lxcfsDir = LXCFS_MOUNT;

  before(async function () {
    // Never a skip: a run that cannot exercise the real mount must say so by failing.
    const missing = canRun();
    if (missing !== undefined) throw new Error(`lxcfs-shim integration tests cannot run: ${missing} (CI runs them as root with /dev/fuse and cgroup v1)`);
    await requireServices(this, ['lxcfs']);
    this.timeout(60000);
    shim = await startShim({ mountDir: shimDir, log: () => undefined });
    await shim.ready;
    cg = makeCgroup(`cargoscope-test-shim-${process.pid}`, {
      'memory.limit_in_bytes': '64M', 'memory.memsw.limit_in_bytes': '96M', 'cpuset.cpus': '1', 'cpu.cfs_quota_us': '150000',
    });
  });

  after(async () => {
    await shim?.stop();
    cg?.remove();
    if (shim !== undefined) assert.equal(mountedAt(shimDir), false, 'the shim unmounted on stop');
  });

  const both = async (file: string): Promise<[string, string]> => {
    const name = (cg as TestCgroup).name;
    return Promise.all([readIn(name, `cat ${shimDir}${file}`), readIn(name, `cat ${lxcfsDir}${file}`)]);
  };

  it('meminfo: MemTotal is the 64 MiB limit and SwapTotal matches lxcfs; moving fields within tolerance', async () => {
    const [ours, theirs] = await both('/proc/meminfo');
    assert.equal(ours.split('\n')[0], 'MemTotal:          65536 kB');
    assert.deepEqual(ours.split('\n').map((l) => l.split(':')[0]), theirs.split('\n').map((l) => l.split(':')[0]));
    for (const k of ['MemTotal', 'SwapTotal', 'Buffers', 'Slab']) assert.equal(field(ours, k), field(theirs, k), k);
    assert.ok(Math.abs(field(ours, 'MemFree') - field(theirs, 'MemFree')) <= 4096, 'MemFree within 4 MiB');
  });

  it('readers in a loop in two cgroups each see only their own meminfo, every read (the synchronous path)', async () => {
    const other = makeCgroup(`cargoscope-test-shim-b-${process.pid}`, { 'memory.limit_in_bytes': '128M', 'memory.memsw.limit_in_bytes': '160M' });
    try {
      // One process per reader, 30 open/read/close each: from its second read on, the shim
      // serves it from kept descriptors without waiting — those reads must stay per cgroup.
      const loop = `python3 -c "
for i in range(30):
    with open('${shimDir}/proc/meminfo') as f: print(f.readline().split()[1], len(f.read().splitlines()))"`;
      const [a, b] = await Promise.all([readIn((cg as TestCgroup).name, loop), readIn(other.name, loop)]);
      const lines = (out: string): string[] => out.trim().split('\n');
      assert.equal(lines(a).length, 30);
      assert.equal(lines(b).length, 30);
      // MemTotal of the reader's own cgroup and every line after it, on every read.
      const rest = (cg0: string): number => (cg0.trim().split('\n').length - 1);
      const [ours] = await both('/proc/meminfo');
      assert.deepEqual([...new Set(lines(a))], [`65536 ${rest(ours)}`], 'the 64M cgroup, every read');
      assert.deepEqual([...new Set(lines(b))], [`131072 ${rest(ours)}`], 'the 128M cgroup, every read');
    } finally {
      other.remove();
    }
  });

  it('stat readers in a loop in two cgroups each see only their own CPUs, every read (the synchronous path)', async () => {
    const other = makeCgroup(`cargoscope-test-shim-c-${process.pid}`, { 'cpuset.cpus': '0' });
    try {
      // As the meminfo loop: from the second read on, stat is rendered from kept descriptors.
      const loop = `python3 -c "
for i in range(30):
    with open('${shimDir}/proc/stat') as f: print(' '.join(l.split()[0] for l in f if l.startswith('cpu')))"`;
      const [a, b] = await Promise.all([readIn((cg as TestCgroup).name, loop), readIn(other.name, loop)]);
      const lines = (out: string): string[] => out.trim().split('\n');
      assert.equal(lines(a).length, 30);
      assert.equal(lines(b).length, 30);
      assert.deepEqual([...new Set(lines(a))], ['cpu cpu1'], 'cpuset 1, every read');
      assert.deepEqual([...new Set(lines(b))], ['cpu cpu0'], 'cpuset 0, every read');
    } finally {
      other.remove();
    }
  });

  it('cpuinfo and cpu/online follow the cpuset exactly as lxcfs does', async () => {
    const [ours, theirs] = await both('/proc/cpuinfo');
    assert.deepEqual(ours.match(/^processor\s*:.*$/gm), ['processor\t: 0']);
    const [online, lxOnline] = await both('/sys/devices/system/cpu/online');
    assert.equal(online, '1\n');
    assert.equal(ours.replace(/^cpu MHz.*$/gm, ''), theirs.replace(/^cpu MHz.*$/gm, ''));
    assert.equal(online, lxOnline);
  });

  it('stat and swaps have lxcfs structure; per-CPU user/system within 1 s of lxcfs', async () => {
    const [ours, theirs] = await both('/proc/stat');
    const [swaps, lxSwaps] = await both('/proc/swaps');
    assert.match(ours, /^cpu {2}\d+ 0 \d+ \d+ 0 0 0 0 0 0\ncpu1 /);
    assert.deepEqual(ours.split('\n').map((l) => l.split(' ')[0]), theirs.split('\n').map((l) => l.split(' ')[0]));
    const cpu1 = (t: string): number[] => (/^cpu1 (.*)$/m.exec(t)?.[1] ?? '').split(' ').map(Number);
    assert.ok(Math.abs((cpu1(ours)[0] ?? 0) - (cpu1(theirs)[0] ?? 0)) <= 100);
    assert.equal(swaps, lxSwaps);
  });

  it('a reader in the host root cgroups sees the host files', async () => {
    const [meminfo, stat] = await Promise.all([readIn('', `cat ${shimDir}/proc/meminfo`), readIn('', `cat ${shimDir}/proc/stat`)]);
    const host = readFileSync('/proc/meminfo', 'utf8');
    assert.equal(field(meminfo, 'MemTotal'), field(host, 'MemTotal'));
    assert.equal(stat.split('\n')[0]?.split(/\s+/).length, readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).length);
    assert.equal((stat.match(/^cpu\d+/gm) ?? []).length, (readFileSync('/proc/stat', 'utf8').match(/^cpu\d+/gm) ?? []).length);
  });

  it('is read-only: writes fail with EROFS, creating files too', async () => {
    await assert.rejects(readIn('', `sh -c 'echo x > ${shimDir}/proc/meminfo'`), /Read-only file system/);
    await assert.rejects(readIn('', `touch ${shimDir}/proc/new`), /Read-only file system/);
  });

  it('serves sendfile/splice readers (what busybox cat and cp use) completely', async () => {
    const viaRead = await readIn((cg as TestCgroup).name, `cat ${shimDir}/proc/meminfo`);
    const viaSendfile = await readIn((cg as TestCgroup).name, `python3 -c "import os,sys; fd=os.open('${shimDir}/proc/meminfo', os.O_RDONLY); n=1
while n: n=os.sendfile(1, fd, None, 1<<20)"`);
    assert.equal(viaSendfile.split('\n').length, viaRead.split('\n').length);
    assert.equal(viaSendfile.split('\n')[0], 'MemTotal:          65536 kB');
  });

  it('renders afresh for a reader that keeps the file open and reads it again from offset 0 (top, procps)', async () => {
    const out = await readIn((cg as TestCgroup).name, `python3 -c "import os,time; fd=os.open('${shimDir}/proc/uptime', os.O_RDONLY); a=float(os.read(fd,4096).split()[0]); time.sleep(1.2); os.lseek(fd,0,0); b=float(os.read(fd,4096).split()[0]); print(round(b-a,1))"`);
    assert.ok(Number(out) >= 1, `the second read moved on by the time slept (${out.trim()} s)`);
  });

  it('keeps serving readers in a loop while the worker is SIGKILLed three times', async () => {
    const s = shim as ShimHandle;
    const loops = 4;
    // The loops read until told to stop rather than a fixed count: on a loaded shared machine a
    // fixed count either outlasts the timeout or ends before the kills. Every read must be right.
    const stopFile = `${tempDir('cargoscope-shim-stop-')}/stop`;
    const script = `ok=0; bad=0; while [ ! -e ${stopFile} ]; do if head -1 ${shimDir}/proc/meminfo | grep -q '^MemTotal:  *65536 kB$'; then ok=$((ok+1)); else bad=$((bad+1)); fi; done; echo "$ok $bad"`;
    const readers = Array.from({ length: loops }, async () => runIn((cg as TestCgroup).name, script, 120000));
    let finished = 0;
    readers.forEach((r) => void r.then(() => finished++, () => finished++));
    for (let k = 0; k < 3; k++) {
      const old = s.workerPid() as number;
      process.kill(old, 'SIGKILL');
      await waitFor(() => s.workerPid() !== undefined && s.workerPid() !== old, 'a new worker');
    }
    // Reads through the last new worker, then stop the loops.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(finished, 0, 'the kills happened while every reader loop was still running');
    writeFileSync(stopFile, '');
    for (const line of await Promise.all(readers)) {
      const [ok, bad] = line.trim().split(' ').map(Number);
      assert.equal(bad, 0, `a read failed or was wrong (${line.trim()})`);
      assert.ok((ok ?? 0) > 0, 'every loop read');
    }
  });

  it('inside a -m 64m --cpuset-cpus 0 Docker container: MemTotal 65536 kB, one processor', async function () {
    await requireServices(this, ['docker', 'images']);
    this.timeout(60000);
    const out = await new Promise<string>((resolve, reject) => execFile('docker', [
      'run', '--rm', '-m', '64m', '--cpuset-cpus', '0', ...dockerArgs(shimDir), TESTBOX_IMAGE,
      'sh', '-c', 'head -1 /proc/meminfo; grep -c processor /proc/cpuinfo; cat /sys/devices/system/cpu/online',
    ], { timeout: 30000, encoding: 'utf8' }, (e, o, se) => (e ? reject(new Error(se || e.message)) : resolve(o))));
    assert.equal(out, 'MemTotal:          65536 kB\n1\n0\n');
  });
});
