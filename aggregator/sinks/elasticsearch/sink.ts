import { Client, errors } from '@elastic/elasticsearch';
import { z } from 'zod';
import type { ComponentContext, ComponentFactory, PartialSendResult, Sink } from '../../../core/component';
import { errorForHttpStatus, RetryableError } from '../../../core/delivery';
import type { DeadLetter, Envelope, LogBatch } from '../../../core/event';
import { buildBulk, summarise } from './bulk';
import { indexTemplate, lifecyclePolicy } from './template';

export const elasticsearchSchema = z.strictObject({
  endpoints: z.array(z.url()).min(1).default(['http://127.0.0.1:9200']),
  username: z.string().optional(),
  password: z.string().optional(),
  api_key: z.string().optional(),
  data_stream_prefix: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/).default('logs-cargoscope'),
  /** Install the index template and ILM policy on first use (off when an operator manages them). */
  manage_template: z.boolean().default(true),
  /** `ilm`: a delete-after-retention policy (skipped, with a warning, where ILM is missing). */
  lifecycle: z.enum(['ilm', 'none']).default('ilm'),
  retention_days: z.number().int().positive().default(7),
  rollover_max_primary_shard_gb: z.number().positive().default(50),
  shards: z.number().int().positive().default(1),
  replicas: z.number().int().nonnegative().default(0),
});
export type ElasticsearchConfig = z.infer<typeof elasticsearchSchema>;

/**
 * Only what `summarise` reads: ES otherwise echoes `_index`, `_id`, `_version`, `result`, `_shards`,
 * `_seq_no` and `_primary_term` for every document, which it must serialise and we must parse
 * (about 200 bytes an item instead of about 25). Every item keeps its `status`, so positions hold.
 */
const BULK_RESPONSE_FIELDS = ['errors', 'items.*.status', 'items.*.error.type', 'items.*.error.reason'];

/** Maps client errors to our classes: no answer or 429/5xx → retryable, other 4xx → permanent. */
export function classifyEsError(err: unknown): Error {
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 500;
    return errorForHttpStatus(status, JSON.stringify(err.body ?? '').slice(0, 300), String(err.headers?.['retry-after'] ?? '')) ?? err;
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) {
    return new RetryableError(`elasticsearch unreachable: ${err.message}`, undefined, { cause: err });
  }
  return err as Error;
}

/**
 * Indexes log records into `logs-cargoscope-<namespace>` data streams with bulk `create` and the
 * record's deterministic id: 409 means already indexed; per-item 429/5xx re-send the envelope;
 * other 4xx go to the dead letter with ES's reason. ES down → the runner retries, the consumer
 * waits (its offsets do not advance), nothing is lost.
 */
export class ElasticsearchSink implements Sink {
  private client: Client | undefined;
  private ctx: ComponentContext | undefined;
  private templateReady = false;

  constructor(private readonly config: ElasticsearchConfig) {}

  start(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    const { username, password, api_key: apiKey } = this.config;
    this.client = new Client({
      nodes: this.config.endpoints,
      maxRetries: 0, // retries belong to the SinkRunner, which knows the deadline and the backoff
      ...(apiKey ? { auth: { apiKey } } : username ? { auth: { username, password: password ?? '' } } : {}),
    });
    return Promise.resolve();
  }

  async send(batch: readonly Envelope[], signal: AbortSignal): Promise<PartialSendResult | void> {
    const client = this.client as Client;
    try {
      await this.ensureTemplate(client, signal);
      const { operations, refs } = buildBulk(batch, this.config.data_stream_prefix);
      if (operations.length === 0) return;
      const response = await client.bulk({ operations, filter_path: BULK_RESPONSE_FIELDS }, { signal });
      // All created: nothing to classify (a 409 replay sets `errors` too, so it takes the long way).
      if (response.errors === false) return;
      const summary = summarise(refs, response.items.map((item) => {
        const result = item.create ?? item.index;
        return result ? { status: result.status, error: result.error ?? null } : { status: 500, error: { type: 'missing_item' } };
      }));
      await this.deadLetterRecords(batch, summary.rejected);
      if (summary.duplicates > 0) this.ctx?.logger.debug({ duplicates: summary.duplicates }, 'records already indexed (replay)');
      return summary.retryEnvelopes.length > 0 ? { retry: summary.retryEnvelopes } : undefined;
    } catch (err) {
      throw classifyEsError(err);
    }
  }

  async shutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private async ensureTemplate(client: Client, signal: AbortSignal): Promise<void> {
    if (this.templateReady || !this.config.manage_template) return;
    const prefix = this.config.data_stream_prefix;
    const policy = await this.ensureLifecycle(client, signal) ? prefix : null;
    await client.indices.putIndexTemplate({ name: prefix, ...indexTemplate(prefix, policy, this.config.shards, this.config.replicas) }, { signal });
    this.templateReady = true;
  }

  /**
   * Installs the ILM policy. A cluster without ILM (no x-pack) answers 4xx: then retention is not
   * managed by cargoscope, which is said once, loudly, rather than failing every batch.
   */
  private async ensureLifecycle(client: Client, signal: AbortSignal): Promise<boolean> {
    if (this.config.lifecycle === 'none') return false;
    try {
      await client.ilm.putLifecycle({ name: this.config.data_stream_prefix, ...lifecyclePolicy(this.config.retention_days, this.config.rollover_max_primary_shard_gb) }, { signal });
      return true;
    } catch (err) {
      const status = err instanceof errors.ResponseError ? (err.statusCode ?? 0) : 0;
      if (status < 400 || status >= 500 || status === 429) throw err;
      this.ctx?.logger.warn({ status, err: (err as Error).message }, 'this Elasticsearch has no index lifecycle management: retention_days is not applied');
      this.ctx?.telemetry.error('ilm_unavailable');
      return false;
    }
  }

  /** Each refused record becomes a dead letter; the envelope then counts as handled. */
  private async deadLetterRecords(batch: readonly Envelope[], rejected: ReturnType<typeof summarise>['rejected']): Promise<void> {
    const ctx = this.ctx as ComponentContext;
    for (const { ref, reason, detail } of rejected) {
      const logs = (batch[ref.envelope] as Envelope).event as LogBatch;
      const record = logs.records[ref.record];
      const letter: DeadLetter = {
        type: 'deadletter', version: 1, component: ctx.id, reason, detail,
        origin: `${logs.container.id}:${record?.origin.fileKey ?? '?'}@${record?.origin.offset ?? '?'}`,
        payload: JSON.stringify(record), payloadEncoding: 'utf8', atMs: Date.now(),
      };
      ctx.telemetry.eventsDiscarded(1, reason);
      await ctx.deadLetter(letter);
    }
  }
}

export const elasticsearchFactory: ComponentFactory<'sink', ElasticsearchConfig> = {
  type: 'elasticsearch',
  kind: 'sink',
  description: 'Indexes log records into Elasticsearch 8 data streams (ECS, idempotent create, ILM retention).',
  schema: elasticsearchSchema,
  accepts: ['logs'],
  create: (config) => new ElasticsearchSink(config),
};
