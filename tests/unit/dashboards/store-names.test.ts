import assert from 'node:assert/strict';
import { containerPoints, ROLLUP_MEASUREMENT, rollupPoints } from '../../../aggregator/sinks/influxdb/points';
import { influxdbSchema } from '../../../aggregator/sinks/influxdb/sink';
import { indexTemplate } from '../../../aggregator/sinks/elasticsearch/template';
import { RateTracker } from '../../../aggregator/transforms/rollup';
import type { MetricBatch } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';
import { ECS, INFLUX } from '../../../core/naming';

/** A kubernetes container with every sample the InfluxDB points read. */
function batch(): MetricBatch {
  const samples = [M.cpuUsageSeconds, M.memoryWorkingSetBytes, M.specMemoryLimitBytes, M.memoryRssBytes, M.memoryCacheBytes].map((name) => ({ name, kind: 'gauge' as const, value: 1, labels: undefined }));
  const labelled = [
    { name: M.networkReceiveBytes, labels: { interface: 'eth0' } }, { name: M.networkTransmitBytes, labels: { interface: 'eth0' } },
    { name: M.fsReadsBytes, labels: { device: '8:0' } }, { name: M.fsWritesBytes, labels: { device: '8:0' } },
  ].map((s) => ({ ...s, kind: 'counter' as const, value: 1 }));
  return {
    type: 'metrics', version: 1, node: 'n1', scrapedAtMs: 1_000, source: 'cgroup',
    containers: [{
      container: {
        id: 'c1', name: 'k8s_app_web-1', image: 'img', node: 'n1', labels: {}, containerName: 'app', isSandbox: false,
        workload: { kind: 'kubernetes', id: 'kubernetes/shop/web-5d9c7', namespace: 'shop', replicaSet: 'web-5d9c7', deployment: 'web', pod: 'web-5d9c7-a' },
      },
      startedAtMs: 0,
      samples: [...samples, ...labelled],
    }],
  } as unknown as MetricBatch; // only the fields points.ts reads; the full envelope is tested in aggregator/
}

describe('dashboards: store names match what the aggregator writes', () => {
  it('InfluxDB: the database default and the roll-up measurement', () => {
    assert.equal(influxdbSchema.parse({}).database, INFLUX.database);
    assert.equal(ROLLUP_MEASUREMENT, INFLUX.rollupMeasurement);
  });

  it('InfluxDB: the Telegraf measurements, tags and fields the dashboards query exist in the points', () => {
    const points = containerPoints(batch(), new RateTracker());
    const byMeasurement = new Map(points.map((p) => [p.measurement, p]));
    for (const m of Object.values(INFLUX.measurement)) assert.ok(byMeasurement.has(m), `measurement ${m}`);
    const tags = new Set(points.flatMap((p) => Object.keys(p.tags ?? {})));
    for (const t of Object.values(INFLUX.containerTag)) assert.ok(tags.has(t), `tag ${t}`);
    const fields = new Set(points.flatMap((p) => Object.keys(p.fields ?? {})));
    for (const f of Object.values(INFLUX.field)) assert.ok(fields.has(f), `field ${f}`);
  });

  it('InfluxDB: the roll-up tags', () => {
    const [p] = rollupPoints({
      type: 'rollups', version: 1, source: 'agg-1', atMs: 1, resolutionMs: 1,
      series: [{ key: { level: 'container', node: 'n', namespace: 'ns', replicaset: 'rs', deployment: 'd', pod: 'p', container: 'c' }, metric: 'running_containers', value: 1 }],
    });
    assert.deepEqual(Object.keys(p?.tags ?? {}).sort(), Object.values(INFLUX.rollupTag).sort());
  });

  it('Elasticsearch: every ECS field the dashboards query is mapped by the index template', () => {
    const template = indexTemplate('logs-cargoscope', 'policy', 1, 0);
    const mapped = (path: string): boolean => {
      let node: unknown = template.template.mappings;
      for (const part of path.split('.')) {
        const props = (node as { properties?: Record<string, unknown> }).properties;
        if (!props) return (node as { type?: string }).type === 'flattened';
        node = props[part];
        if (node === undefined) return false;
      }
      return true;
    };
    for (const [key, field] of Object.entries(ECS)) {
      if (key === 'indexPattern') assert.deepEqual(template.index_patterns, [field]);
      else assert.ok(mapped(field), `${field} is not mapped`);
    }
  });
});
