/**
 * `--soak`: the load without faults for 30 minutes, sampling consumer lag every 10 s next to the
 * RSS sampler; after the warm-up the least-squares slopes of RSS and lag must be flat.
 */
import { Kafka, logLevel } from 'kafkajs';
import { ENDPOINTS } from './instances';
import type { RunNames } from './pipeline';
import type { DrillPlan } from './plan';
import type { SoakCheck } from './report';
import { slope, type RssPoint } from './sampler';

/** Lag may grow by at most this many messages (batches) per hour after the warm-up. */
const MAX_LAG_SLOPE_PER_HOUR = 100;
const LAG_EVERY_MS = 10_000;

interface LagPoint {
  readonly atMs: number;
  readonly group: string;
  readonly lag: number;
}

async function groupLag(admin: ReturnType<Kafka['admin']>, group: string, topic: string): Promise<number> {
  const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  let lag = 0;
  for (const p of high) {
    const at = done.get(p.partition) ?? -1;
    lag += Number(p.high) - (at < 0 ? Number(p.low) : at);
  }
  return lag;
}

export async function soak(plan: DrillPlan, n: RunNames, rss: () => readonly RssPoint[], progress: (line: string) => void): Promise<SoakCheck> {
  const kafka = new Kafka({ clientId: 'cargoscope-drill', brokers: [ENDPOINTS.kafka], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const groups: Array<[string, string]> = [[`${n.namespace}-logs`, n.topics.logs], [`${n.namespace}-metrics`, n.topics.metrics], [`${n.namespace}-alerting`, n.topics.rollups]];
  const lags: LagPoint[] = [];
  const startMs = Date.now();
  try {
    while (Date.now() - startMs < plan.soakSecs * 1000) {
      for (const [group, topic] of groups) {
        const lag = await groupLag(admin, group, topic).catch(() => undefined);
        if (lag !== undefined) lags.push({ atMs: Date.now(), group, lag });
      }
      const mins = ((Date.now() - startMs) / 60_000).toFixed(1);
      progress(`soak ${mins} min: lag ${groups.map(([g]) => `${g}=${lags.filter((l) => l.group === g).at(-1)?.lag ?? '-'}`).join(' ')}`);
      await new Promise((r) => setTimeout(r, LAG_EVERY_MS));
    }
  } finally {
    await admin.disconnect();
  }
  const after = startMs + plan.soakWarmupSecs * 1000;
  const perHour = (points: Array<readonly [number, number]>): number => slope(points) * 3_600_000;
  const rssSlopeMiBPerHour: Record<string, number> = {};
  for (const name of new Set(rss().map((s) => s.name))) {
    rssSlopeMiBPerHour[name] = perHour(rss().filter((s) => s.name === name && s.atMs >= after).map((s) => [s.atMs, s.rssMiB] as const));
  }
  const lagSlopePerHour: Record<string, number> = {};
  const lagMax: Record<string, number> = {};
  const lagLast: Record<string, number> = {};
  for (const [group] of groups) {
    const mine = lags.filter((l) => l.group === group);
    lagSlopePerHour[group] = perHour(mine.filter((l) => l.atMs >= after).map((l) => [l.atMs, l.lag] as const));
    lagMax[group] = Math.max(0, ...mine.map((l) => l.lag));
    lagLast[group] = mine.at(-1)?.lag ?? NaN;
  }
  return { rssSlopeMiBPerHour, lagSlopePerHour, lagMax, lagLast, maxLagSlopePerHour: MAX_LAG_SLOPE_PER_HOUR };
}
