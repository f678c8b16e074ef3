/**
 * Samples the drill's processes while it runs: VmRSS and VmHWM from /proc/<pid>/status (the
 * high-water mark catches a peak between two samples), and the collector's loss counters from
 * its /metrics, kept per incarnation because a SIGKILL resets them.
 */
import { sampleProc } from '../bench/docker-logs-helpers';
import { current, type DrillProcess } from './pipeline';

export interface RssPoint {
  readonly atMs: number;
  readonly name: string;
  readonly pid: number;
  readonly rssMiB: number;
  readonly hwmMiB: number;
}

/** `name{labels} value` lines of a Prometheus text exposition whose name matches. */
export function counterValues(text: string, metric: string): Array<{ labels: string; value: number }> {
  const out: Array<{ labels: string; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === metric) out.push({ labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

export class Sampler {
  readonly rss: RssPoint[] = [];
  /** Last seen value per `pid|labels` of the collector's discard counter. */
  private readonly discards = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private scraping = false;

  constructor(private readonly procs: readonly DrillProcess[], private readonly everyMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.tick();
    await this.scrapeDiscards().catch(() => undefined);
  }

  private tick(): void {
    for (const p of this.procs) {
      const pid = current(p).child.pid;
      if (pid === undefined || !current(p).running) continue;
      const s = sampleProc(pid);
      // A process being reaped has a status without VmRSS (NaN): nothing to sample.
      if (s && Number.isFinite(s.rssMiB)) this.rss.push({ atMs: s.atMs, name: p.name, pid, rssMiB: s.rssMiB, hwmMiB: s.hwmMiB });
    }
    // A scrape that fails (a process being killed) is retried on the next tick.
    if (!this.scraping) void this.scrapeDiscards().catch(() => undefined);
  }

  private async scrapeDiscards(): Promise<void> {
    this.scraping = true;
    try {
      for (const p of this.procs) {
        const proc = current(p);
        if (!proc.running) continue;
        const text = await fetch(`http://127.0.0.1:${p.port}/metrics`, { signal: AbortSignal.timeout(2000) })
          .then((res) => (res.ok ? res.text() : '')).catch(() => '');
        for (const v of counterValues(text, 'cargoscope_component_discarded_events_total')) {
          this.discards.set(`${p.name}|${proc.child.pid ?? 0}|${v.labels}`, v.value);
        }
      }
    } finally {
      this.scraping = false;
    }
  }

  /** Discarded events summed over incarnations, by `reason` label. */
  discardsByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, value] of this.discards) {
      const reason = /reason="([^"]*)"/.exec(key)?.[1] ?? 'unknown';
      out[reason] = (out[reason] ?? 0) + value;
    }
    return out;
  }

  /**
   * Peak of VmRSS and VmHWM per process name (over every incarnation), with the first sample that
   * showed it: VmHWM only grows within an incarnation, so that sample is within one tick of the peak.
   */
  peaks(): Record<string, RssPeak> {
    const out: Record<string, RssPeak> = {};
    for (const s of this.rss) {
      const mib = Math.max(s.rssMiB, Number.isFinite(s.hwmMiB) ? s.hwmMiB : 0);
      if (mib > (out[s.name]?.mib ?? 0)) out[s.name] = { mib, atMs: s.atMs };
    }
    return out;
  }

  /** `peaks()` as whole MiB per process name, for a progress line. */
  peakMiBs(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.peaks()).map(([name, p]) => [name, Math.round(p.mib)]));
  }
}

export interface RssPeak {
  readonly mib: number;
  readonly atMs: number;
}

/** Least-squares slope of (x, y) pairs; NaN with fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const [x, y] of points) {
    sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  const den = n * sxx - sx * sx;
  return den === 0 ? NaN : (n * sxy - sx * sy) / den;
}
