import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckOutcome, LogRecord } from '../../../../core/event';
import { batchCheckpoints, planBatches } from '../../../../collector/sources/docker_logs/batcher';
import { CheckpointStore } from '../../../../collector/sources/docker_logs/checkpoint-store';
import { containersBornSince } from '../../../../collector/sources/docker_logs/container-dir';
import { ByteBudget, InOrderCommitter } from '../../../../collector/sources/docker_logs/delivery-tracker';

function deferred(): { promise: Promise<AckOutcome>; resolve: (o: AckOutcome) => void } {
  let resolve!: (o: AckOutcome) => void;
  const promise = new Promise<AckOutcome>((r) => (resolve = r));
  return { promise, resolve };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('docker_logs delivery tracking', () => {
  it('commits only up to the first unsettled batch, in order, and frees the byte budget', async () => {
    const budget = new ByteBudget(100);
    const commits: Array<[string, number]> = [];
    const c = new InOrderCommitter(budget, { commit: (k, o) => void commits.push([k, o]), failed: () => assert.fail('no failure') });
    const [a, b, d] = [deferred(), deferred(), deferred()];
    c.track(a.promise, 'f', 10, 40);
    c.track(b.promise, 'f', 20, 40);
    c.track(d.promise, 'g', 5, 40);
    assert.equal(budget.full, true);
    b.resolve('delivered');
    await tick();
    assert.deepEqual(commits, []);
    a.resolve('rejected');
    await tick();
    assert.deepEqual(commits, [['f', 20]]);
    d.resolve('delivered');
    await tick();
    assert.deepEqual(commits, [['f', 20], ['g', 5]]);
    assert.equal(budget.inFlight, 0);
    await c.idle();
  });

  it('on failed: commits what came before, drops the rest and asks for a re-read', async () => {
    const commits: number[] = [];
    let failed = 0;
    const c = new InOrderCommitter(new ByteBudget(1000), { commit: (_k, o) => void commits.push(o), failed: () => void failed++ });
    const [a, b, d] = [deferred(), deferred(), deferred()];
    c.track(a.promise, 'f', 10, 1);
    c.track(b.promise, 'f', 20, 1);
    c.track(d.promise, 'f', 30, 1);
    d.resolve('delivered');
    a.resolve('delivered');
    b.resolve('failed');
    await tick();
    assert.deepEqual(commits, [10]);
    assert.equal(failed, 1);
    assert.equal(c.pending, 0);
  });

  it('gives each batch a checkpoint below every record not yet emitted', () => {
    const rec = (offset: number): LogRecord => ({ id: String(offset), time: '', stream: 'stdout', message: 'm', origin: { fileKey: 'k', offset, endOffset: offset + 10 } });
    // The record at 0 completed (a joined partial) after the lines at 10 and 20.
    const batches = planBatches([rec(10), rec(20), rec(0), rec(30)], 40, 1, 1 << 20);
    assert.deepEqual(batches.map((b) => b.checkpoint), [0, 0, 30, 40]);
    assert.deepEqual(planBatches([rec(0), rec(10)], 15, 10, 1 << 20).map((b) => [b.start, b.end, b.checkpoint]), [[0, 2, 15]]);
  });
});

describe('docker_logs checkpoint store', () => {
  it('writes atomically and reads back what it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-cp-'));
    const store = new CheckpointStore(join(dir, 'sub', 'checkpoints.json'));
    assert.equal(await store.load(), undefined);
    store.set('1:2:ab', { container: 'c', offset: 42, done: false, path: '/x', updatedMs: 1 });
    store.setApi('c2', { time: '2024-05-01T10:00:00Z', count: 2 });
    await store.flush();
    assert.deepEqual(await readdir(join(dir, 'sub')), ['checkpoints.json']);
    const again = new CheckpointStore(join(dir, 'sub', 'checkpoints.json'));
    await again.load();
    assert.equal(again.get('1:2:ab')?.offset, 42);
    assert.deepEqual(again.getApi('c2'), { time: '2024-05-01T10:00:00Z', count: 2 });
    assert.deepEqual([...again.containers()].sort(), ['c', 'c2']);
  });

  it('moves a corrupt file aside and starts empty instead of failing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-cp-'));
    const path = join(dir, 'checkpoints.json');
    await writeFile(path, '{"version":1,"files":{tr');
    const store = new CheckpointStore(path);
    assert.match((await store.load()) ?? '', /unreadable/);
    assert.equal((await readdir(dir)).filter((n) => n.includes('corrupt')).length, 1);
    store.set('k', { container: 'c', offset: 1, done: false, path: '', updatedMs: 0 });
    await store.flush();
    assert.match(await readFile(path, 'utf8'), /"offset":1/);
  });

  it('remembers the first start across restarts, and gives an old file the time it is first read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-cp-'));
    const path = join(dir, 'checkpoints.json');
    await writeFile(path, JSON.stringify({ version: 1, files: {}, api: {} })); // written before the field existed
    const first = new CheckpointStore(path);
    assert.equal(await first.load(), undefined);
    assert.equal(first.responsibleSince(1000), 1000);
    assert.equal(first.responsibleSince(2000), 1000);
    await first.flush();
    const restarted = new CheckpointStore(path);
    await restarted.load();
    assert.equal(restarted.responsibleSince(5000), 1000);
  });

  it('lists the container directories born at or after a time, ignoring other names', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cs-born-'));
    const old = 'a'.repeat(64);
    await mkdir(join(root, old));
    // File times come from the kernel's coarse clock (a tick behind Date.now()): keep clear of it.
    await new Promise((r) => setTimeout(r, 100));
    const since = Date.now() - 50;
    const young = 'b'.repeat(64);
    await mkdir(join(root, young));
    await mkdir(join(root, 'not-a-container'));
    assert.deepEqual(await containersBornSince(root, since), [young]);
    assert.deepEqual(await containersBornSince(join(root, 'missing'), 0), []);
  });

  it('keeps a bounded number of finished files per container', () => {
    const store = new CheckpointStore('/nonexistent/cp.json');
    for (let i = 0; i < 40; i++) store.set(`k${i}`, { container: 'c', offset: 1, done: true, path: '', updatedMs: i });
    assert.equal(store.forContainer('c').length, 32);
    assert.equal(store.get('k0'), undefined);
    assert.ok(store.get('k39'));
  });
});

describe('batchCheckpoints', () => {
  it('lets each batch commit up to the lowest start of anything after it', () => {
    assert.deepEqual(batchCheckpoints([{ minOffset: 0 }, { minOffset: 30 }, { minOffset: 10 }], 50), [10, 10, 50]);
    assert.deepEqual(batchCheckpoints([{ minOffset: 0 }, { minOffset: 40 }], 20), [20, 20]);
    assert.deepEqual(batchCheckpoints([], 5), []);
  });
});
