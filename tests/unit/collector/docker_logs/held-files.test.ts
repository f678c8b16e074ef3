import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHolder, type HoldPolicy } from '../../../../collector/sources/docker_logs/held-files';

/** Docker's rename rotation with max-file=3: `.1` → `.2` (the old `.2` deleted), live → `.1`, new live. */
async function rotate(live: string, content: string): Promise<void> {
  await unlink(`${live}.2`).catch(() => undefined);
  await rename(`${live}.1`, `${live}.2`).catch(() => undefined);
  await rename(live, `${live}.1`);
  await writeFile(live, content);
}

function policy(over: Partial<HoldPolicy> = {}): HoldPolicy & { fulls: number } {
  const p = { fulls: 0, wanted: () => true, room: () => 10, full: () => void p.fulls++, ...over };
  return p;
}

/** A live file rotated once (`a` in `.1`, `b` live), both grabbed by a fresh holder. */
async function holdingTwo(): Promise<{ live: string; holder: FileHolder }> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-held-'));
  const live = join(dir, 'x-json.log');
  await writeFile(live, 'a\n');
  await rotate(live, 'b\n');
  const holder = new FileHolder(policy(), 3);
  holder.grab(live);
  return { live, holder };
}

describe('docker_logs held rotated files', () => {
  it('holds files at once and reads them after Docker deleted them, oldest first', async () => {
    const { live, holder } = await holdingTwo();
    assert.equal(holder.size, 2);
    // Two more rotations delete both held files from the directory.
    await rotate(live, 'c\n');
    await rotate(live, 'd\n');
    const files = await holder.take(() => true);
    assert.equal(holder.size, 0);
    const contents = await Promise.all(files.map((f) => readFile(f.fh, 'utf8')));
    assert.deepEqual(contents, ['a\n', 'b\n']);
    assert.deepEqual(files.map((f) => f.path), [`${live}.1`, live], 'the path each file was first seen at');
    await Promise.all(files.map((f) => f.close()));
  });

  it('proves adjacency from a consistent snapshot, so a gap can be told apart', async () => {
    const { holder } = await holdingTwo();
    const [a, b] = await holder.take(() => true);
    assert.ok(a && b);
    assert.equal(holder.olderNeighbour(b.devIno), a.devIno);
    assert.equal(holder.olderNeighbour(a.devIno), undefined);
    await Promise.all([a.close(), b.close()]);
  });

  it('holds only what the policy wants, and counts the bound instead of exceeding it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-held-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    await rotate(live, 'b\n');
    await rotate(live, 'c\n');
    const p = policy({ room: () => 1 - holder.size });
    const holder: FileHolder = new FileHolder(p, 3);
    holder.grab(live);
    assert.equal(holder.size, 1);
    assert.equal(p.fulls, 2, 'two successors found beyond the bound, both counted');
    const none = new FileHolder(policy({ wanted: () => false }), 3);
    none.grab(live);
    assert.equal(none.size, 0);
    const taken = await holder.take(() => false);
    assert.deepEqual(taken, [], 'a file that is no successor is closed, not handed over');
  });

});
