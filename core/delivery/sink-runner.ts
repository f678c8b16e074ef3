import type { Logger } from 'pino';
import { BoundedQueue, type QueueLimits } from '../buffer';
import type { Sink } from '../component/types';
import type { Envelope } from '../event';
import type { ComponentTelemetry } from '../telemetry/component-telemetry';
import { inSpan } from '../telemetry/tracing';
import { classifyError, DeadlineExceededError, PermanentError, RetryableError } from './errors';
import { retry, withTimeout, type RetryPolicy } from './retry';

export interface BatchLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** How long to wait for a batch to fill once its first envelope is there. */
  readonly timeoutMs: number;
}

export interface SinkRunnerOptions {
  readonly buffer: QueueLimits;
  readonly batch: BatchLimits;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  /** Parallel sends; 1 keeps order. */
  readonly concurrency: number;
  /** Where permanently rejected envelopes go (the dead letter); they are counted either way. */
  readonly onRejected?: (envelope: Envelope, reason: string, detail: string) => Promise<void>;
}

/**
 * Everything around a sink's `send`: its bounded input buffer, batching, parallelism, timeouts,
 * retries with backoff, and settling each envelope's ack with the outcome. Sinks only send.
 */
export class SinkRunner {
  readonly queue: BoundedQueue<Envelope>;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly sink: Sink,
    private readonly options: SinkRunnerOptions,
    private readonly telemetry: ComponentTelemetry,
    private readonly logger: Logger,
  ) {
    const { metrics, labels } = telemetry;
    const policy = options.buffer.whenFull;
    this.queue = new BoundedQueue<Envelope>(options.buffer, {
      onDrop: (env) => {
        metrics.bufferDropped.labels(labels.id, policy).inc(env.count);
        telemetry.eventsDiscarded(env.count, 'buffer_full');
        env.ack.settle('rejected', 'dropped by a full buffer');
      },
      onBlocked: (ms) => metrics.bufferBlockedSeconds.labels(labels.id, policy).inc(ms / 1000),
    });
  }

  /** Puts an envelope in the buffer (waits while full under `block`). */
  async accept(envelope: Envelope): Promise<void> {
    const { metrics, labels } = this.telemetry;
    this.telemetry.eventsReceived(envelope.count, envelope.sizeBytes);
    metrics.bufferReceived.labels(labels.id, this.options.buffer.whenFull).inc(envelope.count);
    await this.queue.push(this.sink.prepare ? this.sink.prepare(envelope) : envelope);
    this.updateGauges();
  }

  start(): void {
    if (this.workers.length > 0 || this.stopped) return;
    for (let i = 0; i < this.options.concurrency; i += 1) this.workers.push(this.work());
  }

  /** Stops intake, sends what is buffered until the deadline, then fails whatever is left. */
  async shutdown(deadline: number): Promise<void> {
    if (this.stopped) return this.settleLeftovers();
    this.stopped = true;
    this.queue.close();
    const remaining = Math.max(0, deadline - Date.now());
    const timer = setTimeout(() => this.abort.abort(new Error('shutdown deadline reached')), remaining);
    try {
      await Promise.all(this.workers);
    } finally {
      clearTimeout(timer);
      this.settleLeftovers();
    }
  }

  private settleLeftovers(): void {
    for (const env of this.queue.drain(Infinity, Infinity)) {
      this.telemetry.eventsDiscarded(env.count, 'shutdown');
      env.ack.settle('failed', 'shut down before delivery');
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const batch = await this.nextBatch();
      if (batch.length === 0) return;
      this.updateGauges();
      await this.deliver(batch);
    }
  }

  private async nextBatch(): Promise<Envelope[]> {
    const { maxEvents, maxBytes, timeoutMs } = this.options.batch;
    const first = this.abort.signal.aborted ? undefined : await this.queue.shift();
    if (first === undefined) return [];
    const batch = [first];
    let events = first.count;
    let bytes = first.sizeBytes;
    const until = Date.now() + timeoutMs;
    while (events < maxEvents && bytes < maxBytes) {
      const next = await this.queue.shiftWithin(until - Date.now());
      if (next === undefined) break;
      batch.push(next);
      events += next.count;
      bytes += next.sizeBytes;
    }
    this.telemetry.metrics.bufferSent.labels(this.telemetry.labels.id, this.options.buffer.whenFull).inc(events);
    return batch;
  }

  /** One span per batch (OpenTelemetry), covering every attempt until the batch settles. */
  private deliver(batch: Envelope[]): Promise<void> {
    const { id, type } = this.telemetry.labels;
    const events = batch.reduce((n, env) => n + env.count, 0);
    return inSpan(`cargoscope.sink ${id}`, { 'cargoscope.component.id': id, 'cargoscope.component.type': type, 'cargoscope.batch.events': events, 'cargoscope.batch.envelopes': batch.length }, () =>
      this.deliverWithRetries(batch),
    );
  }

  private async deliverWithRetries(batch: Envelope[]): Promise<void> {
    let pending = batch;
    const started = process.hrtime.bigint();
    try {
      await retry(
        this.options.retry,
        async () => {
          const result = await withTimeout(this.options.requestTimeoutMs, (signal) => this.sink.send(pending, signal), this.abort.signal);
          pending = await this.settlePartial(pending, result ?? {});
          if (pending.length > 0) throw new RetryableError(`${pending.length} item(s) to retry`);
        },
        this.abort.signal,
        { onRetry: (attempt, delayMs, err) => this.onRetry(attempt, delayMs, err) },
      );
    } catch (err) {
      await this.settleFailure(pending, err);
    } finally {
      this.telemetry.batchDuration(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** Settles delivered and rejected items of a partial result; returns those to retry. */
  private async settlePartial(sent: Envelope[], result: { retry?: readonly number[]; rejected?: ReadonlyArray<{ index: number; reason: string }> }): Promise<Envelope[]> {
    const retrySet = new Set(result.retry ?? []);
    const rejected = new Map((result.rejected ?? []).map((r) => [r.index, r.reason] as const));
    const again: Envelope[] = [];
    for (const [index, env] of sent.entries()) {
      if (retrySet.has(index)) {
        again.push(env);
        continue;
      }
      const reason = rejected.get(index);
      if (reason !== undefined) {
        await this.reject(env, 'rejected', reason);
        continue;
      }
      this.telemetry.eventsSent(env.count, env.sizeBytes);
      this.telemetry.outcome('delivered');
      env.ack.settle('delivered');
    }
    return again;
  }

  private async settleFailure(pending: Envelope[], err: unknown): Promise<void> {
    // An abort at the shutdown deadline is neither the data's fault nor a bug.
    const kind = err instanceof DeadlineExceededError || this.abort.signal.aborted ? 'retryable' : classifyError(err);
    const message = (err as Error).message;
    if (kind === 'permanent') {
      const reason = err instanceof PermanentError ? err.reason : 'permanent';
      for (const env of pending) await this.reject(env, reason, message);
      return;
    }
    if (kind === 'bug') this.logger.error({ err }, 'sink failed with an unclassified error (a bug): batch not delivered');
    else this.logger.warn({ err: message, events: pending.length }, 'sink gave up retrying: batch not delivered');
    this.telemetry.error(kind === 'bug' ? 'bug' : 'retries_exhausted');
    for (const env of pending) {
      this.telemetry.outcome('failed');
      env.ack.settle('failed', message);
    }
  }

  /**
   * A permanent refusal: the envelope goes to the dead letter first, and only once that is durable
   * is the ack settled `rejected` (the source may then move on). If the dead letter cannot be
   * written, the ack fails instead, so the source keeps the data.
   */
  private async reject(env: Envelope, reason: string, detail: string): Promise<void> {
    this.telemetry.eventsDiscarded(env.count, reason);
    try {
      await this.options.onRejected?.(env, reason, detail);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, reason }, 'dead letter could not be written; batch not acknowledged');
      this.telemetry.outcome('failed');
      env.ack.settle('failed', `dead letter failed: ${(err as Error).message}`);
      return;
    }
    this.telemetry.outcome('rejected');
    env.ack.settle('rejected', detail);
  }

  private onRetry(attempt: number, delayMs: number, err: unknown): void {
    this.telemetry.retried();
    if (attempt === 1) this.logger.warn({ err: (err as Error).message, delayMs }, 'send failed, retrying');
  }

  private updateGauges(): void {
    const { metrics, labels } = this.telemetry;
    const policy = this.options.buffer.whenFull;
    metrics.bufferEvents.labels(labels.id, policy).set(this.queue.length);
    metrics.bufferBytes.labels(labels.id, policy).set(this.queue.sizeBytes);
  }
}
