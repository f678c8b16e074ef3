import path from 'node:path';
import { z } from 'zod';
import type { ComponentContext, ComponentFactory, Sink } from '../../../core/component';
import { RetryableError } from '../../../core/delivery';
import type { Envelope, Event } from '../../../core/event';
import { toEcs } from '../../ecs';
import { RotatingFile } from './rotating-file';

export const fileSinkSchema = z.strictObject({
  /** Relative paths are under the process data_dir, in the sink's own folder. */
  path: z.string().min(1).default('events.ndjson'),
  max_bytes: z.number().int().positive().default(64 * 1024 * 1024),
  max_files: z.number().int().min(1).max(1000).default(5),
  /** fsync after every batch: slower, but a delivered ack then survives a power cut. */
  fsync: z.boolean().default(false),
});
export type FileSinkConfig = z.infer<typeof fileSinkSchema>;

/** One NDJSON line per log record (as an ECS document) or per other event. */
export function renderLines(event: Event): string {
  if (event.type === 'logs') {
    let out = '';
    for (const record of event.records) out += `${JSON.stringify(toEcs(event, record))}\n`;
    return out;
  }
  return `${JSON.stringify(event)}\n`;
}

/**
 * The all-in-one stand-in for Elasticsearch: rotated NDJSON files that `jq`, Filebeat or a later
 * bulk load can read. A batch is delivered once its bytes are written (and synced, if asked).
 */
export class FileSink implements Sink {
  private file: RotatingFile | undefined;

  constructor(private readonly config: FileSinkConfig) {}

  start(ctx: ComponentContext): Promise<void> {
    const target = path.isAbsolute(this.config.path) ? this.config.path : path.join(ctx.dataDir, this.config.path);
    this.file = new RotatingFile(target, this.config.max_bytes, this.config.max_files, this.config.fsync);
    return Promise.resolve();
  }

  async send(batch: readonly Envelope[]): Promise<void> {
    if (!this.file) throw new Error('file sink used before start');
    let chunk = '';
    for (const env of batch) chunk += renderLines(env.event);
    try {
      await this.file.write(chunk);
    } catch (err) {
      // A full or read-only disk can recover; keep the data and let the runner retry.
      throw new RetryableError(`cannot write ${this.file.file}: ${(err as Error).message}`, undefined, { cause: err });
    }
  }

  async shutdown(): Promise<void> {
    await this.file?.close();
  }
}

export const fileSinkFactory: ComponentFactory<'sink', FileSinkConfig> = {
  type: 'file',
  kind: 'sink',
  description: 'Writes events as rotated NDJSON files (log records as ECS documents).',
  schema: fileSinkSchema,
  create: (config) => new FileSink(config),
};
