import assert from 'node:assert/strict';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSiblingsStable, type SiblingFile } from '../../../../collector/sources/docker_logs';

function file(generation: number, ino: string): SiblingFile {
  return { path: generation === 0 ? 'x-json.log' : `x-json.log.${generation}`, dev: '1', ino, generation };
}

describe('docker_logs sibling listing during rotation', () => {
  it('lists the live file and its rotated siblings oldest first, as a stable snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-siblings-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    await rename(live, `${live}.1`);
    await writeFile(live, 'b\n');
    await writeFile(join(dir, 'x-json.log.gz'), 'not a sibling');
    const { siblings, stable } = await listSiblingsStable(live);
    assert.equal(stable, true);
    assert.deepEqual(siblings.map((s) => s.generation), [1, 0]);
  });

  it('does not trust a torn listing: it takes the next two that agree', async () => {
    // A stat of `.2` before a rotation and of `.1` after it: file B (moving from .1 to .2) is missed.
    const torn = [file(2, 'A'), file(1, 'C'), file(0, 'D')];
    const after = [file(2, 'B'), file(1, 'C'), file(0, 'D')];
    const listings = [torn, after, after];
    const { siblings, stable } = await listSiblingsStable('x-json.log', 8, () => Promise.resolve(listings.shift() ?? after));
    assert.equal(stable, true);
    assert.deepEqual(siblings.map((s) => s.ino), ['B', 'C', 'D']);
  });

  it('says so when the files never hold still, so the caller counts a possible loss', async () => {
    let n = 0;
    const moving = (): Promise<SiblingFile[]> => Promise.resolve([file(1, String(n++)), file(0, String(n++))]);
    const { stable } = await listSiblingsStable('x-json.log', 4, moving);
    assert.equal(stable, false);
  });
});
