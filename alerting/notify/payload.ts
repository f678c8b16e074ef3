import { isResolved, type NotifyAlert, type WebhookAlert, type WebhookPayload } from './types';

/** Alertmanager's zero time, which it writes for alerts that have not ended. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The labels a group is keyed by; `...` in group_by means every label (one group per alert). */
export function groupLabelsOf(labels: Readonly<Record<string, string>>, groupBy: readonly string[]): Record<string, string> {
  if (groupBy.includes('...')) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of groupBy) {
    const v = labels[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

/** Alertmanager's group key shape: route matchers (`{}` for the root route), then the group labels. */
export function groupKeyOf(groupLabels: Readonly<Record<string, string>>): string {
  const inner = Object.keys(groupLabels).sort().map((k) => `${k}=${JSON.stringify(groupLabels[k])}`).join(', ');
  return `{}:{${inner}}`;
}

function common(maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}

function toWebhookAlert(a: NotifyAlert, nowMs: number): WebhookAlert {
  const resolved = isResolved(a, nowMs);
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAtMs).toISOString(),
    endsAt: resolved ? new Date(a.endsAtMs).toISOString() : ZERO_TIME,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

export interface PayloadInput {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly NotifyAlert[];
  readonly externalURL: string;
  readonly nowMs: number;
  readonly maxAlerts: number;
}

/**
 * The Alertmanager v4 webhook body. Common labels and annotations are computed over all the
 * group's alerts (before truncation, as Alertmanager does); firing alerts come first.
 */
export function buildWebhookPayload(p: PayloadInput): WebhookPayload {
  const all = p.alerts.map((a) => toWebhookAlert(a, p.nowMs));
  all.sort((x, y) => (x.status === y.status ? 0 : x.status === 'firing' ? -1 : 1));
  const kept = p.maxAlerts > 0 ? all.slice(0, p.maxAlerts) : all;
  return {
    version: '4',
    groupKey: p.groupKey,
    truncatedAlerts: all.length - kept.length,
    status: all.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: p.receiver,
    groupLabels: p.groupLabels,
    commonLabels: common(all.map((a) => a.labels)),
    commonAnnotations: common(all.map((a) => a.annotations)),
    externalURL: p.externalURL,
    alerts: kept,
  };
}
