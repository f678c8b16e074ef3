/**
 * What a benchmark declares to the runner: how to run it, which figures of its JSON result matter
 * (ours, the peer's, their ratio) and the goals set for them in the issues. The runner computes
 * the summary, the verdicts and the charts from these declarations and the measured result only.
 */
import type { Stat } from './stats';

/** A bench's JSON result (the last JSON object it printed). */
export type Result = Record<string, unknown>;
export type Extract = (result: Result) => Stat | undefined;

/** Charts put throughput and latency figures first; resource figures (CPU, RSS) follow. */
export type FigureKind = 'throughput' | 'latency' | 'resource';

export interface FigureSpec {
  /** Stable key the goals refer to. */
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly kind: FigureKind;
  readonly better: 'higher' | 'lower';
  readonly ours: Extract;
  readonly peer?: Extract;
  /** Ratio ours / peer paired per run, when the bench gives it; otherwise the ratio of medians is used. */
  readonly ratio?: Extract;
}

export interface GoalSpec {
  readonly issue: number;
  /** What is compared, without the threshold (the runner prints that from `op` and `threshold`). */
  readonly text: string;
  readonly figure: string;
  /** The figure's own median, or its ratio against the peer. */
  readonly on: 'value' | 'ratio';
  readonly op: '<=' | '>=';
  readonly threshold: number;
}

export interface BenchSpec {
  readonly name: string;
  /** The built bench, relative to dist/tests/bench. */
  readonly file: string;
  readonly args: readonly string[];
  /** Real services scripts/services.sh must bring up first. */
  readonly services: readonly string[];
  readonly what: string;
  /** Who "peer" is in this bench's figures; none where nothing comparable runs here. */
  readonly peer?: string;
  readonly figures: readonly FigureSpec[];
  readonly goals: readonly GoalSpec[];
}

/** What one bench run left: stored in BENCHMARKS.md so a later subset run can keep it. */
export interface Outcome {
  readonly name: string;
  readonly command: string;
  readonly seconds: number;
  readonly measuredAt: string;
  readonly machine: string;
  readonly result?: Result;
  readonly error?: string;
}
