import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { memoryFromFiles, memoryStatFieldsFromSlots, memoryStatValue, scanMemoryStat } from '../../../../core/cgroup';
import { goldenDir } from '../../../golden/cgroup/recorded-fs';

/** core's own reading of a memory.stat text: the reference the scanner must equal. */
function reference(version: 1 | 2, text: string): ReturnType<typeof memoryFromFiles> {
  return memoryFromFiles(version, '/x', new Map([['memory.stat', { ok: true, text }]]));
}

function assertSame(version: 1 | 2, text: string): void {
  const ref = reference(version, text);
  const slots = scanMemoryStat(text);
  if (ref.stat === null) {
    assert.equal(slots, undefined, `malformed for core, so for the scanner: ${JSON.stringify(text)}`);
    return;
  }
  assert.ok(slots !== undefined, JSON.stringify(text));
  assert.deepEqual(memoryStatFieldsFromSlots(slots, version), ref.stat);
  for (const k of ['hierarchical_memory_limit', 'hierarchical_memsw_limit'] as const) assert.equal(memoryStatValue(slots, k), ref.rawStat[k], k);
}

const V1 = 'cache 4096\nrss 8192\nrss_huge 0\nshmem 0\nmapped_file 0\ndirty 0\nwriteback 0\nswap 0\n'
  + 'hierarchical_memory_limit 67108864\nhierarchical_memsw_limit 9223372036854771712\n'
  + 'total_cache 12288\ntotal_rss 16384\ntotal_shmem 4096\ntotal_active_anon 1\ntotal_inactive_file 77\ntotal_swap 5\n';
const V2 = 'anon 1000\nfile 2000\nanon_thp 0\nfile_mapped 30\nfile_dirty 40\nfile_writeback 50\nshmem 60\n'
  + 'active_anon 70\ninactive_anon 80\nactive_file 90\ninactive_file 100\nunevictable 0\nslab_reclaimable 7\nslab_unreclaimable 8\npgfault 123\npgmajfault 4\n';

describe('core/cgroup memory.stat scanner (memory-scan.ts)', () => {
  it('equals memoryFromFiles on v1 and v2 texts, the huge v1 "no limit" included', () => {
    assertSame(1, V1);
    assertSame(2, V2);
    assertSame(1, V1.replace(/^total_.*\n/gm, '')); // no total_* keys: per-cgroup keys stand in
    assertSame(2, '');
  });

  it('equals memoryFromFiles on every recorded memory.stat (golden trees)', () => {
    const cases: [1 | 2, string][] = [
      [1, goldenDir('cgroup', 'v1-limited', 'root', 'sys/fs/cgroup/memory')],
      [2, goldenDir('cgroup', 'v2-docker', 'root', 'sys/fs/cgroup')],
      [1, goldenDir('collector', 'cgroup')],
      [2, goldenDir('collector', 'cgroup-v2')],
    ];
    let seen = 0;
    for (const [version, root] of cases) {
      for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('memory.stat'))) {
        assertSame(version, readFileSync(join(root, f), 'utf8'));
        seen++;
      }
    }
    assert.ok(seen >= 7, `memory.stat files seen: ${seen}`);
  });

  it('agrees with core on odd and malformed texts (they take core\'s own parser)', () => {
    const odd = [
      'cache 1\r\nrss 2\n', 'cache  1\n', 'cache 1 \n', 'cache -3\n', 'cache\t1\n', ' cache 1\n', 'cache\n', 'cache \n',
      'cache x\n', '\n\ncache 5\n\n', 'cache 1\ncache 2\n', 'total_cache 1', 'cache 12345678901234567890\n', 'rss 9007199254740993\n',
    ];
    for (const t of odd) for (const v of [1, 2] as const) assertSame(v, t);
  });

  it('reuses the slots it is given', () => {
    const slots = scanMemoryStat('cache 1\n');
    assert.ok(slots !== undefined);
    assert.equal(scanMemoryStat('rss 2\n', slots), slots);
    assert.equal(memoryStatValue(slots, 'cache'), undefined);
    assert.equal(memoryStatValue(slots, 'rss'), 2);
  });
});
