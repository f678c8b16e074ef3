import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CgroupFs, CgroupLocation, ControllerDir, FileRead } from '../../../core/cgroup';
import { CgroupResolver, controllerDir, readCpu, readCpuset, readMemory } from '../../../core/cgroup';
import { CachedFdFs } from '../../../lxcfs-shim/io/cached-fs';
import { openChecked } from '../../../lxcfs-shim/io/pseudo-fs';
import { DEFAULT_SHIM_OPTIONS } from '../../../lxcfs-shim/view/files';
import { gatherMemory, gatherStatUsage, gatherStatUsageNow, gatherVisibility, gatherVisibilityNow } from '../../../lxcfs-shim/view/gather';
import type { ReadNow } from '../../../lxcfs-shim/view/reads';
import {
  readCpuTimesForView, readCpuTimesForViewNow, readCpusetForView, readCpusetForViewNow, readMemoryForView, readQuotaForView,
  readQuotaForViewNow, readUsageForView,
} from '../../../lxcfs-shim/view/reads';
import { goldenDir, recordedFs } from '../../golden/cgroup/recorded-fs';

async function golden(name: string, pid: number): Promise<{ fs: CgroupFs; loc: CgroupLocation }> {
  const fs = recordedFs(join(goldenDir('cgroup', name), 'root'));
  const loc = await new CgroupResolver({ fs }).locate(pid);
  assert.ok(loc.ok);
  return { fs, loc: loc.value };
}

/** Serves a fixed set of texts; records which paths were read. */
function memoryFs(files: Record<string, string>): CgroupFs & { read: string[] } {
  const read: string[] = [];
  return {
    read,
    readText: (path: string): Promise<FileRead> => {
      read.push(path);
      const text = files[path];
      return Promise.resolve(text === undefined ? { ok: false, problem: { file: path, reason: 'missing', detail: '' } } : { ok: true, text });
    },
    listSubdirs: () => Promise.resolve({ ok: true, value: [] }),
  };
}

/**
 * Runs a synchronous reader over `fs` as the shim does: a file not yet in hand gives undefined,
 * is then read (as CachedFdFs opens and keeps it) and the reader is called again. Returns the
 * result and how many calls gave undefined, each for one file not in hand.
 */
async function untilInHand<T>(fs: CgroupFs, run: (now: ReadNow) => T | undefined): Promise<{ value: T; misses: number }> {
  const hand = new Map<string, FileRead>();
  for (let misses = 0; ; misses++) {
    let wanted: string | undefined;
    const now: ReadNow = (path) => {
      const f = hand.get(path);
      if (f === undefined) wanted ??= path;
      return f;
    };
    const value = run(now);
    if (value !== undefined) return { value, misses };
    assert.ok(wanted !== undefined, 'undefined only when a file was not in hand');
    hand.set(wanted, await fs.readText(wanted));
  }
}

