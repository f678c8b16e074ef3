/**
 * Benchmark reader process: reads one file in a loop for a fixed time with plain read(2) and
 * prints its per-read latencies (µs) as JSON. Started inside a cgroup by lxcfs-shim.bench.ts.
 * Synchronous calls are the point here: this process stands in for a container's reader.
 *   node lxcfs-shim-reader.js FILE DURATION_MS [START_AT_EPOCH_MS]
 * With START_AT, every reader of a scenario starts reading at the same moment, whatever its own
 * start-up took, so "20 readers" means 20 at once for the whole window, not a staggered ramp.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const [file, durationMs, startAt] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4] ?? 0)];
const buf = Buffer.allocUnsafe(256 * 1024);
const latencies: number[] = [];
const wait = startAt - Date.now();
// A late start (start-up slower than the lead time) is reported, not hidden: lateMs > 0.
if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
const lateMs = Math.max(0, -wait);
const end = Date.now() + durationMs;
while (Date.now() < end) {
  const t0 = process.hrtime.bigint();
  const fd = openSync(file, 'r');
  while (readSync(fd, buf, 0, buf.length, null) > 0) {
    // drain to EOF, as a reader of /proc does
  }
  closeSync(fd);
  latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
}
process.stdout.write(JSON.stringify({ lateMs, latencies }));
