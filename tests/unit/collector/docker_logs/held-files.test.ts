import assert from 'node:assert/strict';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
    const { files, gap, waiting } = await holder.take(() => true, undefined, true);
    assert.equal(holder.size, 0);
    assert.equal(waiting, 0);
    assert.equal(gap, true, 'forced: the first file is linked to nothing');
    const contents = await Promise.all(files.map((f) => readFile(f.fh, 'utf8')));
    assert.deepEqual(contents, ['a\n', 'b\n']);
    assert.deepEqual(files.map((f) => f.path), [`${live}.1`, live], 'the path each file was first seen at');
    await Promise.all(files.map((f) => f.close()));
  });

  it('proves adjacency from a consistent snapshot, so a gap can be told apart', async () => {
    const { holder } = await holdingTwo();
    const [a, b] = (await holder.take(() => true, undefined, true)).files;
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
    const taken = await holder.take(() => false, undefined, true);
    assert.deepEqual(taken, { files: [], gap: false, waiting: 0 }, 'a file that is no successor is closed, not handed over');
  });

  it('hands over only the run proven to follow the chain; a file after an unproven link waits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-held-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    const chainEnd = new FileHolder(policy(), 3);
    chainEnd.grab(live); // `a`, the tailer's newest file
    const [a] = (await chainEnd.take(() => true, undefined, true)).files;
    assert.ok(a);
    await rotate(live, 'b\n');
    await rotate(live, 'c\n');
    const holder = new FileHolder(policy(), 3);
    holder.grab(live); // a consistent look: .2=a, .1=b, live=c
    const [, b, c] = await Promise.all([`${live}.2`, `${live}.1`, live].map((p) => stat(p, { bigint: true })));
    assert.ok(b && c);
    const bKey = `${b.dev}:${b.ino}`;
    const cKey = `${c.dev}:${c.ino}`;
    assert.equal(holder.olderNeighbour(bKey), a.devIno);
    // A holder that got `c` first (the hold thread's message with `b` still queued): `c` waits.
    const unproven = new FileHolder(policy(), 3);
    const cFd = openSync(live, 'r');
    unproven.accept({ opened: [{ fd: cFd, path: live, devIno: cKey, birthNs: c.birthtimeNs }], adjacent: [] });
    const early = await unproven.take(() => true, a.devIno, false);
    assert.deepEqual(early, { files: [], gap: false, waiting: 1 }, 'c waits: b may still come');
    const bFd = openSync(`${live}.1`, 'r');
    unproven.accept({ opened: [{ fd: bFd, path: `${live}.1`, devIno: bKey, birthNs: b.birthtimeNs }], adjacent: [[bKey, a.devIno], [cKey, bKey]] });
    const late = await unproven.take(() => true, a.devIno, false);
    assert.deepEqual(late.files.map((f) => f.devIno), [bKey, cKey], 'b arrived late and goes first');
    assert.equal(late.gap, false);
    const proven = await holder.take(() => true, a.devIno, false);
    assert.deepEqual(proven.files.map((f) => f.devIno), [bKey, cKey], 'the consistent look alone proves the order');
    holder.closeAll(); // its own copy of `a`, no successor of itself
    await Promise.all([a, ...late.files, ...proven.files].map((f) => f.close()));
  });

  it('forced, it hands over past an unproven link and says a file may be missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-held-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    const holder = new FileHolder(policy(), 3);
    const st = await stat(live, { bigint: true });
    holder.accept({ opened: [{ fd: openSync(live, 'r'), path: live, devIno: `${st.dev}:${st.ino}`, birthNs: st.birthtimeNs }], adjacent: [] });
    assert.equal((await holder.take(() => true, 'no:link', false)).waiting, 1);
    const forced = await holder.take(() => true, 'no:link', true);
    assert.equal(forced.files.length, 1);
    assert.equal(forced.gap, true);
    assert.equal(forced.waiting, 0);
    await forced.files[0]?.close();
  });

});
