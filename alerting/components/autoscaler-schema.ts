import { z } from 'zod';
import { policySchema } from '../autoscale/schema';

export const autoscalerSchema = z
  .strictObject({
    /** A YAML file with `policies: [...]` (read at start), or the policies inline. */
    policies_file: z.string().min(1).optional(),
    policies: z.array(policySchema).min(1).optional(),
    /** How often every policy is evaluated (the HPA's --horizontal-pod-autoscaler-sync-period is 15 s). */
    interval_secs: z.number().positive().default(15),
    /** A replica whose latest sample is older than this counts as missing. */
    lookback_secs: z.number().positive().default(60),
    /** Decide and record, never write. */
    dry_run: z.boolean().default(false),
    max_conflict_retries: z.number().int().nonnegative().max(20).default(3),
    request_timeout_ms: z.number().int().positive().default(10_000),
    docker: z.strictObject({ socket_path: z.string().default('/var/run/docker.sock') }).prefault({}),
    kubernetes: z
      .strictObject({ in_cluster: z.boolean().default(false), kubeconfig: z.string().optional(), context: z.string().optional() })
      .prefault({}),
    /** Every decision is also sent here as a signed CloudEvent (and webhook targets use it as their actuator). */
    decision_webhook: z.strictObject({ url: z.url(), secret: z.string().optional(), timeout_ms: z.number().int().positive().default(10_000) }).optional(),
    /** JSONL of the inputs of every evaluation, replayable with `cargoscope autoscale simulate`. */
    record_series_file: z.string().optional(),
    /** JSONL of every decision record. */
    decisions_file: z.string().optional(),
    /** Publish each decision as roll-up series (replicaset level) on this topic, e.g. cargoscope.rollups.v1. */
    publish_topic: z.string().optional(),
  })
  .refine((c) => (c.policies_file === undefined) !== (c.policies === undefined), { message: 'set exactly one of policies_file and policies', path: ['policies'] });

export type AutoscalerConfig = z.infer<typeof autoscalerSchema>;
