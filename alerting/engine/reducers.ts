/**
 * Reducers over the samples of one series inside a window, like PromQL's *_over_time functions.
 * `times` ascending; only indexes [from, to) are read, so callers never copy a window.
 */

export type ReducerName = 'avg' | 'min' | 'max' | 'sum' | 'last' | 'rate' | 'quantile';
export type Reducer = (times: readonly number[], values: readonly number[], from: number, to: number) => number;

function avg(_t: readonly number[], v: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 1) s += v[i] as number;
  return s / (to - from);
}

function sum(_t: readonly number[], v: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 1) s += v[i] as number;
  return s;
}

function min(_t: readonly number[], v: readonly number[], from: number, to: number): number {
  let m = Infinity;
  for (let i = from; i < to; i += 1) m = Math.min(m, v[i] as number);
  return m;
}

function max(_t: readonly number[], v: readonly number[], from: number, to: number): number {
  let m = -Infinity;
  for (let i = from; i < to; i += 1) m = Math.max(m, v[i] as number);
  return m;
}

function last(_t: readonly number[], v: readonly number[], _from: number, to: number): number {
  return v[to - 1] as number;
}

/**
 * Per-second increase between the first and last sample, counter-aware: a drop is a reset, so
 * the new value counts as the increase since it (PromQL's rate without extrapolation). NaN with
 * fewer than two samples: a rate needs two points, and NaN compares false with any threshold.
 */
function rate(t: readonly number[], v: readonly number[], from: number, to: number): number {
  if (to - from < 2) return NaN;
  let increase = 0;
  for (let i = from + 1; i < to; i += 1) {
    const d = (v[i] as number) - (v[i - 1] as number);
    increase += d >= 0 ? d : (v[i] as number);
  }
  return increase / (((t[to - 1] as number) - (t[from] as number)) / 1000);
}

/** Linear interpolation between closest ranks, as PromQL's quantile_over_time. */
export function quantileOf(q: number): Reducer {
  return (_t, v, from, to) => {
    const sorted = v.slice(from, to).sort((a, b) => a - b);
    const rank = q * (sorted.length - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const a = sorted[lo] as number;
    return a + ((sorted[hi] as number) - a) * (rank - lo);
  };
}

const REDUCERS: Record<Exclude<ReducerName, 'quantile'>, Reducer> = { avg, sum, min, max, last, rate };

export function reducerFor(name: ReducerName, q?: number): Reducer {
  return name === 'quantile' ? quantileOf(q ?? 0.5) : REDUCERS[name];
}
