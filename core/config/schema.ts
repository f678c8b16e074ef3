import { z } from 'zod';
import { componentIdSchema } from './shared-schemas';

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** `host:port` for listeners. */
export const listenSchema = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'expected host:port');

export const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
  client_id: z.string().default('cargoscope'),
  connection_timeout_ms: z.number().int().positive().default(3000),
  request_timeout_ms: z.number().int().positive().default(30_000),
  /** Partitions for the topics cargoscope creates when they do not exist. */
  topic_partitions: z.number().int().positive().default(6),
  topic_replication_factor: z.number().int().positive().default(1),
  compression: z.enum(['none', 'gzip']).default('gzip'),
  /**
   * gzip level of a log batch compressed ahead as one value (KafkaTransport.compress). 1, not
   * zlib's 6: the collector's gzip is CPU on every node of the fleet, and on JSON access logs
   * level 1 ran 2.7x faster for 15 % more bytes (6 reaches 73 MiB/s on one core here, 1 reaches
   * 197). In the docker-logs bench it cut the collector's CPU per MiB by ~30 % (BENCHMARKS.md).
   * Requests of other events keep kafkajs's gzip at zlib's default level.
   */
  compression_level: z.number().int().min(1).max(9).default(1),
  /** Partitions of one consumer processed in parallel (order is kept within a partition). */
  partitions_consumed_concurrently: z.number().int().positive().max(64).default(3),
  /**
   * What one fetch may return, in all and per partition, counted compressed. A partition's fetch
   * stays in memory, decompressed, until its last record is delivered, and a gzip'd batch of small
   * log messages decodes to ~10-30x its size (docs/DRILL.md, finding 13): these bound that memory.
   */
  fetch_max_bytes: z.number().int().positive().default(4 * 1024 * 1024),
  fetch_max_bytes_per_partition: z.number().int().positive().default(1024 * 1024),
});

/** A component entry before its type's own schema is applied (that happens in validate.ts). */
const componentEntry = z.looseObject({
  type: z.string().min(1),
  inputs: z.array(z.string().min(1)).optional(),
});

export function topLevelSchema(defaultListen: string) {
  return z.strictObject({
    /** Node name on every sample and record; defaults to the hostname. */
    node: z.string().min(1).optional(),
    /** Checkpoints and other state; relative paths are resolved against the config file. */
    data_dir: z.string().min(1).default('.cargoscope/data'),
    shutdown_timeout_secs: z.number().positive().max(300).default(5),
    api: z
      .strictObject({
        enabled: z.boolean().default(true),
        listen: listenSchema.default(defaultListen),
      })
      .prefault({}),
    telemetry: z
      .strictObject({
        log_level: logLevel.default('info'),
        tracing: z
          .strictObject({
            otlp_endpoint: z.url().nullable().default(null),
            sample_ratio: z.number().min(0).max(1).default(1),
          })
          .prefault({}),
      })
      .prefault({}),
    transport: z
      .strictObject({
        type: z.enum(['bus', 'kafka']).default('bus'),
        kafka: kafkaSchema.prefault({}),
      })
      .prefault({}),
    sources: z.record(componentIdSchema, componentEntry).default({}),
    transforms: z.record(componentIdSchema, componentEntry).default({}),
    sinks: z.record(componentIdSchema, componentEntry).default({}),
  });
}

export type TopLevelConfig = z.infer<ReturnType<typeof topLevelSchema>>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;
