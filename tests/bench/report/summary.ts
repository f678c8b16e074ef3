/**
 * Pure builders for BENCHMARKS.md: the figures of a result, the verdict of each goal, the summary
 * table against the goals and each bench's figure table. No I/O here, so they are unit-tested.
 */
import type { BenchSpec, FigureSpec, GoalSpec, Outcome, Result } from './spec';
import type { Stat } from './stats';

export interface MeasuredFigure {
  readonly spec: FigureSpec;
  readonly ours?: Stat;
  readonly peer?: Stat;
  readonly ratio?: Stat;
  /** The ratio is of the two medians (the bench gave no per-run pairing). */
  readonly ratioOfMedians: boolean;
}

export function measure(spec: FigureSpec, result: Result | undefined): MeasuredFigure {
  if (!result) return { spec, ratioOfMedians: false };
  const ours = spec.ours(result);
  const peer = spec.peer?.(result);
  const paired = spec.ratio?.(result);
  if (paired) return { spec, ours, peer, ratio: paired, ratioOfMedians: false };
  if (ours && peer && peer.median !== 0) {
    const r = ours.median / peer.median;
    return { spec, ours, peer, ratio: { median: r, min: r, max: r }, ratioOfMedians: true };
  }
  return { spec, ours, peer, ratioOfMedians: false };
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US');
  // Three significant digits, without trailing zeros: 0.25, 1.5, 16.7, 869.
  return String(Number(n.toPrecision(3)));
}

function unitSuffix(unit: string): string {
  return unit === '×' ? '×' : ` ${unit}`;
}

/** `1.2 s (1.1–1.4, 5 runs)`: the median, then its range and how many runs it is over. */
export function formatStat(s: Stat | undefined, unit: string): string {
  if (!s) return 'not in the result';
  const runs = s.runs === undefined ? '' : `, ${s.runs} run${s.runs === 1 ? '' : 's'}`;
  const range = s.runs === 1 || s.min === s.max ? (runs ? ` (${runs.slice(2)})` : '') : ` (${formatNumber(s.min)}–${formatNumber(s.max)}${runs})`;
  return `${formatNumber(s.median)}${unitSuffix(unit)}${range}`;
}

export interface Verdict {
  readonly goal: GoalSpec;
  readonly unit: string;
  readonly measured?: Stat;
  readonly met?: boolean;
  /** "met", "gap: …" with its size, or why there is no figure. */
  readonly text: string;
}

/** `status` says why there is no result: the bench failed, or this file has none for it. */
export function judge(goal: GoalSpec, figures: readonly MeasuredFigure[], status?: string): Verdict {
  const figure = figures.find((f) => f.spec.id === goal.figure);
  const unit = goal.on === 'ratio' ? '×' : (figure?.spec.unit ?? '');
  if (status !== undefined) return { goal, unit, text: `not measured: ${status}` };
  if (!figure) return { goal, unit, text: `not measured: no figure \`${goal.figure}\` is declared` };
  const measured = goal.on === 'ratio' ? figure.ratio : figure.ours;
  if (!measured) return { goal, unit, text: 'not measured: the figure is not in the result' };
  const m = measured.median;
  const met = goal.op === '<=' ? m <= goal.threshold : m >= goal.threshold;
  if (met) return { goal, unit, measured, met, text: 'met' };
  const size = Math.abs(m - goal.threshold);
  const side = goal.op === '<=' ? 'over' : 'short';
  const relative = goal.threshold !== 0 ? ` (${formatNumber(m / goal.threshold)}× the goal)` : '';
  return { goal, unit, measured, met, text: `gap: ${formatNumber(size)}${unitSuffix(unit)} ${side}${relative}` };
}

export function goalTarget(goal: GoalSpec, unit: string): string {
  return `${goal.op === '<=' ? '≤' : '≥'} ${formatNumber(goal.threshold)}${unitSuffix(unit)}${goal.on === 'ratio' ? ' the peer' : ''}`;
}

export function benchVerdicts(spec: BenchSpec, outcome: Outcome | undefined): Verdict[] {
  const figures = spec.figures.map((f) => measure(f, outcome?.result));
  const status = !outcome ? 'no result in this file yet' : outcome.error !== undefined ? 'the bench failed (see its section)' : undefined;
  return spec.goals.map((g) => judge(g, figures, status));
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The table at the top of BENCHMARKS.md: every declared goal, its measured median and verdict. */
export function summaryTable(specs: readonly BenchSpec[], outcomes: ReadonlyMap<string, Outcome>): string[] {
  const lines = ['| goal | issue | target | measured (median, range) | verdict | bench |', '| --- | --- | --- | --- | --- | --- |'];
  for (const spec of specs) {
    for (const v of benchVerdicts(spec, outcomes.get(spec.name))) {
      const measured = v.measured ? formatStat(v.measured, v.unit) : '—';
      const verdict = v.met === true ? 'met' : v.met === false ? `**${v.text}**` : v.text;
      lines.push(`| ${cell(v.goal.text)} | #${v.goal.issue} | ${cell(goalTarget(v.goal, v.unit))} | ${cell(measured)} | ${cell(verdict)} | [${spec.name}](#${spec.name}) |`);
    }
  }
  return lines;
}

/** A bench's figures: ours and the peer's medians with their ranges, and the ratio. */
export function figureTable(spec: BenchSpec, result: Result | undefined): string[] {
  const peer = spec.peer ?? 'peer';
  const lines = spec.peer
    ? [`| figure | cargoscope | ${cell(peer)} | ratio cargoscope / ${cell(peer)} |`, '| --- | --- | --- | --- |']
    : ['| figure | cargoscope |', '| --- | --- |'];
  for (const f of spec.figures.map((x) => measure(x, result))) {
    const better = f.spec.better === 'higher' ? '↑' : '↓';
    const name = `${cell(f.spec.label)} (${cell(f.spec.unit)}, ${better} better)`;
    if (!spec.peer) {
      lines.push(`| ${name} | ${cell(formatStat(f.ours, f.spec.unit))} |`);
      continue;
    }
    const ratio = !f.ratio ? '—' : f.ratioOfMedians ? `${formatNumber(f.ratio.median)}× (of medians)` : formatStat(f.ratio, '×');
    lines.push(`| ${name} | ${cell(formatStat(f.ours, f.spec.unit))} | ${f.spec.peer ? cell(formatStat(f.peer, f.spec.unit)) : '—'} | ${cell(ratio)} |`);
  }
  return lines;
}
