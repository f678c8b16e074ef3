import type { InterfaceCounters } from './common-samples';

/**
 * Pure parsers for the few /proc files the collector reads besides cgroups. Each returns
 * undefined for text of the wrong shape so the caller can count it as malformed.
 */

/**
 * /proc/<pid>/net/dev: two header lines, then `iface: rx_bytes rx_packets rx_errs rx_drop fifo
 * frame compressed multicast tx_bytes tx_packets tx_errs tx_drop …` per interface. Loopback is
 * dropped, as cAdvisor does: it is traffic inside the container, not the container's.
 */
export function parseNetDev(text: string): Map<string, InterfaceCounters> | undefined {
  const out = new Map<string, InterfaceCounters>();
  const lines = text.split('\n');
  if (!lines[0]?.includes('|')) return undefined;
  for (const line of lines.slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) return undefined;
    if (name === 'lo') continue;
    out.set(name, {
      rxBytes: f[0] as number, rxPackets: f[1] as number, rxErrors: f[2] as number, rxDropped: f[3] as number,
      txBytes: f[8] as number, txPackets: f[9] as number, txErrors: f[10] as number, txDropped: f[11] as number,
    });
  }
  return out;
}

/** Clock ticks per second of /proc/<pid>/stat's starttime (USER_HZ, fixed by the kernel ABI). */
const USER_HZ = 100;

/** Field 22 of /proc/<pid>/stat: start time in ticks since boot. `comm` may hold spaces or ')'. */
export function parseProcStartTicks(text: string): number | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3.. ; starttime is field 22, i.e. index 19 of what follows.
  const fields = text.slice(close + 2).split(' ');
  const v = Number(fields[19]);
  return Number.isFinite(v) && fields[19] !== '' ? v : undefined;
}

/** `btime` of /proc/stat: boot time in seconds since the epoch. */
export function parseBootTimeSecs(text: string): number | undefined {
  const m = /^btime\s+(\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function processStartMs(bootTimeSecs: number, startTicks: number): number {
  return Math.round((bootTimeSecs + startTicks / USER_HZ) * 1000);
}

/** /proc/partitions → `major:minor` → `/dev/<name>`, so block devices are named like cAdvisor's. */
export function parsePartitions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+\d+\s+(\S+)\s*$/.exec(line);
    if (m) out.set(`${m[1]}:${m[2]}`, `/dev/${m[3]}`);
  }
  return out;
}
