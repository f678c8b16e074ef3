import { readFileSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import Dockerode from 'dockerode';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ComponentContext, ComponentFactory, Sink } from '../../core/component';
import type { Envelope, RollupBatch } from '../../core/event';
import { ALERTING_LABEL as L, ALERTING_METRIC as M, AUTOSCALER_SERIES as S, ROLLUP_METRIC } from '../../core/naming';
import { DockerSwarmActuator, inClusterConnection, kubeconfigConnection, KubernetesActuator, sendDecision, WebhookActuator, type Actuator, type ScaleState } from '../actuators';
import { PolicyController, type DecisionRecord } from '../autoscale/controller';
import { loadPolicies } from '../autoscale/load';
import type { AutoscalePolicy } from '../autoscale/schema';
import { SeriesStore } from '../engine/series-store';
import type { SeriesLine } from '../simulate';
import { autoscalerSchema, type AutoscalerConfig } from './autoscaler-schema';
import { Periodic } from './periodic';

function direction(r: DecisionRecord): string {
  return r.action === 'scale_up' ? 'up' : r.action === 'scale_down' ? 'down' : 'none';
}

/** The decision as roll-up series of the workload, so dashboards can chart and annotate it. */
export function decisionRollups(r: DecisionRecord, workload: string, source: string): RollupBatch {
  const [, namespace = '', replicaset = ''] = workload.split('/');
  const key = { level: 'replicaset' as const, namespace, workload, replicaset };
  const series = [
    { key, metric: S.currentReplicas, value: r.previousReplicas },
    { key, metric: S.desiredReplicas, value: r.desiredReplicas },
    ...(r.rawRecommendation === null ? [] : [{ key, metric: S.rawRecommendation, value: r.rawRecommendation }]),
  ];
  return { type: 'rollups', version: 1, source, atMs: r.atMs, resolutionMs: 0, series };
}

/**
 * The `autoscaler` sink: keeps a window of the roll-ups it receives and, every interval, runs each
 * policy's controller against its actuator. Every evaluation leaves a decision record in the log,
 * in metrics, and optionally in files, on a topic and on a webhook.
 */
