import { z } from 'zod';

/** Shared option groups, nested under the same names in every component that has them. */

export const bufferSchema = z.strictObject({
  max_events: z.number().int().positive().default(1000),
  max_bytes: z.number().int().positive().default(64 * 1024 * 1024),
  when_full: z.enum(['block', 'drop_oldest', 'drop_newest']).default('block'),
});

export const batchSchema = z.strictObject({
  max_events: z.number().int().positive().default(500),
  max_bytes: z.number().int().positive().default(8 * 1024 * 1024),
  timeout_ms: z.number().int().nonnegative().default(1000),
});

export const retrySchema = z.strictObject({
  initial_backoff_ms: z.number().int().positive().default(100),
  max_backoff_ms: z.number().int().positive().default(30_000),
  multiplier: z.number().min(1).default(2),
  jitter: z.number().min(0).max(1).default(1),
  /** 0 = keep retrying until shutdown (nothing is given up while the source can wait). */
  deadline_secs: z.number().nonnegative().default(0),
  max_attempts: z.number().int().nonnegative().default(0),
});

/** Options the SinkRunner takes from every sink's config; the rest goes to the sink's own schema. */
export const sinkDeliverySchema = z.strictObject({
  buffer: bufferSchema.prefault({}),
  batch: batchSchema.prefault({}),
  retry: retrySchema.prefault({}),
  request_timeout_ms: z.number().int().positive().default(30_000),
  concurrency: z.number().int().positive().max(64).default(1),
});

export const SINK_DELIVERY_KEYS = ['buffer', 'batch', 'retry', 'request_timeout_ms', 'concurrency'] as const;

/** A sink type's own defaults for the shared groups, where the shared ones do not suit it. */
export interface SinkDeliveryDefaults {
  readonly batch?: Partial<BatchConfig>;
}

/** A sink's raw delivery options with its type's defaults filled in under what the config gives. */
export function withDeliveryDefaults(raw: Readonly<Record<string, unknown>>, defaults: SinkDeliveryDefaults | undefined): Record<string, unknown> {
  const batch = raw['batch'];
  // Anything but a mapping is left for the schema to report.
  if (!defaults?.batch || (batch !== undefined && (batch === null || typeof batch !== 'object' || Array.isArray(batch)))) return { ...raw };
  return { ...raw, batch: { ...defaults.batch, ...(batch as Record<string, unknown> | undefined) } };
}

export type BufferConfig = z.infer<typeof bufferSchema>;
export type BatchConfig = z.infer<typeof batchSchema>;
export type RetryConfig = z.infer<typeof retrySchema>;
export type SinkDeliveryConfig = z.infer<typeof sinkDeliverySchema>;

/** Component ids are config keys, used as metric labels: keep them short and tame. */
export const componentIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'component ids are lower_snake_case, at most 63 characters');
