/**
 * Alerts: each memory-hog episode must give exactly one firing episode (one `startsAt` per alert
 * fingerprint in the webhook notifications, however often the group is re-notified) and a
 * resolution, and Alertmanager must end with none of the drill's alerts active.
 */
import type { Received } from '../integration/alerting-helpers';

export interface AlertEpisode {
  /** The hog's replica set (its Swarm service name). */
  readonly replicaset: string;
  readonly startMs: number;
  readonly stopMs: number;
}

export interface AlertCheck {
  readonly replicaset: string;
  readonly firings: number;
  readonly resolved: boolean;
  readonly signaturesValid: boolean;
  /** Seconds from the hog's start to the first firing notification, and from stop to resolution. */
  readonly fireAfterSecs: number | undefined;
  readonly resolveAfterSecs: number | undefined;
}

export function checkAlerts(received: readonly Received[], alertName: string, episodes: readonly AlertEpisode[]): AlertCheck[] {
  return episodes.map((ep) => {
    const starts = new Set<string>();
    let firstFiring: number | undefined;
    let resolvedAt: number | undefined;
    let signaturesValid = true;
    for (const r of received) {
      for (const a of r.payload.alerts) {
        if (a.labels['alertname'] !== alertName || a.labels['replicaset'] !== ep.replicaset) continue;
        signaturesValid &&= r.signatureValid;
        if (a.status === 'firing') {
          starts.add(a.startsAt);
          firstFiring ??= r.atMs;
        } else resolvedAt ??= r.atMs;
      }
    }
    return {
      replicaset: ep.replicaset,
      firings: starts.size,
      resolved: resolvedAt !== undefined,
      signaturesValid,
      fireAfterSecs: firstFiring === undefined ? undefined : (firstFiring - ep.startMs) / 1000,
      resolveAfterSecs: resolvedAt === undefined ? undefined : (resolvedAt - ep.stopMs) / 1000,
    };
  });
}

/** Alerts of `alertName` in the run's namespace that Alertmanager still holds as active. */
export async function activeInAlertmanager(url: string, alertName: string, namespace: string): Promise<number> {
  const filter = [`alertname="${alertName}"`, `namespace="${namespace}"`].map((f) => `filter=${encodeURIComponent(f)}`).join('&');
  const res = await fetch(`${url}/api/v2/alerts?active=true&${filter}`);
  const body = (await res.json()) as Array<{ status: { state: string } }>;
  return body.filter((a) => a.status.state === 'active').length;
}
