import { readFile } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ComponentContext, ComponentFactory, Sink } from '../../core/component';
import type { Envelope } from '../../core/event';
import { ALERTING_LABEL as L, ALERTING_METRIC as M } from '../../core/naming';
import { RuleEngine, type EngineAlert } from '../engine';
import { AlertmanagerPushState, Dispatcher, LogReceiver, pushToAlertmanager, realScheduler, WebhookReceiver, type NotifyAlert, type Receiver, type Scheduler } from '../notify';
import { loadRules } from '../rules';
import { alertRulesSchema, type AlertRulesConfig } from './rules-schema';
import { Periodic } from './periodic';

/** Firing and resolved alerts in Alertmanager's model (pending ones are nobody's business yet). */
export function toNotifyAlerts(alerts: readonly EngineAlert[], generatorURL: string): NotifyAlert[] {
  const out: NotifyAlert[] = [];
  for (const a of alerts) {
    if (a.phase === 'pending') continue;
    out.push({
      fingerprint: a.fingerprint, labels: a.labels, annotations: a.annotations, startsAtMs: a.firedAtMs ?? a.activeAtMs,
      endsAtMs: a.phase === 'resolved' ? (a.resolvedAtMs ?? 0) : 0, generatorURL,
    });
  }
  return out;
}

/**
 * The `alert_rules` sink: evaluates rules over the roll-ups it receives every interval, groups and
 * sends notifications (Alertmanager semantics) and pushes alerts to Alertmanagers (Prometheus
 * semantics). Delivery of roll-ups is "held in the window"; notifications have their own retries.
 */
export class AlertRulesSink implements Sink {
  private engine: RuleEngine | undefined;
  private dispatcher: Dispatcher | undefined;
  private periodic: Periodic | undefined;
  private push: AlertmanagerPushState | undefined;
  private ctx: ComponentContext | undefined;
  private readonly registry = new Registry();
  private readonly metrics;

  constructor(private readonly config: AlertRulesConfig, private readonly scheduler: Scheduler = realScheduler) {
    const registers = [this.registry];
    this.metrics = {
      firing: new Gauge({ name: M.alertsFiring, help: 'Alert instances firing now.', labelNames: [L.alertname, L.severity], registers }),
      evaluation: new Histogram({ name: M.ruleEvaluationSeconds, help: 'Time to evaluate every rule once.', buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
      notifications: new Counter({ name: M.notifications, help: 'Alertmanager pushes by outcome.', labelNames: ['receiver', 'outcome'], registers }),
    };
  }

  async start(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    const rules = this.config.rules ?? loadRules(await readFile(this.config.rules_file ?? '', 'utf8'), this.config.rules_file);
    this.engine = new RuleEngine(rules);
    const r = this.config.route;
    this.dispatcher = new Dispatcher({
      groupBy: r.group_by, groupWaitMs: r.group_wait_secs * 1000, groupIntervalMs: r.group_interval_secs * 1000, repeatIntervalMs: r.repeat_interval_secs * 1000,
      externalURL: this.config.external_url, retry: { initialBackoffMs: r.retry.initial_backoff_ms, maxBackoffMs: r.retry.max_backoff_ms },
    }, this.config.receivers.map((rc) => this.receiver(rc, ctx)), this.scheduler, ctx.logger);
    const intervalMs = this.config.evaluation_interval_secs * 1000;
    this.push = new AlertmanagerPushState({ resendDelayMs: this.config.resend_delay_secs * 1000, evaluationIntervalMs: intervalMs, generatorURL: this.config.external_url });
    ctx.exposition.addMetrics(() => this.registry.metrics());
    this.periodic = new Periodic(intervalMs, async (signal) => void (await this.evaluateOnce(signal)), ctx.logger);
    this.periodic.start();
  }

  send(batch: readonly Envelope[]): Promise<void> {
    for (const env of batch) if (env.event.type === 'rollups') this.engine?.ingest(env.event);
    return Promise.resolve();
  }

  /** One evaluation: rules, notifications, Alertmanager push. Public for tests and benchmarks. */
  async evaluateOnce(signal: AbortSignal = new AbortController().signal): Promise<EngineAlert[]> {
    if (!this.engine) return [];
    const now = this.scheduler.now();
    const end = this.metrics.evaluation.startTimer();
    const alerts = this.engine.evaluate(now);
    end();
    this.metrics.firing.reset();
    for (const a of alerts) if (a.phase === 'firing') this.metrics.firing.inc({ [L.alertname]: a.labels['alertname'] ?? '', [L.severity]: a.labels['severity'] ?? '' });
    this.dispatcher?.insert(toNotifyAlerts(alerts, this.config.external_url));
    await this.pushAlertmanagers(alerts, now, signal);
    return alerts;
  }

  async shutdown(deadline: number): Promise<void> {
    await this.periodic?.stop(deadline);
    await this.dispatcher?.stop();
    this.periodic = undefined;
    this.dispatcher = undefined;
  }

  private async pushAlertmanagers(alerts: readonly EngineAlert[], now: number, signal: AbortSignal): Promise<void> {
    if (!this.push || this.config.alertmanagers.length === 0) return;
    const due = this.push.due(alerts, now);
    if (due.alerts.length === 0) return;
    const results = await Promise.allSettled(this.config.alertmanagers.map((am) => pushToAlertmanager(am.url, due.alerts, am.timeout_ms, signal)));
    results.forEach((res, i) => {
      const url = this.config.alertmanagers[i]?.url ?? '';
      this.metrics.notifications.inc({ receiver: `alertmanager:${url}`, outcome: res.status === 'fulfilled' ? 'sent' : 'failed' });
      if (res.status === 'rejected') this.ctx?.logger.warn({ err: String(res.reason), url }, 'alertmanager push failed; resending next evaluation');
    });
    // Any Alertmanager that took them is enough: they gossip in a cluster, and unsent ones retry next time.
    if (results.some((r) => r.status === 'fulfilled')) this.push.markSent(due.fingerprints, now);
  }

  private receiver(rc: AlertRulesConfig['receivers'][number], ctx: ComponentContext): Receiver {
    if (rc.type === 'log') return new LogReceiver(rc.name, ctx.logger, rc.send_resolved);
    return new WebhookReceiver({
      name: rc.name, url: rc.url, sendResolved: rc.send_resolved, maxAlerts: rc.max_alerts, timeoutMs: rc.timeout_ms, ...(rc.secret ? { secret: rc.secret } : {}),
    });
  }
}

export const alertRulesFactory: ComponentFactory<'sink', AlertRulesConfig> = {
  type: 'alert_rules',
  kind: 'sink',
  description: 'Evaluates alert rules over roll-ups; Alertmanager-style notifications (webhook v4, log) and push to Alertmanager.',
  schema: alertRulesSchema,
  accepts: ['rollups'],
  create: (config) => new AlertRulesSink(config),
};