describe('lxcfs-shim narrowed cgroup reads (view/reads.ts)', () => {
  for (const [name, pid] of [['v1-limited', 13433], ['v2-docker', 4242]] as const) {
    it(`${name}: memory fields a render uses equal the full reader's`, async () => {
      const { fs, loc } = await golden(name, pid);
      const cg = loc.dirs.get('memory') as ControllerDir;
      const [full, view] = await Promise.all([readMemory(fs, cg), readMemoryForView(fs, cg, true)]);
      for (const k of ['usageBytes', 'swapUsageBytes', 'memswUsageBytes', 'swappiness', 'stat'] as const) {
        assert.deepEqual(view[k], full[k], k);
      }
      // The v1 hierarchical limits as gather.ts took them from the full reader's rawStat before.
      const limit = (v: number | undefined): number | null | undefined => (v === undefined ? undefined : v >= 2 ** 62 ? null : v);
      assert.equal(view.hierarchicalMemoryLimit, cg.version === 2 ? undefined : limit(full.rawStat['hierarchical_memory_limit']));
      assert.equal(view.hierarchicalMemswLimit, cg.version === 2 ? undefined : limit(full.rawStat['hierarchical_memsw_limit']));
      assert.deepEqual(view.problems, []);
    });

    it(`${name}: CPU times, quota, usage and cpuset equal the full readers'`, async () => {
      const { fs, loc } = await golden(name, pid);
      const full = await readCpu(fs, loc);
      assert.ok('quota' in full);
      const [times, quota, usage] = await Promise.all([readCpuTimesForView(fs, loc), readQuotaForView(fs, loc), readUsageForView(fs, loc)]);
      assert.ok('quota' in times && 'quota' in quota && 'quota' in usage);
      // The totals are /proc/stat's input only when there are no per-CPU figures (v2).
      assert.deepEqual(times.perCpu, full.perCpu);
      if (full.perCpu === null) assert.deepEqual([times.userNs, times.systemNs], [full.userNs, full.systemNs]);
      assert.deepEqual(quota.quota, full.quota);
      assert.equal(usage.usageNs, full.usageNs);
      const cs = loc.dirs.get('cpuset') as ControllerDir;
      assert.deepEqual((await readCpusetForView(fs, cs)).view, (await readCpuset(fs, cs)).view);
    });
  }

  for (const [name, pid] of [['v1-limited', 13433], ['v2-docker', 4242]] as const) {
    it(`${name}: stat's inputs read without waiting equal the awaited ones, and wait for every file not in hand`, async () => {
      const { fs, loc } = await golden(name, pid);
      const cs = loc.dirs.get('cpuset') as ControllerDir;
      const times = await untilInHand(fs, (now) => readCpuTimesForViewNow(now, loc));
      assert.deepEqual(times.value, await readCpuTimesForView(fs, loc));
      assert.equal(times.misses, 1, 'usage_all or cpu.stat');
      assert.deepEqual((await untilInHand(fs, (now) => readQuotaForViewNow(now, loc))).value, await readQuotaForView(fs, loc));
      assert.deepEqual((await untilInHand(fs, (now) => readCpusetForViewNow(now, cs))).value, await readCpusetForView(fs, cs));
      for (const cpuView of [false, true]) {
        const ctx = { fs, options: { ...DEFAULT_SHIM_OPTIONS, cpuView } };
        const vis = await untilInHand(fs, (now) => gatherVisibilityNow(ctx, now, loc, '0-1\n'));
        assert.deepEqual(vis.value, await gatherVisibility(ctx, loc, '0-1\n'), `cpuView ${cpuView}`);
      }
      const ctx = { fs, options: DEFAULT_SHIM_OPTIONS };
      assert.deepEqual((await untilInHand(fs, (now) => gatherStatUsageNow(now, loc))).value, await gatherStatUsage(ctx, loc));
    });
  }

  it('stat without waiting: a v1 cgroup without usage_all is left to the awaited full reader', () => {
    const acct = controllerDir(1, '/a', '/x');
    const loc: CgroupLocation = { mode: 'v1', dirs: new Map([['cpuacct', acct], ['cpu', acct]]), unified: undefined };
    const missing: FileRead = { ok: false, problem: { file: '/a/x/cpuacct.usage_all', reason: 'missing', detail: '' } };
    assert.equal(readCpuTimesForViewNow((p) => (p.endsWith('usage_all') ? missing : undefined), loc), undefined);
    assert.equal(gatherStatUsageNow((p) => (p.endsWith('usage_all') ? missing : undefined), loc), undefined);
  });

  it('v1-limited: meminfo input and stat usage come out as recorded (limits from memory.stat)', async () => {
    const { fs, loc } = await golden('v1-limited', 13433);
    const m = await gatherMemory({ fs, options: DEFAULT_SHIM_OPTIONS }, loc);
    assert.equal(m?.limitBytes, 64 * 1024 * 1024);
    assert.equal(m?.swap?.limitKb, 96 * 1024);
    const u = await gatherStatUsage({ fs, options: DEFAULT_SHIM_OPTIONS }, loc);
    assert.deepEqual(u, { kind: 'percpu', perCpuNs: [{ userNs: 0, systemNs: 0 }, { userNs: 140000000, systemNs: 12000000 }] });
  });

  it('cpuset: one file when the cgroup has its own list; walks up past empty lists like core', async () => {
    const own = memoryFs({ '/c/a/cpuset.cpus': '1\n', '/c/a/cpuset.effective_cpus': '1\n', '/c/cpuset.cpus': '0-1\n' });
    const a = controllerDir(1, '/c', '/a');
    assert.deepEqual((await readCpusetForView(own, a)).view?.cpus, [1]);
    assert.deepEqual(own.read, ['/c/a/cpuset.cpus']);
    const v2 = memoryFs({ '/u/x/y/cpuset.cpus': '', '/u/x/y/cpuset.cpus.effective': '', '/u/x/cpuset.cpus': '\n', '/u/x/cpuset.cpus.effective': '0,3\n' });
    const y = controllerDir(2, '/u', '/x/y');
    const [view, full] = [await readCpusetForView(v2, y), await readCpuset(v2, y)];
    assert.deepEqual(view, full);
    assert.deepEqual(view.view?.cpus, [0, 3]);
  });
});

describe('lxcfs-shim synchronous reads only on pseudo-filesystems (io/pseudo-fs.ts)', () => {
  it('classifies procfs, sysfs and cgroupfs descriptors as sync and a regular file as not', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shim-pseudo-')), 'f');
    writeFileSync(file, 'x');
    const paths: [string, boolean][] = [['/proc/uptime', true], ['/sys/devices/system/cpu/online', true], [file, false]];
    for (const cg of ['/sys/fs/cgroup/memory/memory.stat', '/sys/fs/cgroup/cgroup.controllers']) {
      if ((await openChecked(cg).then((f) => (closeSync(f.fd), true), () => false))) paths.push([cg, true]);
    }
    for (const [path, sync] of paths) {
      const f = await openChecked(path);
      closeSync(f.fd);
      assert.equal(f.sync, sync, path);
    }
  });

  it('CachedFdFs reads a kept pseudo-file synchronously, a regular file never', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'shim-cached-')), 'f');
    writeFileSync(file, 'one');
    const fs = new CachedFdFs();
    // A promise settled before the race wins against one that settles two microtasks later;
    // a read waiting in the threadpool cannot complete while microtasks run.
    const settled = (p: Promise<FileRead>): Promise<boolean> =>
      Promise.race([p.then(() => true), Promise.resolve().then(() => undefined).then(() => false)]);
    assert.deepEqual(await fs.readText(file), { ok: true, text: 'one' });
    writeFileSync(file, 'two');
    const again = fs.readText(file);
    assert.equal(await settled(again), false, 'a regular file is read through the threadpool');
    assert.deepEqual(await again, { ok: true, text: 'two' });
    await fs.readText('/proc/uptime');
    const up = fs.readText('/proc/uptime');
    assert.equal(await settled(up), true, 'a kept procfs descriptor is read inline');
    const r = await up;
    assert.ok(r.ok && /^\d+\.\d+ \d+\.\d+\n$/.test(r.text));
    await fs.closeAll();
  });
});
