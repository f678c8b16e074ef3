/**
 * A figure's spread over repeated runs, and the small readers that turn a bench's JSON result
 * (numbers, arrays of runs, or `{median, min, max}` objects — the benches print all three) into it.
 */

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many runs the figure is over, when the result says. */
  readonly runs?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function statOfRuns(values: readonly number[]): Stat | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), runs: finite.length };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a number, an array of numbers (one per run) or a `{median, min, max}` object. */
export function statOf(value: unknown): Stat | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? { median: value, min: value, max: value, runs: 1 } : undefined;
  if (Array.isArray(value)) return statOfRuns(value.filter((v): v is number => typeof v === 'number'));
  if (!isRecord(value) || typeof value['median'] !== 'number' || !Number.isFinite(value['median'])) return undefined;
  const m = value['median'];
  const min = typeof value['min'] === 'number' ? value['min'] : m;
  const max = typeof value['max'] === 'number' ? value['max'] : m;
  const runs = typeof value['runs'] === 'number' ? value['runs'] : Array.isArray(value['runs']) ? value['runs'].length : undefined;
  return runs === undefined ? { median: m, min, max } : { median: m, min, max, runs };
}

/** `a.b.c` into a nested result; undefined where any step is missing. */
export function valueAt(result: unknown, path: string): unknown {
  let at: unknown = result;
  for (const key of path.split('.')) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** The figure at `path`, with `runs` filled from `runsPath` when the value itself does not say. */
export function statAt(result: unknown, path: string, runsPath?: string): Stat | undefined {
  const s = statOf(valueAt(result, path));
  if (!s || s.runs !== undefined || runsPath === undefined) return s;
  const runs = valueAt(result, runsPath);
  return typeof runs === 'number' ? { ...s, runs } : s;
}

/** Scales every part of a stat (unit changes, per-run rates from per-run times). */
export function scaleStat(s: Stat | undefined, f: (x: number) => number): Stat | undefined {
  if (!s) return undefined;
  const a = f(s.min);
  const b = f(s.max);
  // A decreasing f (e.g. rate = work / time) swaps the ends of the range.
  return { median: f(s.median), min: Math.min(a, b), max: Math.max(a, b), ...(s.runs === undefined ? {} : { runs: s.runs }) };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value);
}
