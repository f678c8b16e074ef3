import type { Envelope, LogBatch } from '../../../core/event';
import { toEcs } from '../../ecs';

/** Data stream of a record: `logs-cargoscope-<namespace>`, the namespace made safe for an index name. */
export function dataStreamFor(prefix: string, namespace: string): string {
  const safe = namespace.toLowerCase().replace(/[\\/*?"<>| ,#:]+/g, '_').replace(/^[-_+.]+/, '') || 'default';
  return `${prefix}-${safe}`.slice(0, 255);
}

/** Which envelope and record each bulk item came from. */
export interface ItemRef {
  readonly envelope: number;
  readonly record: number;
}

export interface BulkRequest {
  readonly operations: unknown[];
  readonly refs: ItemRef[];
}

/**
 * `create` operations with the record's deterministic id as `_id`: a replay after a crash or a
 * retry of a partly indexed batch meets 409 for what is already there, so nothing is duplicated.
 */
export function buildBulk(batch: readonly Envelope[], prefix: string): BulkRequest {
  const operations: unknown[] = [];
  const refs: ItemRef[] = [];
  batch.forEach((env, envelopeIndex) => {
    if (env.event.type !== 'logs') return;
    const logs: LogBatch = env.event;
    const index = dataStreamFor(prefix, logs.container.workload.namespace);
    logs.records.forEach((record, recordIndex) => {
      operations.push({ create: { _index: index, _id: record.id } }, toEcs(logs, record));
      refs.push({ envelope: envelopeIndex, record: recordIndex });
    });
  });
  return { operations, refs };
}

export type ItemOutcome = 'indexed' | 'duplicate' | 'retry' | 'reject';

export interface BulkItemResult {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string | null } | null;
}

/** 201 indexed; 409 already indexed (idempotent create); 429 and 5xx retry; other 4xx reject. */
export function classifyItem(item: BulkItemResult): ItemOutcome {
  if (item.status >= 200 && item.status < 300) return 'indexed';
  if (item.status === 409) return 'duplicate';
  if (item.status === 429 || item.status >= 500) return 'retry';
  return 'reject';
}

export interface BulkSummary {
  readonly indexed: number;
  readonly duplicates: number;
  /** Envelope indexes with at least one item to retry (the whole envelope is re-sent; 409s absorb the rest). */
  readonly retryEnvelopes: number[];
  readonly rejected: Array<{ ref: ItemRef; reason: string; detail: string }>;
}

export function summarise(refs: readonly ItemRef[], items: readonly BulkItemResult[]): BulkSummary {
  let indexed = 0;
  let duplicates = 0;
  const retry = new Set<number>();
  const rejected: BulkSummary['rejected'] = [];
  items.forEach((item, i) => {
    const ref = refs[i] as ItemRef;
    switch (classifyItem(item)) {
      case 'indexed':
        indexed += 1;
        break;
      case 'duplicate':
        duplicates += 1;
        break;
      case 'retry':
        retry.add(ref.envelope);
        break;
      case 'reject':
        rejected.push({ ref, reason: `es_${item.error?.type ?? `http_${item.status}`}`, detail: item.error?.reason ?? `status ${item.status}` });
    }
  });
  return { indexed, duplicates, retryEnvelopes: [...retry].sort((a, b) => a - b), rejected };
}
