/** An alert as notifications see it: Alertmanager's model (startsAt / endsAt decide the status). */
export interface NotifyAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** 0 while firing; the resolution time once resolved. */
  readonly endsAtMs: number;
  readonly generatorURL: string;
}

export function isResolved(a: NotifyAlert, nowMs: number): boolean {
  return a.endsAtMs !== 0 && a.endsAtMs <= nowMs;
}

/** Alertmanager webhook payload, version 4. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

export interface WebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
}

/** Something that delivers a group's notification; throws a classified error (core/delivery). */
export interface Receiver {
  readonly name: string;
  readonly sendResolved: boolean;
  /** 0 = no limit; more alerts are cut and counted in `truncatedAlerts`. */
  readonly maxAlerts: number;
  notify(payload: WebhookPayload, signal: AbortSignal): Promise<void>;
}

/** Timers behind an interface so grouping can be tested with a manual clock and no sleeps. */
export interface Scheduler {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};
