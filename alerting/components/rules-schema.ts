import { z } from 'zod';
import { ruleSchema } from '../rules/schema';

const receiverSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    name: z.string().min(1),
    url: z.url(),
    /** HMAC-SHA256 key for the X-Cargoscope-Signature header. */
    secret: z.string().optional(),
    send_resolved: z.boolean().default(true),
    max_alerts: z.number().int().nonnegative().default(0),
    timeout_ms: z.number().int().positive().default(10_000),
  }),
  z.strictObject({ type: z.literal('log'), name: z.string().min(1), send_resolved: z.boolean().default(true) }),
]);

export const alertRulesSchema = z
  .strictObject({
    rules_file: z.string().min(1).optional(),
    rules: z.array(ruleSchema).optional(),
    evaluation_interval_secs: z.number().positive().default(15),
    /** Where people find cargoscope: `externalURL` of notifications, base of generatorURL. */
    external_url: z.string().default('http://127.0.0.1:9780'),
    /** Alertmanager's route options, with its defaults. */
    route: z
      .strictObject({
        group_by: z.array(z.string()).default(['alertname']),
        group_wait_secs: z.number().nonnegative().default(30),
        group_interval_secs: z.number().positive().default(300),
        repeat_interval_secs: z.number().positive().default(4 * 3600),
        retry: z.strictObject({ initial_backoff_ms: z.number().int().positive().default(500), max_backoff_ms: z.number().int().positive().default(10_000) }).prefault({}),
      })
      .prefault({}),
    receivers: z.array(receiverSchema).default([{ type: 'log', name: 'log', send_resolved: true }]),
    /** Alertmanagers (API v2) that get every firing and resolved alert, as Prometheus sends them. */
    alertmanagers: z.array(z.strictObject({ url: z.url(), timeout_ms: z.number().int().positive().default(10_000) })).default([]),
    resend_delay_secs: z.number().positive().default(60),
  })
  .refine((c) => (c.rules_file === undefined) !== (c.rules === undefined), { message: 'set exactly one of rules_file and rules', path: ['rules'] });

export type AlertRulesConfig = z.infer<typeof alertRulesSchema>;
