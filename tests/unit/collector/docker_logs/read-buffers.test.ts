import assert from 'node:assert/strict';
import { ReadBuffers } from '../../../../collector/sources/docker_logs/read-buffers';

describe('docker_logs shared read buffers', () => {
  it('never hands out more than `count` buffers, whatever the number of readers, and reuses them', async () => {
    const pool = new ReadBuffers(4096, 2);
    let inUse = 0;
    let most = 0;
    const seen = new Set<Buffer>();
    await Promise.all(Array.from({ length: 50 }, (_, i) => pool.with(async (buf) => {
      inUse++;
      most = Math.max(most, inUse);
      seen.add(buf);
      assert.equal(buf.length, 4096);
      await new Promise((r) => setTimeout(r, i % 3));
      inUse--;
    })));
    assert.equal(most, 2);
    assert.equal(seen.size, 2);
  });

  it('gets a buffer back when its user throws', async () => {
    const pool = new ReadBuffers(16, 1);
    await assert.rejects(pool.with(() => Promise.reject(new Error('EIO'))), /EIO/);
    assert.equal(await pool.with((buf) => Promise.resolve(buf.length)), 16);
  });
});
