import type { Logger } from 'pino';
import { DEFAULT_RETRY, retry, type RetryPolicy } from '../../core/delivery';
import { buildWebhookPayload, groupKeyOf, groupLabelsOf } from './payload';
import { isResolved, type NotifyAlert, type Receiver, type Scheduler } from './types';

export interface RouteOptions {
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly externalURL: string;
  readonly retry?: Partial<RetryPolicy>;
}

/** What a receiver was last told about a group (Alertmanager's notification log entry). */
interface LogEntry {
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  readonly atMs: number;
}

function isSubset(sub: ReadonlySet<string>, of: ReadonlySet<string>): boolean {
  for (const x of sub) if (!of.has(x)) return false;
  return true;
}

/**
 * Alertmanager's dedup decision: notify when something new fires, when (with send_resolved) something
 * newly resolved, when everything the receiver knew as firing has resolved, or when nothing changed
 * but repeat_interval has passed since the last successful notification.
 */
export function needsUpdate(entry: LogEntry | undefined, firing: ReadonlySet<string>, resolved: ReadonlySet<string>, sendResolved: boolean, repeatMs: number, nowMs: number): boolean {
  if (!entry) return firing.size > 0;
  if (!isSubset(firing, entry.firing)) return true;
  if (firing.size === 0) return entry.firing.size > 0;
  if (sendResolved && !isSubset(resolved, entry.resolved)) return true;
  return entry.atMs <= nowMs - repeatMs;
}

class AggregationGroup {
  readonly alerts = new Map<string, NotifyAlert>();
  readonly log = new Map<string, LogEntry>();
  timer: unknown;
  hasFlushed = false;
  flushing: Promise<void> | undefined;

  constructor(readonly key: string, readonly labels: Readonly<Record<string, string>>) {}
}

/**
 * Groups alerts and notifies receivers on Alertmanager's timing: a new group waits group_wait, then
 * is flushed every group_interval; each receiver is notified only when `needsUpdate` says so, and
 * only a success is written to its log — a failed delivery is retried with backoff within the
 * group interval and again at every following flush until it succeeds.
 */
export class Dispatcher {
  private readonly groups = new Map<string, AggregationGroup>();
  private readonly retryPolicy: RetryPolicy;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly route: RouteOptions,
    private readonly receivers: readonly Receiver[],
    private readonly scheduler: Scheduler,
    private readonly logger?: Logger,
  ) {
    this.retryPolicy = { ...DEFAULT_RETRY, initialBackoffMs: 500, maxBackoffMs: 10_000, ...route.retry, deadlineMs: route.groupIntervalMs };
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /** Adds or updates alerts (every evaluation passes the current firing and resolved ones). */
  insert(alerts: readonly NotifyAlert[]): void {
    if (this.stopped) return;
    const now = this.scheduler.now();
    for (const alert of alerts) {
      const labels = groupLabelsOf(alert.labels, this.route.groupBy);
      const key = groupKeyOf(labels);
      let group = this.groups.get(key);
      if (!group) {
        // A group that only ever saw resolved alerts has nothing to say.
        if (isResolved(alert, now)) continue;
        group = new AggregationGroup(key, labels);
        this.groups.set(key, group);
        this.schedule(group, this.route.groupWaitMs);
      }
      group.alerts.set(alert.fingerprint, alert);
      // An alert older than group_wait need not wait again (Alertmanager does the same after restarts).
      if (!group.hasFlushed && alert.startsAtMs + this.route.groupWaitMs < now) this.schedule(group, 0);
    }
  }

  /** Stops timers and waits for flushes in progress (bounded by their retry deadline or `signal`). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('dispatcher stopped'));
    const inflight: Array<Promise<void>> = [];
    for (const g of this.groups.values()) {
      this.scheduler.clearTimer(g.timer);
      if (g.flushing) inflight.push(g.flushing);
    }
    await Promise.allSettled(inflight);
  }

  private schedule(group: AggregationGroup, ms: number): void {
    this.scheduler.clearTimer(group.timer);
    group.timer = this.scheduler.setTimer(() => this.onTimer(group), ms);
  }

  private onTimer(group: AggregationGroup): void {
    if (this.stopped) return;
    this.schedule(group, this.route.groupIntervalMs);
    if (group.flushing) return; // the previous flush is still retrying; the next tick will try again
    group.flushing = this.flush(group).finally(() => {
      group.flushing = undefined;
    });
  }

  private async flush(group: AggregationGroup): Promise<void> {
    group.hasFlushed = true;
    const now = this.scheduler.now();
    const snapshot = [...group.alerts.values()];
    const firing = new Set(snapshot.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(snapshot.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    const results = await Promise.all(this.receivers.map((r) => this.notifyReceiver(group, r, snapshot, firing, resolved, now)));
    if (results.every(Boolean)) {
      // Resolved alerts were delivered: forget them unless they changed meanwhile (fired again).
      for (const a of snapshot) if (resolved.has(a.fingerprint) && group.alerts.get(a.fingerprint) === a) group.alerts.delete(a.fingerprint);
    }
    if (group.alerts.size === 0) {
      this.scheduler.clearTimer(group.timer);
      this.groups.delete(group.key);
    }
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.scheduler.clearTimer(handle);
        reject(signal?.reason as Error);
      };
      const handle = this.scheduler.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async notifyReceiver(
    group: AggregationGroup, receiver: Receiver, snapshot: readonly NotifyAlert[], firing: ReadonlySet<string>, resolved: ReadonlySet<string>, now: number,
  ): Promise<boolean> {
    const entry = group.log.get(receiver.name);
    if (!needsUpdate(entry, firing, resolved, receiver.sendResolved, this.route.repeatIntervalMs, now)) return true;
    const alerts = receiver.sendResolved ? snapshot : snapshot.filter((a) => firing.has(a.fingerprint));
    if (alerts.length === 0) {
      // Everything resolved and this receiver does not want resolved notices: nothing to send.
      group.log.set(receiver.name, { firing, resolved, atMs: now });
      return true;
    }
    const payload = buildWebhookPayload({
      receiver: receiver.name, groupKey: group.key, groupLabels: group.labels, alerts, externalURL: this.route.externalURL, nowMs: now, maxAlerts: receiver.maxAlerts,
    });
    try {
      await retry(this.retryPolicy, () => receiver.notify(payload, this.abort.signal), this.abort.signal, {
        now: () => this.scheduler.now(),
        sleep: (ms, signal) => this.sleep(ms, signal),
        onRetry: (attempt, delayMs, err) => this.logger?.warn({ receiver: receiver.name, groupKey: group.key, attempt, delayMs, err: String(err) }, 'notification failed; retrying'),
      });
      group.log.set(receiver.name, { firing, resolved, atMs: now });
      return true;
    } catch (err) {
      this.logger?.error({ receiver: receiver.name, groupKey: group.key, err: String(err) }, 'notification not delivered; will retry at the next group interval');
      return false;
    }
  }
}
