import type { EngineAlert } from '../engine';
import { postJson } from './receivers';

/** One alert in Alertmanager's API v2 `POST /api/v2/alerts` body. */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

export interface PushOptions {
  readonly resendDelayMs: number;
  readonly evaluationIntervalMs: number;
  readonly generatorURL: string;
}

/**
 * What Prometheus sends Alertmanager, and when: firing alerts with endsAt pushed ahead by
 * 4 × max(evaluation interval, resend delay) — so Alertmanager resolves them itself if we stop —
 * resent every resend delay; resolved alerts once more with their real endsAt. Pending never.
 */
export class AlertmanagerPushState {
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly opts: PushOptions) {}

  due(alerts: readonly EngineAlert[], nowMs: number): { alerts: PostableAlert[]; fingerprints: string[] } {
    const validFor = 4 * Math.max(this.opts.evaluationIntervalMs, this.opts.resendDelayMs);
    const out: PostableAlert[] = [];
    const fingerprints: string[] = [];
    const live = new Set<string>();
    for (const a of alerts) {
      if (a.phase === 'pending') continue;
      live.add(a.fingerprint);
      const last = this.lastSent.get(a.fingerprint);
      const resolvedSinceSent = a.phase === 'resolved' && a.resolvedAtMs !== undefined && (last === undefined || a.resolvedAtMs > last);
      if (!resolvedSinceSent && last !== undefined && last + this.opts.resendDelayMs > nowMs) continue;
      fingerprints.push(a.fingerprint);
      out.push({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: new Date(a.firedAtMs ?? a.activeAtMs).toISOString(),
        endsAt: new Date(a.phase === 'resolved' && a.resolvedAtMs !== undefined ? a.resolvedAtMs : nowMs + validFor).toISOString(),
        generatorURL: this.opts.generatorURL,
      });
    }
    for (const fp of this.lastSent.keys()) if (!live.has(fp)) this.lastSent.delete(fp);
    return { alerts: out, fingerprints };
  }

  /** Marks alerts as sent only after Alertmanager accepted them, so a failure is resent next time. */
  markSent(fingerprints: readonly string[], nowMs: number): void {
    for (const fp of fingerprints) this.lastSent.set(fp, nowMs);
  }
}

export async function pushToAlertmanager(baseUrl: string, alerts: readonly PostableAlert[], timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (alerts.length === 0) return;
  await postJson(`${baseUrl.replace(/\/$/, '')}/api/v2/alerts`, JSON.stringify(alerts), { timeoutMs, signal });
}
