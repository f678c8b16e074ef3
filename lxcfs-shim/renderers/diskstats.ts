import type { DeviceIo } from '../../core/cgroup';
import { linesOf } from './format';

/**
 * /proc/diskstats for a cgroup: one line per host device the cgroup did I/O on (lxcfs omits the
 * others), in the kernel's own layout and field count. The cgroup files give completed reads,
 * writes and discards and their bytes; merges, times and in-flight counts are not accounted per
 * cgroup and are 0. null devices (no accounting) serves the host file, as lxcfs does.
 */
export function renderDiskstats(host: string, devices: readonly DeviceIo[] | null): string {
  if (devices === null) return host;
  const byDev = new Map(devices.map((d) => [`${d.major}:${d.minor}`, d]));
  let out = '';
  for (const line of linesOf(host)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const d = byDev.get(`${f[0]}:${f[1]}`);
    if (d === undefined || d.readOps + d.writeOps + d.discardOps + d.readBytes + d.writeBytes + d.discardBytes === 0) continue;
    const n = new Array<number>(f.length - 3).fill(0);
    n[0] = d.readOps;
    n[2] = Math.floor(d.readBytes / 512);
    n[4] = d.writeOps;
    n[6] = Math.floor(d.writeBytes / 512);
    if (n.length >= 15) {
      n[11] = d.discardOps;
      n[13] = Math.floor(d.discardBytes / 512);
    }
    out += `${(f[0] ?? '').padStart(4)} ${(f[1] ?? '').padStart(7)} ${f[2] ?? ''} ${n.join(' ')}\n`;
  }
  return out;
}
