import type { IPoint } from 'influx';
import type { ContainerMetrics, MetricBatch, MetricSample, RollupBatch } from '../../../core/event';
import { CONTAINER_METRIC as M, INFLUX } from '../../../core/naming';
import type { RateTracker } from '../../transforms/rollup';

/**
 * InfluxDB points. Container measurements reuse the names and fields of Telegraf's Docker input
 * (`docker_container_cpu`, `_mem`, `_net`, `_blkio`) so existing Telegraf dashboards read them;
 * the container id is a field, not a tag, to keep series cardinality bounded across restarts.
 * Roll-ups go to `cargoscope_rollup`, one point per series key with a field per metric.
 */
export const ROLLUP_MEASUREMENT = INFLUX.rollupMeasurement;

type Fields = Record<string, number | string>;

function sum(samples: readonly MetricSample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) if (s.name === name) total = (total ?? 0) + s.value;
  return total;
}

function byLabel(samples: readonly MetricSample[], label: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of samples) {
    const key = s.labels?.[label];
    if (key === undefined) continue;
    let fields = out.get(key);
    if (!fields) out.set(key, (fields = new Map<string, number>()));
    fields.set(s.name, (fields.get(s.name) ?? 0) + s.value);
  }
  return out;
}

function put(fields: Fields, name: string, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) fields[name] = value;
}

function containerTags(c: ContainerMetrics): Record<string, string> {
  const id = c.container;
  const t = INFLUX.containerTag;
  return {
    [t.containerName]: id.name,
    [t.image]: id.image,
    [t.node]: id.node,
    [t.namespace]: id.workload.namespace,
    [t.replicaset]: id.workload.replicaSet,
    [t.pod]: id.workload.pod,
  };
}

export function containerPoints(batch: MetricBatch, rates: RateTracker): IPoint[] {
  const points: IPoint[] = [];
  const timestamp = new Date(batch.scrapedAtMs);
  for (const c of batch.containers) {
    const tags = containerTags(c);
    const s = c.samples;
    const derived = rates.derive(c, batch.scrapedAtMs);
    const cpu: Fields = { container_id: c.container.id };
    const seconds = sum(s, M.cpuUsageSeconds);
    put(cpu, 'usage_total', seconds === undefined ? undefined : Math.round(seconds * 1e9));
    put(cpu, 'usage_in_usermode', scaleNs(sum(s, M.cpuUserSeconds)));
    put(cpu, 'usage_in_kernelmode', scaleNs(sum(s, M.cpuSystemSeconds)));
    put(cpu, 'throttling_periods', sum(s, M.cpuCfsPeriods));
    put(cpu, 'throttling_throttled_periods', sum(s, M.cpuCfsThrottledPeriods));
    put(cpu, 'throttling_throttled_time', scaleNs(sum(s, M.cpuCfsThrottledSeconds)));
    put(cpu, 'usage_percent', derived.cpuCores === undefined ? undefined : derived.cpuCores * 100);
    points.push({ measurement: INFLUX.measurement.cpu, tags: { ...tags, cpu: 'cpu-total' }, fields: cpu, timestamp });

    const mem: Fields = { container_id: c.container.id };
    const usage = sum(s, M.memoryWorkingSetBytes);
    const limit = derived.memoryLimitBytes;
    put(mem, 'usage', usage);
    put(mem, 'limit', limit);
    put(mem, 'usage_percent', usage !== undefined && limit ? (usage / limit) * 100 : undefined);
    put(mem, 'rss', sum(s, M.memoryRssBytes));
    put(mem, 'cache', sum(s, M.memoryCacheBytes));
    put(mem, 'failcnt', sum(s, M.memoryFailcnt));
    points.push({ measurement: INFLUX.measurement.mem, tags, fields: mem, timestamp });

    for (const [network, f] of byLabel(s, 'interface')) {
      const fields: Fields = { container_id: c.container.id };
      put(fields, INFLUX.field.rxBytes, f.get(M.networkReceiveBytes));
      put(fields, INFLUX.field.txBytes, f.get(M.networkTransmitBytes));
      put(fields, 'rx_packets', f.get(M.networkReceivePackets));
      put(fields, 'tx_packets', f.get(M.networkTransmitPackets));
      put(fields, 'rx_errors', f.get(M.networkReceiveErrors));
      put(fields, 'tx_errors', f.get(M.networkTransmitErrors));
      put(fields, 'rx_dropped', f.get(M.networkReceiveDropped));
      put(fields, 'tx_dropped', f.get(M.networkTransmitDropped));
      points.push({ measurement: INFLUX.measurement.net, tags: { ...tags, [INFLUX.containerTag.network]: network }, fields, timestamp });
    }
    for (const [device, f] of byLabel(s, 'device')) {
      const fields: Fields = { container_id: c.container.id };
      put(fields, INFLUX.field.blkioRead, f.get(M.fsReadsBytes));
      put(fields, INFLUX.field.blkioWrite, f.get(M.fsWritesBytes));
      put(fields, 'io_serviced_recursive_read', f.get(M.fsReads));
      put(fields, 'io_serviced_recursive_write', f.get(M.fsWrites));
      if (Object.keys(fields).length > 1) points.push({ measurement: INFLUX.measurement.blkio, tags: { ...tags, [INFLUX.containerTag.device]: device }, fields, timestamp });
    }
  }
  return points;
}

function scaleNs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1e9);
}

export function rollupPoints(batch: RollupBatch): IPoint[] {
  const byKey = new Map<string, IPoint & { fields: Fields }>();
  const timestamp = new Date(batch.atMs);
  for (const s of batch.series) {
    const k = s.key;
    const tags: Record<string, string> = { [INFLUX.rollupTag.level]: k.level, [INFLUX.rollupTag.aggregator]: batch.source };
    for (const name of ['node', 'namespace', 'replicaset', 'deployment', 'pod', 'container'] as const) {
      const value = k[name];
      if (value !== undefined) tags[name] = value;
    }
    const id = JSON.stringify(tags);
    let point = byKey.get(id);
    if (!point) byKey.set(id, (point = { measurement: ROLLUP_MEASUREMENT, tags, fields: {}, timestamp }));
    point.fields[s.metric] = s.value;
  }
  return [...byKey.values()];
}
