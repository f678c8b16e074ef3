/**
 * The drill's report: what it measured, and the verdict. `judge` is the only place that decides
 * pass or fail, so the mocha suite and `npm run drill` cannot disagree.
 */
import type { AlertCheck } from './verify-alerts';
import type { LogCheck } from './verify-logs';
import type { Fault, GapCheck } from './verify-metrics';
import type { DrillPlan } from './plan';

export interface RssCheck {
  readonly name: string;
  readonly peakMiB: number;
  readonly boundMiB: number;
  /** Seconds into the drill when the peak was first seen, and the phase it fell in (see `phaseAt`). */
  readonly peakAtSecs?: number;
  readonly peakDuring?: string;
}

/**
 * What the drill was doing at `atMs`: the fault in progress (start to end plus grace), else the
 * time since the last one ended, so a peak can be laid next to its cause.
 */
export function phaseAt(faults: readonly Fault[], atMs: number): string {
  const inProgress = faults.find((f) => atMs >= f.startMs && atMs <= f.endMs + f.graceMs);
  if (inProgress) return `${inProgress.kind} ${inProgress.target}`;
  const before = faults.filter((f) => f.endMs + f.graceMs < atMs).at(-1);
  if (!before) return 'before the first fault';
  return `${((atMs - before.endMs - before.graceMs) / 1000).toFixed(0)} s after ${before.kind} ${before.target}`;
}

export interface SoakCheck {
  readonly rssSlopeMiBPerHour: Record<string, number>;
  readonly lagSlopePerHour: Record<string, number>;
  readonly lagMax: Record<string, number>;
  readonly lagLast: Record<string, number>;
  readonly maxLagSlopePerHour: number;
}

export interface DrillReport {
  readonly mode: DrillPlan['mode'];
  readonly runId: string;
  readonly plan: DrillPlan;
  readonly startedAt: string;
  readonly durationSecs: number;
  readonly load: { steady: number; churn: number; churnErrors: string[] };
  readonly faults: ReadonlyArray<Fault & { outageSecs: number }>;
  readonly logs: LogCheck;
  readonly discarded: Record<string, number>;
  readonly metrics: { intervalSecs: number; influxdb: GapCheck; prometheus: GapCheck };
  readonly alerts: AlertCheck[];
  readonly alertmanagerActiveAtEnd: number;
  readonly rss: RssCheck[];
  readonly unexpectedExits: string[];
  readonly soak?: SoakCheck;
  readonly failures: string[];
  readonly pass: boolean;
}

export function judge(r: Omit<DrillReport, 'failures' | 'pass'>): string[] {
  const f: string[] = [];
  const { logs } = r;
  if (logs.produced === 0) f.push('no log line was produced');
  if (logs.missing > 0) f.push(`${logs.missing} of ${logs.produced} log lines missing from Elasticsearch`);
  if (logs.duplicates > 0) f.push(`${logs.duplicates} log lines indexed more than once`);
  if (logs.unexpected > 0) f.push(`${logs.unexpected} documents that no drill container wrote`);
  // A loss the pipeline counted is still a loss: the drill's rates are chosen so there is none.
  for (const [reason, n] of Object.entries(r.discarded)) if (n > 0) f.push(`collector discarded ${n} events (${reason})`);
  for (const g of [r.metrics.influxdb, r.metrics.prometheus]) {
    if (g.workloads === 0) f.push(`${g.store}: no workload series found`);
    if (g.empty.length > 0) f.push(`${g.store}: no points for ${g.empty.slice(0, 5).join(', ')}`);
    for (const v of g.violations.slice(0, 3)) f.push(`${g.store}: ${v.workload} gap ${v.gapSecs.toFixed(1)} s > ${v.allowedSecs.toFixed(1)} s allowed (${v.fault})`);
  }
  if (r.mode !== 'soak' && r.alerts.length === 0) f.push('no alert episode ran');
  for (const a of r.alerts) {
    if (a.firings !== 1) f.push(`alert on ${a.replicaset} fired ${a.firings} times (want exactly 1)`);
    if (!a.resolved) f.push(`alert on ${a.replicaset} never resolved`);
    if (!a.signaturesValid) f.push(`alert on ${a.replicaset}: a webhook signature did not verify`);
  }
  if (r.alertmanagerActiveAtEnd > 0) f.push(`Alertmanager still holds ${r.alertmanagerActiveAtEnd} active drill alerts`);
  for (const p of r.rss) if (p.peakMiB > p.boundMiB) f.push(`${p.name} RSS peaked at ${p.peakMiB.toFixed(0)} MiB > ${p.boundMiB} MiB bound`);
  f.push(...r.unexpectedExits.map((e) => `unexpected exit: ${e}`));
  if (r.soak) {
    for (const [name, s] of Object.entries(r.soak.rssSlopeMiBPerHour)) {
      if (!(s <= r.plan.soakMaxRssSlopeMiBPerHour)) f.push(`${name} RSS slope ${s.toFixed(1)} MiB/h > ${r.plan.soakMaxRssSlopeMiBPerHour} MiB/h`);
    }
    for (const [group, s] of Object.entries(r.soak.lagSlopePerHour)) {
      if (!(s <= r.soak.maxLagSlopePerHour)) f.push(`consumer lag of ${group} grows ${s.toFixed(0)} messages/h > ${r.soak.maxLagSlopePerHour}`);
    }
  }
  return f;
}

export function summary(r: DrillReport): string {
  const l = r.logs;
  const lines = [
    `drill ${r.mode} ${r.runId}: ${r.pass ? 'PASS' : 'FAIL'} in ${r.durationSecs.toFixed(0)} s`,
    `  load: ${r.load.steady} steady writers, ${r.load.churn} churn containers (${r.load.churnErrors.length} failed to start)`,
    `  logs: produced ${l.produced}, indexed ${l.indexed}, duplicates ${l.duplicates}, missing ${l.missing}, unexpected ${l.unexpected}; collector discards ${JSON.stringify(r.discarded)}`,
    ...r.faults.map((f) => `  fault: ${f.kind} ${f.target} ${f.outageSecs.toFixed(1)} s`),
    ...[r.metrics.influxdb, r.metrics.prometheus].map((g) =>
      `  ${g.store}: ${g.workloads} workloads, max gap ${g.maxGapSecs.toFixed(1)} s (allowed ${g.worst?.allowedSecs.toFixed(1) ?? '-'} s, ${g.worst?.fault ?? '-'}), ${g.violations.length} violations`),
    ...r.alerts.map((a) => `  alert ${a.replicaset}: fired ${a.firings}× after ${a.fireAfterSecs?.toFixed(1) ?? '-'} s, resolved ${a.resolved} after ${a.resolveAfterSecs?.toFixed(1) ?? '-'} s`),
    `  alertmanager active at end: ${r.alertmanagerActiveAtEnd}`,
    ...r.rss.map((p) => `  rss ${p.name}: peak ${p.peakMiB.toFixed(0)} MiB / bound ${p.boundMiB} MiB${p.peakDuring ? ` (at +${p.peakAtSecs?.toFixed(0)} s, ${p.peakDuring})` : ''}`),
    ...(r.soak ? [`  soak: rss slope MiB/h ${JSON.stringify(r.soak.rssSlopeMiBPerHour)}, lag slope /h ${JSON.stringify(r.soak.lagSlopePerHour)}`] : []),
    ...r.failures.map((x) => `  FAIL: ${x}`),
  ];
  return lines.join('\n');
}
