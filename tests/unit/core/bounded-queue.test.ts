import assert from 'node:assert/strict';
import { BoundedQueue, QueueClosedError, type WhenFull } from '../../../core/buffer';

interface Item {
  readonly n: number;
  readonly sizeBytes: number;
}
const item = (n: number, sizeBytes = 10): Item => ({ n, sizeBytes });

function queue(whenFull: WhenFull, maxEvents = 3, maxBytes = 1000) {
  const dropped: number[] = [];
  const q = new BoundedQueue<Item>({ maxEvents, maxBytes, whenFull }, { onDrop: (i) => dropped.push(i.n) });
  return { q, dropped };
}

describe('BoundedQueue', () => {
  it('keeps FIFO order', async () => {
    const { q } = queue('block');
    for (const n of [1, 2, 3]) await q.push(item(n));
    assert.deepEqual([await q.shift(), await q.shift(), await q.shift()].map((i) => i?.n), [1, 2, 3]);
  });

  it('drop_newest refuses the new item when full by count and reports it', async () => {
    const { q, dropped } = queue('drop_newest');
    for (const n of [1, 2, 3, 4]) await q.push(item(n));
    assert.equal(q.length, 3);
    assert.deepEqual(dropped, [4]);
  });

  it('drop_oldest evicts the oldest items to make room', async () => {
    const { q, dropped } = queue('drop_oldest');
    for (const n of [1, 2, 3, 4, 5]) await q.push(item(n));
    assert.deepEqual(dropped, [1, 2]);
    assert.deepEqual(q.drain(10, Infinity).map((i) => i.n), [3, 4, 5]);
  });

  it('bounds by bytes as well as by count', async () => {
    const { q, dropped } = queue('drop_newest', 100, 25);
    await q.push(item(1, 10));
    await q.push(item(2, 10));
    await q.push(item(3, 10)); // 30 bytes > 25
    assert.deepEqual(dropped, [3]);
    assert.equal(q.sizeBytes, 20);
  });

  it('accepts one oversized item into an empty queue so it can still pass', async () => {
    const { q, dropped } = queue('drop_newest', 10, 5);
    await q.push(item(1, 50));
    assert.equal(q.length, 1);
    assert.deepEqual(dropped, []);
  });

  it('block makes push wait until a consumer frees room, preserving order', async () => {
    const { q } = queue('block', 2);
    await q.push(item(1));
    await q.push(item(2));
    let pushed = false;
    const pending = q.push(item(3)).then(() => (pushed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(pushed, false, 'push must block while full');
    assert.equal((await q.shift())?.n, 1);
    await pending;
    assert.equal(pushed, true);
    assert.deepEqual(q.drain(10, Infinity).map((i) => i.n), [2, 3]);
  });

  it('close fails blocked pushers and ends consumers once drained', async () => {
    const { q } = queue('block', 1);
    await q.push(item(1));
    const blocked = q.push(item(2));
    q.close();
    await assert.rejects(blocked, QueueClosedError);
    await assert.rejects(q.push(item(3)), QueueClosedError);
    assert.equal((await q.shift())?.n, 1);
    assert.equal(await q.shift(), undefined);
  });

  it('shiftWithin times out with undefined when nothing arrives', async () => {
    const { q } = queue('block');
    assert.equal(await q.shiftWithin(5), undefined);
    const later = q.shiftWithin(1000);
    await q.push(item(7));
    assert.equal((await later)?.n, 7);
  });

  it('drain respects the byte budget but always returns at least one item', async () => {
    const { q } = queue('block', 10, 1000);
    for (const n of [1, 2, 3]) await q.push(item(n, 40));
    assert.deepEqual(q.drain(10, 50).map((i) => i.n), [1]);
    assert.deepEqual(q.drain(10, 80).map((i) => i.n), [2, 3]);
  });
});
