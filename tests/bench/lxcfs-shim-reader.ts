/**
 * Benchmark reader process: reads one file in a loop for a fixed time with plain read(2) and
 * prints its per-read latencies (µs) as JSON. Started inside a cgroup by lxcfs-shim.bench.ts.
 * Synchronous calls are the point here: this process stands in for a container's reader.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const [file, durationMs] = [process.argv[2] as string, Number(process.argv[3])];
const buf = Buffer.allocUnsafe(256 * 1024);
const latencies: number[] = [];
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
process.stdout.write(JSON.stringify(latencies));
