import { ScaleConflictError, type Actuator, type ScaleState } from '../actuators/types';
import type { SeriesStore } from '../engine/series-store';
import { linesFor, type SeriesLine } from '../simulate';
import { EMPTY_STATE, type BehaviorState } from './behavior';
import { evaluatePolicy, type Decision, type MetricInput } from './decide';
import { observeMetric } from './observe';
import type { AutoscalePolicy, ScaleTarget } from './schema';

/** The decision record: the pure decision plus what happened when it met the orchestrator. */
export interface DecisionRecord extends Decision {
  readonly time: string;
  readonly target: ScaleTarget;
  readonly dryRun: boolean;
  /** True when a new replica count was written (or sent, for webhook targets). */
  readonly applied: boolean;
  /** Version conflicts met (each one re-read the target and re-decided). */
  readonly conflicts: number;
  readonly previousReplicas: number;
  readonly newReplicas: number;
}

export interface ControllerOptions {
  readonly lookbackMs: number;
  readonly dryRun: boolean;
  readonly maxConflictRetries: number;
  /** Called once per evaluation with the record and the inputs as series lines (for simulate). */
  readonly onRecord?: (record: DecisionRecord, lines: readonly SeriesLine[]) => void;
}

/**
 * Runs one policy against one actuator: read the target, observe the metrics, decide, write with
 * the version read. On a version conflict (someone scaled by hand meanwhile) it re-reads and
 * re-decides from the new count; only the evaluation that completes updates the behaviour state,
 * so a replay of the recorded inputs (`simulate`) makes the same decisions.
 */
export class PolicyController {
  private state: BehaviorState = EMPTY_STATE;

  constructor(
    readonly policy: AutoscalePolicy,
    private readonly actuator: Actuator,
    private readonly store: SeriesStore,
    private readonly opts: ControllerOptions,
  ) {}

  async evaluate(nowMs: number, signal: AbortSignal): Promise<DecisionRecord> {
    for (let conflicts = 0; ; conflicts += 1) {
      let scale: ScaleState;
      try {
        scale = await this.actuator.read(signal);
      } catch (err) {
        return this.emit(this.failedRead(nowMs, conflicts, err), []);
      }
      const metrics = this.observe(scale, nowMs);
      const counts = { current: scale.replicas, ready: scale.readyReplicas };
      const { decision, state } = evaluatePolicy(this.policy, this.state, { atMs: nowMs, counts, metrics });
      const lines = linesFor(this.policy, nowMs, counts, metrics);
      const draft = this.record(decision, conflicts, false);
      if (decision.desiredReplicas === scale.replicas || this.opts.dryRun || decision.limitedBy === 'scaling_disabled') {
        this.state = state;
        return this.emit(draft, lines);
      }
      try {
        await this.actuator.write(decision.desiredReplicas, scale, signal, { ...draft, applied: true, newReplicas: decision.desiredReplicas });
        this.state = state;
        return this.emit({ ...draft, applied: true, newReplicas: decision.desiredReplicas }, lines);
      } catch (err) {
        if (err instanceof ScaleConflictError && conflicts < this.opts.maxConflictRetries) continue;
        // Not written: keep the recommendation history, not the scale event that did not happen.
        this.state = { ...state, scaleUpEvents: this.state.scaleUpEvents, scaleDownEvents: this.state.scaleDownEvents };
        return this.emit({ ...draft, conflicts: conflicts + (err instanceof ScaleConflictError ? 1 : 0), error: (err as Error).message }, lines);
      }
    }
  }

  private observe(scale: ScaleState, nowMs: number): MetricInput[] {
    const o = { workload: this.policy.workload, nowMs, lookbackMs: this.opts.lookbackMs, ...(scale.readyPods ? { readyPods: scale.readyPods } : {}) };
    return this.policy.metrics.map((spec) => observeMetric(this.store, spec, o));
  }

  private record(d: Decision, conflicts: number, applied: boolean): DecisionRecord {
    return {
      ...d, time: new Date(d.atMs).toISOString(), target: this.policy.target, dryRun: this.opts.dryRun, applied, conflicts,
      previousReplicas: d.currentReplicas, newReplicas: d.currentReplicas,
    };
  }

  private failedRead(nowMs: number, conflicts: number, err: unknown): DecisionRecord {
    const d: Decision = {
      atMs: nowMs, policy: this.policy.name, currentReplicas: 0, readyReplicas: 0, metrics: [], rawRecommendation: null,
      stabilizedRecommendation: null, desiredReplicas: 0, action: 'none', limitedBy: null, error: `reading the target failed: ${(err as Error).message}`,
    };
    return this.record(d, conflicts, false);
  }

  private emit(record: DecisionRecord, lines: readonly SeriesLine[]): DecisionRecord {
    this.opts.onRecord?.(record, lines);
    return record;
  }
}
