/**
 * The kernel's load average arithmetic (kernel/sched/loadavg.c), which lxcfs also uses: 11-bit
 * fixed point, updated every 5 s with exp(-5/60), exp(-5/300), exp(-5/900).
 */
export const FSHIFT = 11;
export const FIXED_1 = 1 << FSHIFT;
export const EXP_1 = 1884;
export const EXP_5 = 2014;
export const EXP_15 = 2037;
export const LOAD_SAMPLE_MS = 5000;

export type Avenrun = readonly [number, number, number];

export function calcLoad(load: number, exp: number, active: number): number {
  const a = active > 0 ? active * FIXED_1 : 0;
  let next = load * exp + a * (FIXED_1 - exp);
  if (a >= load) next += FIXED_1 - 1;
  return Math.floor(next / FIXED_1);
}

export function nextAvenrun(prev: Avenrun, running: number): Avenrun {
  return [calcLoad(prev[0], EXP_1, running), calcLoad(prev[1], EXP_5, running), calcLoad(prev[2], EXP_15, running)];
}

export interface LoadavgInput {
  readonly avenrun: Avenrun;
  /** Tasks running or in uninterruptible sleep at the last sample. */
  readonly running: number;
  readonly total: number;
  readonly lastPid: number;
}

function fmt(x: number): string {
  const v = x + Math.floor(FIXED_1 / 200); // round to 2 decimals, as the kernel does
  const int = v >> FSHIFT;
  const frac = ((v & (FIXED_1 - 1)) * 100) >> FSHIFT;
  return `${int}.${String(frac).padStart(2, '0')}`;
}

/** "0.52 0.58 0.59 1/210 12345\n" */
export function renderLoadavg(l: LoadavgInput): string {
  return `${fmt(l.avenrun[0])} ${fmt(l.avenrun[1])} ${fmt(l.avenrun[2])} ${l.running}/${l.total} ${l.lastPid}\n`;
}