export class AutoscalerSink implements Sink {
  private readonly store: SeriesStore;
  private readonly registry = new Registry();
  private controllers: PolicyController[] = [];
  private periodic: Periodic | undefined;
  private ctx: ComponentContext | undefined;
  private docker: Dockerode | undefined;
  private readonly metrics;
  /** Side-channel writes in decision order. */
  private persisted: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AutoscalerConfig,
    /** Tests substitute actuators (to interleave a manual scale with an evaluation); null = built from config. */
    private readonly actuatorOverride: ((p: AutoscalePolicy) => Actuator | undefined) | null = null,
  ) {
    this.store = new SeriesStore(Math.max(config.lookback_secs * 1000, 2 * config.interval_secs * 1000));
    const registers = [this.registry];
    this.metrics = {
      decisions: new Counter({ name: M.autoscalerDecisions, help: 'Autoscaler evaluations that left a decision record.', labelNames: [L.workload, L.direction, L.reason], registers }),
      current: new Gauge({ name: M.autoscalerCurrentReplicas, help: 'Replicas the orchestrator reported at the last evaluation.', labelNames: [L.workload], registers }),
      desired: new Gauge({ name: M.autoscalerDesiredReplicas, help: 'Replica count decided at the last evaluation.', labelNames: [L.workload], registers }),
      conflicts: new Counter({ name: M.autoscalerConflicts, help: 'Version conflicts met when writing replica counts.', labelNames: [L.workload], registers }),
    };
  }

  /** Evaluates every policy once now (the timer calls this; tests may too). */
  async evaluateAll(signal: AbortSignal = new AbortController().signal): Promise<DecisionRecord[]> {
    const now = Date.now();
    this.store.prune(now);
    const records: DecisionRecord[] = [];
    for (const c of this.controllers) records.push(await c.evaluate(now, AbortSignal.any([signal, AbortSignal.timeout(this.config.request_timeout_ms * 3)])));
    return records;
  }

  async start(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    const policies = this.config.policies ?? loadPolicies(await readFile(this.config.policies_file ?? '', 'utf8'), this.config.policies_file);
    this.controllers = policies.map((p) => new PolicyController(p, this.actuatorFor(p), this.store, {
      lookbackMs: this.config.lookback_secs * 1000,
      dryRun: this.config.dry_run,
      maxConflictRetries: this.config.max_conflict_retries,
      onRecord: (record, lines) => this.onRecord(p, record, lines),
    }));
    ctx.exposition.addMetrics(() => this.registry.metrics());
    this.periodic = new Periodic(this.config.interval_secs * 1000, async (signal) => void (await this.evaluateAll(signal)), ctx.logger);
    this.periodic.start();
  }

  send(batch: readonly Envelope[]): Promise<void> {
    for (const env of batch) if (env.event.type === 'rollups') this.store.ingest(env.event);
    return Promise.resolve();
  }

  async shutdown(deadline: number): Promise<void> {
    await this.periodic?.stop(deadline);
    await this.persisted;
    this.periodic = undefined;
    this.controllers = [];
  }

  private actuatorFor(p: AutoscalePolicy): Actuator {
    const override = this.actuatorOverride?.(p);
    if (override) return override;
    const t = p.target;
    if (t.type === 'docker_swarm') {
      this.docker ??= new Dockerode({ socketPath: this.config.docker.socket_path, timeout: this.config.request_timeout_ms });
      return new DockerSwarmActuator(this.docker, t.service);
    }
    if (t.type === 'kubernetes') {
      const k = this.config.kubernetes;
      const conn = k.in_cluster ? inClusterConnection() : kubeconfigConnection(readKubeconfig(k.kubeconfig), k.context);
      return new KubernetesActuator(conn, t);
    }
    const hook = this.config.decision_webhook;
    if (!hook) throw new Error(`policy ${p.name}: a webhook target needs decision_webhook`);
    return new WebhookActuator({ url: hook.url, timeoutMs: hook.timeout_ms, source: this.source(), ...(hook.secret ? { secret: hook.secret } : {}) }, p.name, () => this.runningFromRollups(p.workload));
  }

  /** Webhook targets: the workload's running containers as the roll-ups last saw them. */
  private runningFromRollups(workload: string): ScaleState {
    const now = Date.now();
    let running = 0;
    for (const s of this.store.withLabel(ROLLUP_METRIC.runningContainers.id, 'replicaset', 'workload', workload)) {
      const [from, to] = s.range(now - this.config.lookback_secs * 1000, now);
      if (to > from) running = s.values[to - 1] as number;
    }
    return { replicas: running, readyReplicas: running, version: '' };
  }

  private source(): string {
    return `cargoscope/autoscaler/${this.ctx?.node ?? 'node'}/${this.ctx?.id ?? 'autoscaler'}`;
  }

  private onRecord(p: AutoscalePolicy, record: DecisionRecord, lines: readonly SeriesLine[]): void {
    const w = p.workload;
    this.metrics.decisions.inc({ [L.workload]: w, [L.direction]: direction(record), [L.reason]: record.limitedBy ?? (record.error ? 'error' : 'none') });
    this.metrics.current.set({ [L.workload]: w }, record.previousReplicas);
    this.metrics.desired.set({ [L.workload]: w }, record.desiredReplicas);
    if (record.conflicts > 0) this.metrics.conflicts.inc({ [L.workload]: w }, record.conflicts);
    const logger = this.ctx?.logger;
    const level = record.error ? 'warn' : record.action === 'none' ? 'debug' : 'info';
    logger?.[level]({ decision: record }, `autoscaler ${p.name}: ${record.previousReplicas} → ${record.desiredReplicas} (${record.limitedBy ?? 'unlimited'})`);
    this.persisted = this.persisted
      .then(() => this.persist(p, record, lines))
      .catch((err: unknown) => this.ctx?.logger.warn({ err }, 'autoscaler: recording the decision failed'));
  }

  /** Files, topic and webhook are side channels: their failure is logged, never blocks scaling. */
  private async persist(p: AutoscalePolicy, record: DecisionRecord, lines: readonly SeriesLine[]): Promise<void> {
    const c = this.config;
    if (c.record_series_file && lines.length > 0) await appendFile(c.record_series_file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    if (c.decisions_file) await appendFile(c.decisions_file, `${JSON.stringify(record)}\n`);
    if (c.publish_topic && this.ctx) await this.ctx.transport.publish(c.publish_topic, [{ key: p.workload, event: decisionRollups(record, p.workload, this.source()) }]);
    if (c.decision_webhook && p.target.type !== 'webhook') {
      const h = c.decision_webhook;
      await sendDecision({ url: h.url, timeoutMs: h.timeout_ms, source: this.source(), ...(h.secret ? { secret: h.secret } : {}) }, p.name, record.atMs, record, AbortSignal.timeout(h.timeout_ms));
    }
  }
}

/** Read at start: a missing kubeconfig must fail the start, not a later tick. */
function readKubeconfig(path: string | undefined): string {
  return readFileSync(path ?? process.env['KUBECONFIG'] ?? `${process.env['HOME'] ?? ''}/.kube/config`, 'utf8');
}

export const autoscalerFactory: ComponentFactory<'sink', AutoscalerConfig> = {
  type: 'autoscaler',
  kind: 'sink',
  description: 'HPA-v2-style autoscaling of Docker Swarm services, Kubernetes workloads or webhook targets from roll-ups.',
  schema: autoscalerSchema,
  accepts: ['rollups'],
  create: (config) => new AutoscalerSink(config),
};
