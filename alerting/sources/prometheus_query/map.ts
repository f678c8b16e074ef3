import type { RollupBatch, RollupKey, RollupLevel, RollupSeries } from '../../../core/event';

/** One entry of a Prometheus instant-vector result (`/api/v1/query`). */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface QuerySpec {
  /** The metric id rules refer to (`metric:` in a rule). */
  readonly metric: string;
  readonly level: RollupLevel;
  readonly query: string;
}

const KEY_LABELS = ['node', 'namespace', 'workload', 'replicaset', 'deployment', 'pod', 'container'] as const;

/**
 * Turns a PromQL vector into roll-up series, so rules run the same over Prometheus data as over
 * cargoscope's own roll-ups. A sample's labels fill the key's fields of the same name; anything
 * else is dropped (rules select on key labels only). NaN and ±Inf samples are skipped: no rule
 * can compare them meaningfully.
 */
export function vectorToSeries(spec: QuerySpec, result: readonly VectorSample[]): RollupSeries[] {
  const out: RollupSeries[] = [];
  for (const sample of result) {
    const value = Number(sample.value[1]);
    if (!Number.isFinite(value)) continue;
    const key: Record<string, string> = { level: spec.level };
    for (const label of KEY_LABELS) {
      const v = sample.metric[label];
      if (v !== undefined) key[label] = v;
    }
    out.push({ key: key as unknown as RollupKey, metric: spec.metric, value });
  }
  return out;
}

export function toBatch(source: string, atMs: number, resolutionMs: number, series: RollupSeries[]): RollupBatch {
  return { type: 'rollups', version: 1, source, atMs, resolutionMs, series };
}

/** Validates the shape of a `/api/v1/query` answer; returns the vector or a reason. */
export function parseQueryResponse(body: unknown): { ok: true; result: VectorSample[] } | { ok: false; reason: string } {
  const b = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (!b || typeof b !== 'object') return { ok: false, reason: 'not a JSON object' };
  if (b.status !== 'success') return { ok: false, reason: `status ${String(b.status)}: ${typeof b.error === 'string' ? b.error : JSON.stringify(b.error ?? '')}` };
  if (b.data?.resultType !== 'vector') return { ok: false, reason: `expected a vector, got ${String(b.data?.resultType)} (wrap the query so it returns an instant vector)` };
  if (!Array.isArray(b.data.result)) return { ok: false, reason: 'result is not a list' };
  return { ok: true, result: b.data.result as VectorSample[] };
}
