import type { ComponentSpec } from '../config/validate';
import { sinkDeliverySchema, withDeliveryDefaults } from '../config/shared-schemas';
import type { SinkRunnerOptions } from '../delivery/sink-runner';

/** Translates a sink's snake_case delivery config into SinkRunner options (0 means unlimited). */
export function runnerOptions(spec: ComponentSpec): SinkRunnerOptions {
  const d = spec.delivery ?? sinkDeliverySchema.parse(withDeliveryDefaults({}, spec.factory.deliveryDefaults));
  return {
    buffer: { maxEvents: d.buffer.max_events, maxBytes: d.buffer.max_bytes, whenFull: d.buffer.when_full },
    batch: { maxEvents: d.batch.max_events, maxBytes: d.batch.max_bytes, timeoutMs: d.batch.timeout_ms },
    retry: {
      initialBackoffMs: d.retry.initial_backoff_ms,
      maxBackoffMs: d.retry.max_backoff_ms,
      multiplier: d.retry.multiplier,
      jitter: d.retry.jitter,
      deadlineMs: d.retry.deadline_secs === 0 ? Infinity : d.retry.deadline_secs * 1000,
      maxAttempts: d.retry.max_attempts === 0 ? Infinity : d.retry.max_attempts,
    },
    requestTimeoutMs: d.request_timeout_ms,
    concurrency: d.concurrency,
  };
}
