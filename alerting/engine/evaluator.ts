import type { RollupBatch } from '../../core/event';
import type { Rule } from '../rules/schema';
import { COMPARATORS, conditionHolds, nextAlertState, type AlertPhase, type AlertTimes, type Comparator } from './alert-state';
import { labelsFingerprint } from './fingerprint';
import { reducerFor, type Reducer } from './reducers';
import { parseSelector, selectSeries, type Matcher } from './selector';
import type { SeriesBuffer } from './series-store';
import { SeriesStore } from './series-store';
import { compileTemplate, type CompiledTemplate } from './template';

/** An alert as the engine hands it on (to notifications and Alertmanager). */
export interface EngineAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly phase: AlertPhase;
  readonly value: number;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly resolvedAtMs?: number;
}

interface AlertSlot {
  times: AlertTimes;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
  value: number;
  /** The evaluation that last saw the alert's series; older means the series vanished. */
  seenAtMs: number;
}

/** A rule with everything decided at load: reducer, comparator, matchers, templates. */
class CompiledRule {
  readonly matchers: readonly Matcher[];
  readonly reduce: Reducer;
  readonly cmp: Comparator;
  readonly clear: number;
  readonly windowMs: number;
  readonly timing: { forMs: number; keepFiringForMs: number };
  readonly annotations: ReadonlyArray<readonly [string, CompiledTemplate]>;
  readonly alerts = new Map<string, AlertSlot>();
  matched: SeriesBuffer[] = [];
  /** Alert slots parallel to `matched`, so the hot loop indexes instead of hashing series ids. */
  slots: Array<AlertSlot | undefined> = [];
  matchedGeneration = -1;

  constructor(readonly rule: Rule) {
    this.matchers = parseSelector(rule.selector);
    this.reduce = reducerFor(rule.reducer, rule.quantile);
    this.cmp = COMPARATORS[rule.op];
    this.clear = rule.clear_threshold ?? rule.threshold;
    this.windowMs = rule.window_secs * 1000;
    this.timing = { forMs: rule.for_secs * 1000, keepFiringForMs: rule.keep_firing_for_secs * 1000 };
    this.annotations = Object.entries(rule.annotations).map(([k, v]) => [k, compileTemplate(v)] as const);
  }
}

const RANGE = new Int32Array(2);

/**
 * An alert as of one evaluation. Annotations are rendered on first read: evaluation itself never
 * pays for templates, only the alerts something looks at (notifications, Alertmanager) do.
 */
class RenderedAlert implements EngineAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: AlertPhase;
  readonly value: number;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly resolvedAtMs?: number;
  private rendered: Record<string, string> | undefined;

  constructor(slot: AlertSlot, private readonly templates: ReadonlyArray<readonly [string, CompiledTemplate]>) {
    const t = slot.times;
    this.fingerprint = slot.fingerprint;
    this.labels = slot.labels;
    this.phase = t.phase;
    this.value = slot.value;
    this.activeAtMs = t.activeAtMs;
    if (t.firedAtMs !== undefined) this.firedAtMs = t.firedAtMs;
    if (t.resolvedAtMs !== undefined) this.resolvedAtMs = t.resolvedAtMs;
  }

  get annotations(): Readonly<Record<string, string>> {
    if (!this.rendered) {
      this.rendered = {};
      for (const [k, t] of this.templates) this.rendered[k] = t({ labels: this.labels, value: this.value });
    }
    return this.rendered;
  }

  /** Plain data (JSON.stringify and deepEqual see the rendered annotations). */
  toJSON(): EngineAlert {
    return {
      fingerprint: this.fingerprint, labels: this.labels, annotations: this.annotations, phase: this.phase, value: this.value, activeAtMs: this.activeAtMs,
      ...(this.firedAtMs !== undefined ? { firedAtMs: this.firedAtMs } : {}),
      ...(this.resolvedAtMs !== undefined ? { resolvedAtMs: this.resolvedAtMs } : {}),
    };
  }
}

export interface EngineOptions {
  /** How long a resolved alert is still reported (so receivers that missed it hear it again). */
  readonly resolvedRetentionMs?: number;
}

