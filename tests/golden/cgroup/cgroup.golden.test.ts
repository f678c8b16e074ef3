import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CgroupFs, CgroupLocation } from '../../../core/cgroup';
import {
  CgroupResolver, effectiveMemoryLimit, readBlkio, readCpu, readCpuset, readMemory, readPids,
} from '../../../core/cgroup';
import { expectedText, goldenDir, listCases, recordedFs, toJson } from './recorded-fs';

/** Everything the readers say about one process, as one JSON document. */
async function snapshot(fs: CgroupFs, loc: CgroupLocation): Promise<unknown> {
  const mem = loc.dirs.get('memory');
  const cpuset = loc.dirs.get('cpuset');
  const blkio = loc.dirs.get('blkio');
  const pids = loc.dirs.get('pids');
  return toJson({
    location: loc,
    memory: mem && (await readMemory(fs, mem)),
    memoryLimit: mem && (await effectiveMemoryLimit(fs, mem, 'memory')),
    swapLimit: mem && (await effectiveMemoryLimit(fs, mem, 'swap')),
    cpu: await readCpu(fs, loc),
    cpuset: cpuset && (await readCpuset(fs, cpuset)),
    blkio: blkio && (await readBlkio(fs, blkio)),
    pids: pids && (await readPids(fs, pids)),
  });
}

async function run(caseName: string): Promise<Record<string, unknown>> {
  const dir = goldenDir('cgroup', caseName);
  const input = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as { pid: number };
  const fs = recordedFs(join(dir, 'root'));
  const loc = await new CgroupResolver({ fs }).locate(input.pid);
  assert.ok(loc.ok, `locate failed: ${JSON.stringify(loc)}`);
  const actual = JSON.stringify(await snapshot(fs, loc.value), null, 2) + '\n';
  assert.equal(actual, expectedText(dir, 'expected.json', actual));
  return JSON.parse(actual) as Record<string, unknown>;
}

describe('core/cgroup golden cases', () => {
  for (const c of listCases(goldenDir('cgroup'))) {
    it(`reads ${c} as recorded in expected.json`, async () => {
      await run(c);
    });
  }

  // Independent of expected.json: the values the recording script set must come back.
  it('v1-limited: finds the limits the recording set, including the ancestor walk', async () => {
    const s = (await run('v1-limited')) as {
      location: { mode: string }; memoryLimit: { bytes: number; from: string }; swapLimit: { bytes: number };
      memory: { limitBytes: number; swapLimitBytes: number; stat: { shmem: number } };
      cpu: { quota: { quotaUs: number; periodUs: number }; shares: number; perCpu: unknown[] };
      cpuset: { view: { cpus: number[] } }; pids: { max: number }; blkio: { devices: { readBytes: number; writeBytes: number }[] };
    };
    assert.equal(s.location.mode, 'hybrid');
    assert.equal(s.memoryLimit.bytes, 64 * 1024 * 1024);
    assert.equal(s.memoryLimit.from, '/sys/fs/cgroup/memory/cargoscope-golden/child');
    assert.equal(s.swapLimit.bytes, 96 * 1024 * 1024);
    assert.equal(s.memory.swapLimitBytes, 32 * 1024 * 1024);
    assert.ok(s.memory.stat.shmem >= 4 * 1024 * 1024, 'the 4 MiB tmpfs file is charged as shmem');
    assert.deepEqual(s.cpu.quota, { quotaUs: 150000, periodUs: 100000 });
    assert.equal(s.cpu.shares, 512);
    assert.deepEqual(s.cpuset.view.cpus, [1]);
    assert.equal(s.pids.max, 50);
    assert.ok(s.blkio.devices.some((d) => d.writeBytes === 4194304 && d.readBytes === 2097152 + 4096));
  });

  it('v2-docker: reads the hand-made unified files', async () => {
    const s = (await run('v2-docker')) as {
      location: { mode: string }; memoryLimit: { bytes: number }; swapLimit: { bytes: number };
      memory: { stat: { mappedFile: number; cache: number }; events: { oomKill: number } };
      cpu: { usageNs: number; quota: { quotaUs: number }; throttling: { throttledNs: number } };
      cpuset: { view: { cpus: number[]; file: string } }; pids: { max: null };
    };
    assert.equal(s.location.mode, 'v2');
    assert.equal(s.memoryLimit.bytes, 67108864);
    assert.equal(s.swapLimit.bytes, 33554432);
    assert.equal(s.memory.stat.mappedFile, 6291456);
    assert.equal(s.memory.events.oomKill, 1);
    assert.equal(s.cpu.usageNs, 8123456000);
    assert.equal(s.cpu.throttling.throttledNs, 1850000000);
    assert.deepEqual(s.cpuset.view, { cpus: [0, 1], text: '0-1', from: '/sys/fs/cgroup/system.slice/docker-4f1c2a.scope', file: 'cpuset.cpus.effective' });
    assert.equal(s.pids.max, null);
  });

  it('v1-missing: a removed cgroup yields problems naming each file, not exceptions', async () => {
    const s = (await run('v1-missing')) as { memory: { usageBytes: null; problems: { file: string; reason: string }[] } };
    assert.equal(s.memory.usageBytes, null);
    assert.ok(s.memory.problems.some((p) => p.file === '/sys/fs/cgroup/memory/gone/memory.usage_in_bytes' && p.reason === 'missing'));
  });
});
