import { z } from 'zod';
import { ROLLUP_LEVELS } from '../../core/naming';
import { compileTemplate } from '../engine/template';

/** Labels of a roll-up key a selector may match (core/event RollupKey). */
export const SELECTOR_LABELS = ['node', 'namespace', 'workload', 'replicaset', 'deployment', 'pod', 'container'] as const;

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are [a-zA-Z_][a-zA-Z0-9_]*');

/** A matcher value: `value` or `=value` (equal), `!=value`, `=~regex`, `!~regex` (anchored, like PromQL). */
const matcherValue = z.string().superRefine((v, ctx) => {
  const m = /^(=~|!~)(.*)$/s.exec(v);
  if (!m) return;
  try {
    new RegExp(`^(?:${m[2] ?? ''})$`);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
  }
});

const templateString = z.string().superRefine((v, ctx) => {
  try {
    compileTemplate(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const ruleSchema = z
  .strictObject({
    alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'alert names are [A-Za-z_][A-Za-z0-9_]*'),
    /** A ROLLUP_METRIC id (`cpu_usage_limit_ratio`) or any other roll-up metric name. */
    metric: z.string().min(1),
    level: z.enum(ROLLUP_LEVELS),
    selector: z.partialRecord(z.enum(SELECTOR_LABELS), matcherValue).default({}),
    reducer: z.enum(['avg', 'min', 'max', 'sum', 'last', 'rate', 'quantile']).default('avg'),
    /** Only for `reducer: quantile`, in [0, 1]. */
    quantile: z.number().min(0).max(1).optional(),
    window_secs: z.number().positive().default(60),
    op: z.enum(['>', '>=', '<', '<=']).default('>'),
    threshold: z.number(),
    /** Hysteresis: once active, the alert stays until the value crosses this instead of `threshold`. */
    clear_threshold: z.number().optional(),
    for_secs: z.number().nonnegative().default(0),
    keep_firing_for_secs: z.number().nonnegative().default(0),
    labels: z.record(labelName, z.string()).default({}),
    annotations: z.record(labelName, templateString).default({}),
  })
  .superRefine((r, ctx) => {
    if (r.reducer === 'quantile' && r.quantile === undefined) ctx.addIssue({ code: 'custom', path: ['quantile'], message: 'required with reducer: quantile' });
    if (r.reducer !== 'quantile' && r.quantile !== undefined) ctx.addIssue({ code: 'custom', path: ['quantile'], message: 'only used with reducer: quantile' });
    if (r.clear_threshold === undefined) return;
    const above = r.op === '>' || r.op === '>=';
    if (above ? r.clear_threshold > r.threshold : r.clear_threshold < r.threshold) {
      ctx.addIssue({ code: 'custom', path: ['clear_threshold'], message: `must be ${above ? '<=' : '>='} threshold for op '${r.op}' (it is where the alert clears)` });
    }
  });

export const ruleFileSchema = z.strictObject({ rules: z.array(ruleSchema) });

export type Rule = z.infer<typeof ruleSchema>;