/**
 * Evaluates rules over the roll-up stream. Series are shared by all rules; each rule caches the
 * series its selector picked until the set of series changes, so steady-state evaluation costs one
 * reduction per (rule, matching series) and no allocation for inactive ones.
 */
export class RuleEngine {
  readonly store: SeriesStore;
  private readonly rules: CompiledRule[];
  private readonly resolvedRetentionMs: number;

  constructor(rules: readonly Rule[], options: EngineOptions = {}) {
    this.rules = rules.map((r) => new CompiledRule(r));
    const longest = Math.max(60_000, ...this.rules.map((r) => r.windowMs));
    this.store = new SeriesStore(longest);
    this.resolvedRetentionMs = options.resolvedRetentionMs ?? 15 * 60_000;
  }

  ingest(batch: RollupBatch): void {
    this.store.ingest(batch);
  }

  /** Runs every rule at `nowMs`; returns every pending, firing and recently resolved alert. */
  evaluate(nowMs: number): EngineAlert[] {
    this.store.prune(nowMs);
    const out: EngineAlert[] = [];
    for (const rule of this.rules) this.evaluateRule(rule, nowMs, out);
    return out;
  }

  private evaluateRule(rule: CompiledRule, nowMs: number, out: EngineAlert[]): void {
    if (rule.matchedGeneration !== this.store.generation) {
      rule.matched = selectSeries(this.store, rule.rule.metric, rule.rule.level, rule.matchers);
      rule.slots = rule.matched.map((s) => rule.alerts.get(s.id));
      rule.matchedGeneration = this.store.generation;
    }
    const start = nowMs - rule.windowMs;
    const { matched, slots } = rule;
    for (let i = 0; i < matched.length; i += 1) {
      const series = matched[i] as SeriesBuffer;
      series.rangeInto(start, nowMs, RANGE);
      const from = RANGE[0] as number;
      const to = RANGE[1] as number;
      const value = to > from ? rule.reduce(series.times, series.values, from, to) : NaN;
      const slot = slots[i];
      const wasActive = slot !== undefined && slot.times.phase !== 'resolved';
      const active = conditionHolds(rule.cmp, value, wasActive, rule.rule.threshold, rule.clear);
      if (!slot && !active) continue;
      slots[i] = this.transition(rule, series.id, slot, active, value, nowMs, series.labels);
    }
    // Alerts whose series vanished (dead containers) see a false condition.
    if (rule.alerts.size > 0) this.sweepVanished(rule, nowMs);
    for (const slot of rule.alerts.values()) out.push(this.render(rule, slot));
  }

  /** Applies one transition; returns the slot that now holds the alert (undefined once forgotten). */
  private transition(
    rule: CompiledRule, id: string, slot: AlertSlot | undefined, active: boolean, value: number, nowMs: number, seriesLabels: Readonly<Record<string, string>>,
  ): AlertSlot | undefined {
    const next = nextAlertState(slot?.times, active, nowMs, rule.timing);
    const expired = next?.phase === 'resolved' && next.resolvedAtMs !== undefined && nowMs - next.resolvedAtMs >= this.resolvedRetentionMs;
    if (!next || expired) {
      rule.alerts.delete(id);
      return undefined;
    }
    if (slot) {
      slot.times = next;
      slot.seenAtMs = nowMs;
      if (active || next.phase !== 'resolved') slot.value = value;
      return slot;
    }
    const labels = { ...seriesLabels, ...rule.rule.labels, alertname: rule.rule.alert };
    const created: AlertSlot = { times: next, labels, fingerprint: labelsFingerprint(labels), value, seenAtMs: nowMs };
    rule.alerts.set(id, created);
    return created;
  }

  private sweepVanished(rule: CompiledRule, nowMs: number): void {
    for (const [id, slot] of rule.alerts) {
      if (slot.seenAtMs === nowMs) continue;
      // The series is gone (it is not in `matched`), so no slot index needs updating.
      this.transition(rule, id, slot, false, slot.value, nowMs, slot.labels);
    }
  }

  private render(rule: CompiledRule, slot: AlertSlot): EngineAlert {
    return new RenderedAlert(slot, rule.annotations);
  }
}
