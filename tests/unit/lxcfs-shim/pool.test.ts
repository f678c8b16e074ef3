import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { ServePool, allocatePool } from '../../../lxcfs-shim/fuse/pool';

/**
 * standBy() blocks its thread by design, so it runs in a worker thread here: the thread posts
 * 'joined' when standBy returns, i.e. when it would start reading /dev/fuse.
 */
function standbyThread(buf: SharedArrayBuffer, index: number): { worker: Worker; joined: Promise<number> } {
  const pool = join(__dirname, '../../../lxcfs-shim/fuse/pool.js');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { ServePool } = require(${JSON.stringify(pool)});
    const p = new ServePool(workerData.buf, workerData.index);
    // As after a read that slept 1 ms (no backlog): the thread may stand by.
    p.reading();
    p.read(true, 1);
    const t0 = Date.now();
    p.standBy();
    parentPort.postMessage(Date.now() - t0);`;
  const worker = new Worker(code, { eval: true, workerData: { buf, index } });
  return { worker, joined: new Promise((resolve) => worker.once('message', resolve)) };
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

describe('lxcfs-shim serving thread pool (fuse/pool.ts)', () => {
  it('thread 0 never stands by; another reads on when no thread is waiting or its read found a backlog', () => {
    const buf = allocatePool();
    const spare = new ServePool(buf, 1);
    spare.reading();
    spare.read(true, 1);
    spare.standBy(); // nobody waiting: returns (would block the test otherwise)
    const other = new ServePool(buf, 2);
    other.reading(); // someone waits in read(2) now…
    spare.reading();
    spare.read(true, 0.001);
    spare.standBy(); // …but the spare's read returned at once (requests queued): it reads on
    other.read(true, 1);
    const core = new ServePool(buf, 0);
    core.reading();
    core.standBy(); // the core thread always reads
    core.read(true);
  });

  it('a spare thread stands by while another waits, and joins within milliseconds once all are busy', async () => {
    const buf = allocatePool();
    const core = new ServePool(buf, 0);
    core.reading(); // the core thread waits in read(2)
    const spare = standbyThread(buf, 1);
    try {
      assert.equal(await within(spare.joined, 150), 'timeout', 'stood by while the core thread was waiting');
      core.read(true); // the core thread took a request and is busy with it (a slow read, say)
      const waited = await within(spare.joined, 1000);
      assert.notEqual(waited, 'timeout', 'joined once no thread was waiting');
    } finally {
      await spare.worker.terminate();
    }
  });

  it('hands the watch on: a second spare joins when the first has joined and is busy too', async () => {
    const buf = allocatePool();
    const core = new ServePool(buf, 0);
    core.reading();
    const a = standbyThread(buf, 1);
    const b = standbyThread(buf, 2);
    try {
      assert.equal(await within(Promise.race([a.joined, b.joined]), 150), 'timeout');
      core.read(true);
      // One of them joins (it would read now, then take a request: still no thread waiting)…
      const first = await within(Promise.race([a.joined.then(() => 'a'), b.joined.then(() => 'b')]), 1000);
      assert.notEqual(first, 'timeout');
      // …and the other, now the sentinel, follows since nobody waits in read(2).
      assert.notEqual(await within(Promise.all([a.joined, b.joined]), 1000), 'timeout');
    } finally {
      await a.worker.terminate();
      await b.worker.terminate();
    }
  });
});
