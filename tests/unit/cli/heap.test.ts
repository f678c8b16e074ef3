import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { tuneHeap } from '../../../cli/heap';

const exec = promisify(execFile);
const HEAP_MODULE = path.resolve(__dirname, '../../../cli/heap.js');

/**
 * Records that live until an ack (a ring of 100,000 ~250-byte objects, replaced one by one) are
 * what the collector's heap holds; returns the peak heapTotal in MiB of a fresh node running it.
 */
async function peakHeapMiB(env: NodeJS.ProcessEnv): Promise<number> {
  const script = `require(${JSON.stringify(HEAP_MODULE)}).tuneHeap();
    const ring = new Array(100000); let peak = 0;
    for (let i = 0; i < 2e6; i++) {
      ring[i % ring.length] = { m: 'x'.repeat(200) + i, id: 'c:' + i, o: { k: 'f', off: i } };
      if (i % 20000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    console.log(peak / 1048576);`;
  const { stdout } = await exec(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return Number(stdout.trim());
}

describe('collector heap tuning (cli/heap)', function () {
  this.timeout(60_000);

  it('keeps the heap of long-lived, short-lived-after-ack records near their live size', async () => {
    const untuned = await peakHeapMiB({ CARGOSCOPE_HEAP_GROWING_PERCENT: '0' });
    const tuned = await peakHeapMiB({});
    assert.ok(tuned < 0.75 * untuned, `peak heap ${tuned.toFixed(0)} MiB tuned vs ${untuned.toFixed(0)} MiB with V8's own growth`);
  });

  it("leaves an operator's own --heap-growing-percent alone", () => {
    assert.equal(tuneHeap(['--heap-growing-percent=30'], ''), undefined);
    assert.equal(tuneHeap([], '--heap_growing_percent=30'), undefined);
  });
});
