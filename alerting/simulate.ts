import { z } from 'zod';
import { EMPTY_STATE, evaluatePolicy, loadPolicies, type AutoscalePolicy, type BehaviorState, type Decision, type MetricInput } from './autoscale';
import { metricIdOf, targetOf } from './autoscale/observe';

/**
 * One recorded reading (a line of the series file): what a policy metric read at one time, with
 * the replica counts the orchestrator reported then. The live autoscaler writes exactly these
 * lines (`record_series_file`), so a run can be replayed decision for decision.
 */
export const seriesLineSchema = z.strictObject({
  time: z.union([z.number(), z.iso.datetime({ offset: true })]),
  workload: z.string().min(1),
  metric: z.string().min(1),
  /** Per-replica average (cpu, memory, average_value) or the total (total); null = no data. */
  value: z.number().nullable(),
  replicas: z.number().int().nonnegative(),
  ready: z.number().int().nonnegative(),
  /** Ready replicas that reported; defaults to `ready`. */
  reporting: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});
export type SeriesLine = z.infer<typeof seriesLineSchema>;

export function lineTimeMs(l: SeriesLine): number {
  return typeof l.time === 'number' ? l.time : Date.parse(l.time);
}

export function parseSeries(text: string): SeriesLine[] {
  const out: SeriesLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new Error(`series line ${i + 1}: ${(err as Error).message}`);
    }
    const parsed = seriesLineSchema.safeParse(json);
    if (!parsed.success) throw new Error(`series line ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ')}`);
    out.push(parsed.data);
  });
  return out;
}

/** Inputs of one evaluation from the lines recorded at one time for one workload. */
export function inputsFromLines(policy: AutoscalePolicy, lines: readonly SeriesLine[]): { counts: { current: number; ready: number }; metrics: MetricInput[] } {
  const first = lines[0];
  const counts = { current: first?.replicas ?? 0, ready: first?.ready ?? 0 };
  const metrics = policy.metrics.map((spec): MetricInput => {
    const name = metricIdOf(spec);
    const line = lines.find((l) => l.metric === name);
    if (!line || line.value === null) return { name, error: line?.error ?? 'no data' };
    const target = targetOf(spec);
    if (spec.type === 'total') return { name, observation: { kind: 'total', total: line.value, target } };
    const kind = spec.type === 'average_value' ? 'average_value' : 'utilization';
    return { name, observation: { kind, average: line.value, reporting: line.reporting ?? line.ready, target } };
  });
  return { counts, metrics };
}

/** A decision as simulate prints it: the pure decision plus an ISO time for people. */
export type SimulatedDecision = Decision & { readonly time: string };

/**
 * Replays recorded series through policies: every distinct time is one evaluation of every
 * policy whose workload has lines then. Replica counts come from the recording (what the
 * orchestrator really had), so the output is what the autoscaler decided, or would have.
 */
export function simulate(policies: readonly AutoscalePolicy[], lines: readonly SeriesLine[]): SimulatedDecision[] {
  const byTime = new Map<number, SeriesLine[]>();
  for (const l of lines) {
    const t = lineTimeMs(l);
    const list = byTime.get(t);
    if (list) list.push(l);
    else byTime.set(t, [l]);
  }
  const states = new Map<string, BehaviorState>();
  const out: SimulatedDecision[] = [];
  for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
    const at = byTime.get(t) ?? [];
    for (const policy of policies) {
      const mine = at.filter((l) => l.workload === policy.workload);
      if (mine.length === 0) continue;
      const { counts, metrics } = inputsFromLines(policy, mine);
      const r = evaluatePolicy(policy, states.get(policy.name) ?? EMPTY_STATE, { atMs: t, counts, metrics });
      states.set(policy.name, r.state);
      out.push({ ...r.decision, time: new Date(t).toISOString() });
    }
  }
  return out;
}

/**
 * `cargoscope autoscale simulate --policy FILE --series FILE.jsonl`: one JSON decision per line.
 * Throws ConfigError (policy, with paths) or Error (series, with the line number).
 */
export function runSimulate(policyText: string, seriesText: string, policyFile?: string): string[] {
  return simulate(loadPolicies(policyText, policyFile), parseSeries(seriesText)).map((d) => JSON.stringify(d));
}

/** Series lines for one evaluation, as the live autoscaler records them. */
export function linesFor(policy: AutoscalePolicy, atMs: number, counts: { current: number; ready: number }, metrics: readonly MetricInput[]): SeriesLine[] {
  return metrics.map((m) => {
    const o = m.observation;
    const value = o ? (o.kind === 'total' ? o.total : o.average) : null;
    return {
      time: atMs, workload: policy.workload, metric: m.name, value, replicas: counts.current, ready: counts.ready,
      ...(o && o.kind !== 'total' ? { reporting: o.reporting } : {}),
      ...(m.error ? { error: m.error } : {}),
    };
  });
}
