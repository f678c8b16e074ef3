import { InfluxDB, type IPoint } from 'influx';
import { z } from 'zod';
import type { ComponentFactory, Sink } from '../../../core/component';
import { errorForHttpStatus, RetryableError } from '../../../core/delivery';
import type { Envelope } from '../../../core/event';
import { RateTracker } from '../../transforms/rollup';
import { containerPoints, ROLLUP_MEASUREMENT, rollupPoints } from './points';

export const influxdbSchema = z.strictObject({
  endpoint: z.url().default('http://127.0.0.1:8086'),
  database: z.string().regex(/^[A-Za-z0-9_]+$/).default('cargoscope'),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Raw points land in this retention policy (created as the default). */
  raw_retention: z.string().regex(/^(\d+[smhdw])+$|^INF$/).default('7d'),
  /** 5-minute means of the roll-ups, kept longer, filled by a continuous query. */
  downsampled_retention: z.string().regex(/^(\d+[smhdw])+$|^INF$/).default('90d'),
  downsample_interval: z.string().regex(/^\d+[smhd]$/).default('5m'),
  /** Create the database, retention policies and continuous query on first use. */
  manage_schema: z.boolean().default(true),
});
export type InfluxdbConfig = z.infer<typeof influxdbSchema>;

/**
 * The influx client's pool answers "No host available" with a ServiceNotAvailableError while every
 * host is marked down (it backs off after a failed request). That class keeps `name` "Error" and is
 * not exported by the package, so it is told by its constructor's name: missing it made an outage
 * look like a bug, and a bug is never retried.
 */
export function classifyInfluxError(err: unknown): Error {
  const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
  if (typeof status === 'number') return errorForHttpStatus(status, (err as Error).message) ?? (err as Error);
  const code = (err as { code?: string }).code;
  const unavailable = (err as object | null)?.constructor?.name === 'ServiceNotAvailableError';
  if (code || unavailable) return new RetryableError(`influxdb unreachable: ${(err as Error).message}`, undefined, { cause: err });
  return err as Error;
}

/** InfluxDB 1.x: batched line-protocol writes into `raw`, roll-ups downsampled by a continuous query. */
export class InfluxdbSink implements Sink {
  private client: InfluxDB | undefined;
  private schemaReady = false;
  private readonly rates = new RateTracker();

  constructor(private readonly config: InfluxdbConfig) {}

  start(): Promise<void> {
    const url = new URL(this.config.endpoint);
    this.client = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: this.config.database,
      ...(this.config.username ? { username: this.config.username, password: this.config.password ?? '' } : {}),
    });
    return Promise.resolve();
  }

  async send(batch: readonly Envelope[]): Promise<void> {
    const client = this.client as InfluxDB;
    const points: IPoint[] = [];
    for (const env of batch) {
      if (env.event.type === 'metrics') points.push(...containerPoints(env.event, this.rates));
      else if (env.event.type === 'rollups') points.push(...rollupPoints(env.event));
    }
    if (points.length === 0) return;
    try {
      await this.ensureSchema(client);
      await client.writePoints(points, { database: this.config.database, retentionPolicy: 'raw', precision: 'ms' });
    } catch (err) {
      throw classifyInfluxError(err);
    }
  }

  shutdown(): Promise<void> {
    this.client = undefined;
    return Promise.resolve();
  }

  private async ensureSchema(client: InfluxDB): Promise<void> {
    if (this.schemaReady || !this.config.manage_schema) return;
    const { database: db, raw_retention: raw, downsampled_retention: long, downsample_interval: every } = this.config;
    await client.query(`CREATE DATABASE "${db}"`);
    await upsertRetention(client, db, 'raw', raw, true);
    await upsertRetention(client, db, 'downsampled', long, false);
    const cq = `cargoscope_rollup_${every}`;
    const existing = await client.query<{ name: string }>(`SHOW CONTINUOUS QUERIES`);
    if (!existing.some((row) => row.name === cq)) {
      await client.query(
        `CREATE CONTINUOUS QUERY "${cq}" ON "${db}" BEGIN SELECT mean(*) INTO "${db}"."downsampled"."${ROLLUP_MEASUREMENT}_${every}" FROM "${db}"."raw"."${ROLLUP_MEASUREMENT}" GROUP BY time(${every}), * END`,
      );
    }
    this.schemaReady = true;
  }
}

async function upsertRetention(client: InfluxDB, db: string, name: string, duration: string, isDefault: boolean): Promise<void> {
  const policies = await client.query<{ name: string }>(`SHOW RETENTION POLICIES ON "${db}"`);
  const verb = policies.some((p) => p.name === name) ? 'ALTER' : 'CREATE';
  await client.query(`${verb} RETENTION POLICY "${name}" ON "${db}" DURATION ${duration} REPLICATION 1${isDefault ? ' DEFAULT' : ''}`);
}

export const influxdbFactory: ComponentFactory<'sink', InfluxdbConfig> = {
  type: 'influxdb',
  kind: 'sink',
  description: 'Writes container metrics (Telegraf Docker measurement names) and roll-ups to InfluxDB 1.x.',
  schema: influxdbSchema,
  accepts: ['metrics', 'rollups'],
  create: (config) => new InfluxdbSink(config),
};
